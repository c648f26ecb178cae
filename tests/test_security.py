"""Who may do what, CSRF on htmx posts, login throttling, headers, and hostile input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims import services
from claims.uploads import UploadError
from tests.factories import ClaimFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no role", "editor", "reviewer", "desk chief", "admin"]


def client_for(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "admin":
        user = UserFactory(username="root", is_staff=True, is_superuser=True)
    else:
        user = UserFactory(
            username=role.replace(" ", "-"), role=None if role == "no role" else role
        )
        # Editors reach the admin site to upload, as the demo accounts do.
        user.is_staff = role == "editor"
        user.save()
    client.force_login(user)
    return client


LOGIN = "login"
# role -> expected outcome, per docs/product.md's role table.
MATRIX = {
    "view queue": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 200,
        "reviewer": 200,
        "desk chief": 200,
        "admin": 200,
    },
    "view article": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 200,
        "reviewer": 200,
        "desk chief": 200,
        "admin": 200,
    },
    "set status": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 403,
        "reviewer": 302,
        "desk chief": 302,
        "admin": 302,
    },
    "correct claim": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 403,
        "reviewer": 302,
        "desk chief": 302,
        "admin": 302,
    },
    "retry job": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 302,
        "reviewer": 403,
        "desk chief": 403,
        "admin": 302,
    },
    "export csv": {
        "anonymous": LOGIN,
        "no role": 403,
        "editor": 200,
        "reviewer": 200,
        "desk chief": 200,
        "admin": 200,
    },
    "upload": {
        "anonymous": LOGIN,
        "no role": LOGIN,
        "editor": 200,
        "reviewer": LOGIN,
        "desk chief": LOGIN,
        "admin": 200,
    },
}


def attempt(action: str, client: Client):
    claim = ClaimFactory()
    if action == "view queue":
        return client.get(reverse("claims-queue"))
    if action == "view article":
        return client.get(reverse("claims-article", args=[claim.article_id]))
    if action == "set status":
        return client.post(
            reverse("claims-set-status", args=[claim.pk]),
            {"status": "sourced", "version": 1, "source_url": "https://example.org/s"},
        )
    if action == "correct claim":
        return client.post(
            reverse("claims-dismiss", args=[claim.pk]), {"reason": "opinion", "version": 1}
        )
    if action == "retry job":
        return client.post(reverse("claims-job-retry", args=[JobFactory(state="failed").pk]))
    if action == "export csv":
        return client.get(reverse("claims-export-csv"))
    if action == "upload":
        return client.get(reverse("admin:claims_article_add"))
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_the_role_matrix(action, role):
    response = attempt(action, client_for(role))
    expected = MATRIX[action][role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert "login" in response.url
    else:
        assert response.status_code == expected, (action, role)


def test_htmx_posts_without_a_csrf_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="rita", role="reviewer"))
    claim = ClaimFactory()
    url = reverse("claims-set-status", args=[claim.pk])
    data = {"status": "sourced", "version": 1, "source_url": "https://example.org/s"}
    refused = client.post(url, data, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "unreviewed"

    # The page hands htmx the token in <body hx-headers>, which sends it as X-CSRFToken.
    page = client.get(reverse("claims-queue")).content.decode()
    assert '"x-csrftoken": "' in page
    token = page.split('"x-csrftoken": "', 1)[1].split('"', 1)[0]
    accepted = client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 200
    claim.refresh_from_db()
    assert claim.status == "sourced"


def test_repeated_failed_logins_lock_the_account(settings):
    UserFactory(username="rita", role="reviewer")
    client = Client()
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "rita", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "rita", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "rita", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_works_and_resets_the_count():
    UserFactory(username="rita", role="reviewer")
    client = Client()
    client.post(reverse("login"), {"username": "rita", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "rita", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.url == reverse("claims-queue")


def test_pages_carry_security_headers():
    client = client_for("reviewer")
    response = client.get(reverse("claims-queue"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_hostile_html_in_an_article_is_shown_as_text():
    hostile = services.article_create(
        title='<script>alert("title")</script>',
        text=(
            'Officials said <img src=x onerror=alert(1)> 300 people <a href="javascript:alert(2)">'
            "attended</a> the rally on Monday, police said."
        ),
        enqueue=False,
    )
    ClaimFactory(article=hostile, text=hostile.body, summary="<b onmouseover=alert(3)>300</b>")
    client = client_for("reviewer")
    for url in (reverse("claims-queue"), reverse("claims-article", args=[hostile.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert '<a href="javascript:' not in html
        assert "<b onmouseover" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html


def test_article_links_must_be_web_addresses():
    with pytest.raises(UploadError, match="http"):
        services.article_create(
            text="Police said 12 people were hurt.", title="Crash", url="javascript:alert(1)"
        )


def test_bulk_uploads_are_bounded_in_count(settings):
    settings.NEWSFACTS_MAX_UPLOAD_FILES = 2
    client = client_for("editor")
    files = [
        SimpleUploadedFile(f"a{n}.txt", f"Story {n}\n\nPolice said {n} people were hurt.".encode())
        for n in range(3)
    ]
    response = client.post(reverse("admin:claims_article_bulk_import"), {"files": files})
    assert response.status_code == 200
    assert "3 files chosen; upload at most 2 at a time." in response.content.decode()


def test_uploads_are_bounded_in_size(settings):
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 100
    client = client_for("editor")
    big = SimpleUploadedFile("big.txt", b"Headline\n\n" + b"Police said 12 people were hurt. " * 10)
    response = client.post(
        reverse("admin:claims_article_add"),
        {"upload": big, "text": "", "title": "", "outlet": "", "url": "", "published_date": ""},
    )
    assert response.status_code == 200
    assert "the limit is 100 bytes" in response.content.decode()
