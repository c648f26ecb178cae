"""The admin's feeds, imports by URL, API tokens and webhooks, per role; and import_url."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from claims import broker
from claims.models import ApiToken, Feed, PageImport, WebhookSubscription
from tests.factories import UserFactory
from tests.integrations.pages import article_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(broker, "send_web", lambda task, *, args: calls.append((task, *args)))
    return calls


def staff(role: str | None, **fields) -> Client:
    user = UserFactory(
        username=(role or "root").replace(" ", "-"), role=role, is_staff=True, **fields
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_a_desk_chief_subscribes_the_desk_to_a_feed_and_polls_it(sent):
    chief = staff("desk chief")
    response = chief.post(
        "/admin/claims/feed/add/",
        {
            "name": "Wire: world",
            "url": "https://wire.example.org/world.rss",
            "interval_minutes": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    feed = Feed.objects.get()
    assert feed.created_by == chief.user and feed.interval_minutes == 10
    refused = chief.post(
        "/admin/claims/feed/add/",
        {"name": "x", "url": "file:///etc/passwd", "interval_minutes": 10},
    )
    assert refused.status_code == 200 and Feed.objects.count() == 1
    chief.post("/admin/claims/feed/", {"action": "poll_now", "_selected_action": [feed.pk]})
    assert sent == [("claims.web_tasks.poll_feed", feed.pk)]
    page = chief.get("/admin/claims/feed/")
    assert b"Wire: world" in page.content and b"Items imported" in page.content


def test_editors_see_feeds_but_do_not_subscribe_and_reviewers_see_nothing():
    Feed.objects.create(name="Wire", url="https://wire.example.org/rss")
    editor = staff("editor")
    assert editor.get("/admin/claims/feed/").status_code == 200
    assert editor.get("/admin/claims/feed/add/").status_code == 403
    reviewer = staff("reviewer")
    assert reviewer.get("/admin/claims/feed/").status_code == 403
    assert reviewer.get("/admin/claims/pageimport/import-urls/").status_code == 403
    assert reviewer.get("/admin/claims/webhooksubscription/").status_code == 403


def test_an_editor_pastes_urls_and_each_gets_its_own_outcome(
    sent, django_capture_on_commit_callbacks
):
    editor = staff("editor")
    form = editor.get("/admin/claims/pageimport/import-urls/")
    assert form.status_code == 200 and b"One address per line" in form.content
    assert editor.get("/admin/claims/pageimport/add/").url.endswith("/import-urls/")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            "/admin/claims/pageimport/import-urls/",
            {
                "urls": "https://wire.example.org/a\njavascript:alert(1)\n\nhttps://wire.example.org/b\n"
            },
            follow=True,
        )
    said = [str(m) for m in response.context["messages"]]
    assert said[0].startswith("2 pages are being fetched")
    assert said[1].startswith("javascript:alert(1): Only http:// and https://")
    pages = PageImport.objects.order_by("id")
    assert [p.url for p in pages] == ["https://wire.example.org/a", "https://wire.example.org/b"]
    assert all(p.requested_by == editor.user for p in pages)
    assert [s[1] for s in sent] == [p.pk for p in pages]
    too_many = editor.post(
        "/admin/claims/pageimport/import-urls/",
        {"urls": "\n".join(f"https://x.example/{n}" for n in range(101))},
    )
    assert b"import at most 100" in too_many.content
    # Failed ones are tried again on request.
    PageImport.objects.update(state="failed", error="HTTP 503")
    editor.post(
        "/admin/claims/pageimport/",
        {"action": "try_again", "_selected_action": [p.pk for p in pages]},
    )
    assert set(PageImport.objects.values_list("state", flat=True)) == {"pending"}


def test_an_admin_makes_a_token_shown_once_that_works_and_can_be_revoked():
    admin = staff(None, is_superuser=True)
    rita = UserFactory(username="rita", role="reviewer")
    response = admin.post(
        "/admin/claims/apitoken/add/", {"user": rita.pk, "name": "CMS sync", "scope": "write"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    assert raw.startswith("nf_") and raw.encode() in response.content
    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.scope) == (rita, admin.user, "write")
    listing = admin.get("/admin/claims/apitoken/")
    assert raw.encode() not in listing.content and token.prefix.encode() in listing.content
    assert raw.encode() not in admin.get(f"/admin/claims/apitoken/{token.pk}/change/").content
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/claims").status_code == 200
    admin.post("/admin/claims/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert api.get("/api/v1/claims").status_code == 401


def test_staff_make_tokens_for_themselves_only_and_see_only_their_own():
    admin = staff(None, is_superuser=True)
    admin.post(
        "/admin/claims/apitoken/add/", {"user": admin.user.pk, "name": "admin's", "scope": "read"}
    )
    editor = staff("editor")
    response = editor.post(
        "/admin/claims/apitoken/add/", {"user": admin.user.pk, "name": "mine", "scope": "read"}
    )
    assert response.status_code == 200
    mine = ApiToken.objects.get(name="mine")
    assert mine.user == editor.user  # not the admin named in the form
    listing = editor.get("/admin/claims/apitoken/").content
    assert b"mine" in listing and b"admin&#x27;s" not in listing
    theirs = ApiToken.objects.get(name="admin's")
    assert editor.get(f"/admin/claims/apitoken/{theirs.pk}/change/").status_code in (302, 403)


def test_an_admin_subscribes_a_receiver_to_chosen_events():
    admin = staff(None, is_superuser=True)
    response = admin.post(
        "/admin/claims/webhooksubscription/add/",
        {
            "name": "CMS",
            "url": "https://cms.example.org/hooks",
            "events": ["claim.judged", "job.failed"],
            "secret": "s3cret",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().events == ["claim.judged", "job.failed"]
    refused = admin.post(
        "/admin/claims/webhooksubscription/add/",
        {"name": "inside", "url": "gopher://10.0.0.1/", "events": ["job.failed"], "secret": "x"},
    )
    assert refused.status_code == 200 and WebhookSubscription.objects.count() == 1
    assert staff("desk chief").get("/admin/claims/webhooksubscription/").status_code == 403


def test_import_url_says_what_became_of_each_url(web, capsys):
    web.expect_request("/story").respond_with_data(article_page(1), content_type="text/html")
    web.expect_request("/copy").respond_with_data(article_page(1), content_type="text/html")
    web.expect_request("/gone").respond_with_data("", status=410)
    call_command(
        "import_url", web.url_for("/story"), web.url_for("/copy"), web.url_for("/gone"), "ftp://x/y"
    )
    out, err = capsys.readouterr()
    assert f"imported: {web.url_for('/story')} as article" in out
    assert f"duplicate: {web.url_for('/copy')} is already article" in out
    assert "failed:" in err and "HTTP 410" in err
    assert "refused: ftp://x/y" in err
    assert "1 imported, 1 already stored, 2 not" in out
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_url", web.url_for("/gone"))
