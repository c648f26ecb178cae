"""desk_view: login, permission, method, htmx; and every desk URL goes through it."""

import pytest
from django.http import Http404, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, include, path, reverse

from claims import permissions
from claims.decorators import desk_view
from claims.urls import urlpatterns as claims_urlpatterns
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


# --- small views that wear the decorator, served under /desk-test/ -----------------------


@desk_view(permission=permissions.VIEW_CLAIMS)
def page(request):
    return HttpResponse("the page")


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",))
def review_post(request):
    return HttpResponse("reviewed")


@desk_view(permission=permissions.VIEW_CLAIMS, htmx=True)
def switching(request):
    return HttpResponse("a partial" if request.htmx else "the whole page")


def _holder(request, pk):
    if pk == 404:
        raise Http404("no such thing")
    return f"/desk-test/holder/{pk}/?from=partial"


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_holder)
def partial(request, pk):
    return HttpResponse(f"partial {pk}")


urlpatterns = [
    path("desk-test/page/", page),
    path("desk-test/review/", review_post),
    path("desk-test/switching/", switching),
    path("desk-test/partial/<int:pk>/", partial),
    # The desk's own URLs, for the login page the decorator redirects to.
    path("", include("newsfacts.urls")),
]
with_test_views = pytest.mark.urls(__name__)


def signed_in(role: str | None) -> Client:
    client = Client()
    client.force_login(UserFactory(username=(role or "nobody").replace(" ", "-"), role=role))
    return client


@pytest.fixture
def editor():
    return signed_in("editor")


# --- the checks, in order ----------------------------------------------------------------


@with_test_views
def test_it_sends_anonymous_users_to_login(client):
    for url in ("/desk-test/page/", "/desk-test/switching/", "/desk-test/partial/7/"):
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            assert response.status_code == 302
            assert response.url == f"{reverse('login')}?next={url}"
    # A POST-only view sends an anonymous POST to login too, not a 403.
    response = client.post("/desk-test/review/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@with_test_views
def test_it_returns_403_for_users_without_the_permission(editor):
    no_role = signed_in(None)
    assert no_role.get("/desk-test/page/").status_code == 403
    assert no_role.get("/desk-test/partial/7/").status_code == 403  # not sent to the page
    assert no_role.get("/desk-test/partial/7/", headers=HTMX).status_code == 403
    # An editor may view claims but not review them.
    assert editor.post("/desk-test/review/").status_code == 403


@with_test_views
def test_it_returns_405_for_other_methods(editor):
    for method in ("post", "put", "delete", "head"):
        response = getattr(editor, method)("/desk-test/page/")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET"
    reviewer = signed_in("reviewer")
    assert reviewer.get("/desk-test/review/").status_code == 405
    assert reviewer.post("/desk-test/review/").content == b"reviewed"


@with_test_views
def test_the_method_is_checked_before_the_sign_in(client):
    # The order Django's decorators had on the desk's views before desk_view (require_GET
    # outermost): a wrong method is refused before anyone is asked to sign in.
    assert client.post("/desk-test/page/").status_code == 405
    assert signed_in(None).post("/desk-test/page/").status_code == 405


@with_test_views
def test_it_passes_a_permitted_request_through(editor):
    response = editor.get("/desk-test/page/")
    assert response.status_code == 200
    assert response.content == b"the page"
    assert "HX-Request" not in response.get("Vary", "")  # this view does not switch on htmx


# --- htmx --------------------------------------------------------------------------------


@with_test_views
def test_a_view_that_switches_on_htmx_varies_on_it(editor):
    plain = editor.get("/desk-test/switching/")
    partial = editor.get("/desk-test/switching/", headers=HTMX)
    assert (plain.content, partial.content) == (b"the whole page", b"a partial")
    assert "HX-Request" in plain["Vary"]
    assert "HX-Request" in partial["Vary"]


@with_test_views
def test_a_partial_is_served_to_htmx(editor):
    response = editor.get("/desk-test/partial/7/", headers=HTMX)
    assert response.status_code == 200
    assert response.content == b"partial 7"
    assert "HX-Request" in response["Vary"]


@with_test_views
def test_a_plain_request_for_a_partial_goes_to_its_page(editor):
    response = editor.get("/desk-test/partial/7/")
    assert response.status_code == 302
    assert response.url == "/desk-test/holder/7/?from=partial"  # built from the URL's pk
    # The same URL answers htmx and plain requests differently: caches must know.
    assert "HX-Request" in response["Vary"]


@with_test_views
def test_a_plain_request_for_a_missing_partial_is_404(editor):
    assert editor.get("/desk-test/partial/404/").status_code == 404


# --- every desk URL wears the decorator --------------------------------------------------

# Who may call each desk URL. A new URL must be added here: it makes its author say which
# permission guards it. healthz is the one URL open to everyone (load balancers call it).
URL_PERMISSIONS = {
    "claims-queue": permissions.VIEW_CLAIMS,
    "claims-counts": permissions.VIEW_CLAIMS,
    "claims-outlet-options": permissions.VIEW_CLAIMS,
    "claims-bulk": permissions.ASSIGN_CLAIMS,
    "claims-panel": permissions.VIEW_CLAIMS,
    "claims-set-status": permissions.REVIEW_CLAIMS,
    "claims-assign": permissions.ASSIGN_CLAIMS,
    "claims-overview": permissions.VIEW_CLAIMS,
    "claims-article": permissions.VIEW_CLAIMS,
    "claims-article-text": permissions.VIEW_CLAIMS,
    "claims-article-part": permissions.VIEW_CLAIMS,
    "claims-article-job": permissions.VIEW_CLAIMS,
    "claims-jobs-live": permissions.VIEW_CLAIMS,
    "claims-job-retry": permissions.RUN_EXTRACTION,
    "claims-export-csv": permissions.VIEW_CLAIMS,
    "claims-claimreview-feed": permissions.VIEW_CLAIMS,
    "claims-claimreview": permissions.VIEW_CLAIMS,
    "claims-article-claimreview": permissions.VIEW_CLAIMS,
    "claims-dismiss": permissions.REVIEW_CLAIMS,
    "claims-restore": permissions.REVIEW_CLAIMS,
    "claims-correct": permissions.REVIEW_CLAIMS,
    "claims-add": permissions.REVIEW_CLAIMS,
    "claims-set-rating": permissions.REVIEW_CLAIMS,
    "claims-comments": permissions.VIEW_CLAIMS,
    "claims-add-comment": permissions.COMMENT_CLAIMS,
    "claims-article-index": permissions.VIEW_CLAIMS,
    "claims-match-apply": permissions.REVIEW_CLAIMS,
    "claims-match-reject": permissions.REVIEW_CLAIMS,
    "claims-group-apply": permissions.REVIEW_CLAIMS,
}
OPEN_URLS = {"healthz"}


def _url_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_every_desk_url_goes_through_desk_view():
    found = {}
    for pattern in _url_patterns(claims_urlpatterns):
        if pattern.name in OPEN_URLS:
            continue
        # Set by desk_view; a view with a hand-made decorator stack has none.
        found[pattern.name] = getattr(pattern.callback, "desk_permission", None)
    assert found == URL_PERMISSIONS


def test_the_mark_is_only_on_decorated_views():
    assert page.desk_permission == permissions.VIEW_CLAIMS
    assert not hasattr(_holder, "desk_permission")
    healthz = next(p for p in _url_patterns(claims_urlpatterns) if p.name == "healthz")
    assert not hasattr(healthz.callback, "desk_permission")
