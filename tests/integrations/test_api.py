"""The JSON API: tokens and scopes, the role table, the queue's filters and pages, the
dashboard's review rules and version check, articles in, the schema, throttling."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from claims import selectors, services
from claims.models import ApiToken, Claim, PageImport, StatusChange
from tests.factories import ArticleFactory, ClaimFactory, JobFactory, UserFactory
from tests.integrations.pages import article_page

pytestmark = pytest.mark.django_db
API = "/api/v1"
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.fixture(autouse=True)
def local_rate_counter(settings):
    """Most tests count requests in memory; the throttling test uses the real Redis."""
    settings.CACHES = {**settings.CACHES, "api": {**LOCMEM, "LOCATION": "api-tests"}}


def token_for(role: str | None, scope: str = "write", **fields) -> str:
    user = UserFactory(username=f"{role or 'nobody'}-{scope}".replace(" ", "-"), role=role)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return services.api_token_create(user=user, name="CMS", scope=scope)[1]


def call(token: str | None, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client()
    if method == "get":
        return client.get(f"{API}{path}", body or {}, headers=headers)
    return client.post(f"{API}{path}", body or {}, content_type="application/json", headers=headers)


# --- tokens ------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_only_a_live_one_opens_the_api():
    raw = token_for("reviewer", "read")
    token = ApiToken.objects.get()
    assert raw.startswith("nf_") and len(raw) > 40
    assert raw not in (token.key_hash, token.prefix) and raw.startswith(token.prefix)
    assert call(raw, "get", "/claims").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert call(None, "get", "/claims").status_code == 401
    assert call("nf_not-a-token", "get", "/claims").status_code == 401
    assert call(raw + "x", "get", "/claims").status_code == 401
    services.api_tokens_revoke(token_ids=[token.pk])
    assert call(raw, "get", "/claims").status_code == 401


def test_an_expired_token_and_a_deactivated_users_token_are_refused():
    expired = token_for("reviewer", "read")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert call(expired, "get", "/claims").status_code == 401
    inactive = token_for("editor", "read", is_active=False)
    assert call(inactive, "get", "/claims").status_code == 401


# --- the role table, through tokens --------------------------------------------------------


def test_every_role_gets_what_the_role_table_gives_it(django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    job = JobFactory(article=claim.article)
    status = {"status": "disputed", "version": 1, "note": "the 2019 figure"}
    # (role, scope) -> expected status per request
    expected = {
        ("editor", "write"): (200, 200, 403, 201),
        ("reviewer", "write"): (200, 200, 200, 403),
        ("desk chief", "write"): (200, 200, 200, 403),
        ("reviewer", "read"): (200, 200, 403, 403),
        ("editor", "read"): (200, 200, 403, 403),
        (None, "write"): (403, 403, 403, 403),  # signed up, but in no role
    }
    admin = UserFactory(username="root", is_superuser=True)
    expected_admin = (200, 200, 200, 201)
    for (role, scope), statuses in [*expected.items(), (("admin", "write"), expected_admin)]:
        raw = (
            services.api_token_create(user=admin, name="a", scope=scope)[1]
            if role == "admin"
            else token_for(role, scope)
        )
        Claim.objects.filter(pk=claim.pk).update(version=1, status="unreviewed")
        with django_capture_on_commit_callbacks(execute=False):
            got = (
                call(raw, "get", f"/claims/{claim.pk}").status_code,
                call(raw, "get", f"/jobs/{job.pk}").status_code,
                call(raw, "post", f"/claims/{claim.pk}/status", status).status_code,
                call(
                    raw,
                    "post",
                    "/articles",
                    {"text": f"Officials said {role} {scope} counted 4,000 people."},
                ).status_code,
            )
        assert got == statuses, (role, scope)


# --- listing: the queue's selector, filters and keyset pages -------------------------------


def test_claims_are_listed_with_the_queues_filters_and_order():
    article = ArticleFactory(outlet="Valley Post")
    for n in range(5):
        ClaimFactory(
            article=article,
            score=n / 10,
            text=f"{n} claim",
            status="verified" if n % 2 else "unreviewed",
        )
    ClaimFactory(text="other outlet", score=0.9)
    ClaimFactory(article=article, text="orphan", is_orphaned=True)
    raw = token_for("reviewer", "read")
    body = call(raw, "get", "/claims", {"outlet": "valley post", "status": "unreviewed"}).json()
    assert [c["text"] for c in body["items"]] == ["4 claim", "2 claim", "0 claim"]
    expected = selectors.claim_page(
        filters=selectors.ClaimFilters(outlet="valley post", status="unreviewed"), size=50
    )
    assert [c["id"] for c in body["items"]] == [c.pk for c in expected.claims]
    first = body["items"][0]
    assert first["article"]["outlet"] == "Valley Post" and first["version"] == 1
    assert first["desk_url"].endswith(f"/articles/{article.pk}/?claim={first['id']}")
    assert call(raw, "get", "/claims", {"q": "other"}).json()["items"][0]["text"] == "other outlet"
    assert len(call(raw, "get", "/claims", {"include_orphaned": "true"}).json()["items"]) == 7
    assert call(raw, "get", "/claims", {"status": "maybe"}).status_code == 422
    assert call(raw, "get", "/claims", {"limit": 0}).status_code == 422
    assert call(raw, "get", "/claims", {"limit": 201}).status_code == 422
    assert call(raw, "get", "/claims", {"assignee": "rita"}).status_code == 422


def test_pages_follow_the_cursor_and_see_every_claim_once(django_assert_max_num_queries):
    for n in range(23):
        ClaimFactory(score=round((n % 7) / 10, 1))  # ties: the id breaks them
    raw = token_for("reviewer", "read")
    seen, url, pages = [], f"{API}/claims?limit=10&sort=-score", 0
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    while url:
        with django_assert_max_num_queries(5):  # token, its use, permissions, the page
            body = client.get(url).json()
        seen += [(c["score"], c["id"]) for c in body["items"]]
        url, pages = body["next"], pages + 1
        if url:
            assert "sort=-score" in url and "limit=10" in url
    assert pages == 3 and len(seen) == len(set(seen)) == 23
    assert seen == sorted(seen, key=lambda s: (-s[0], -s[1]))


def test_one_claim_comes_with_its_sources_and_history(django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    reviewer = UserFactory(username="rita", role="reviewer")
    with django_capture_on_commit_callbacks(execute=False):
        services.claim_set_status(
            claim_id=claim.pk, user=reviewer, status="verified", expected_version=1,
            source_url="https://stats.example.org/t1", source_title="Census table 1",
        )  # fmt: skip
    body = call(token_for("editor", "read"), "get", f"/claims/{claim.pk}").json()
    assert body["status"] == "verified" and body["version"] == 2
    assert body["sources"][0]["url"] == "https://stats.example.org/t1"
    assert body["sources"][0]["added_by"] == "rita"
    assert [(h["from_status"], h["to_status"], h["changed_by"]) for h in body["history"]] == [
        ("unreviewed", "verified", "rita")
    ]
    assert "matches" not in body
    assert call(token_for("reviewer", "read"), "get", "/claims/999999").status_code == 404


def test_a_claim_says_whether_its_speaker_is_a_person_or_an_organisation():
    ministry = ClaimFactory(speaker="the interior ministry", speaker_kind="organisation")
    token = token_for("editor", "read")
    assert call(token, "get", f"/claims/{ministry.pk}").json()["speaker_kind"] == "organisation"
    listed = call(token, "get", "/claims").json()["items"]
    assert [c["speaker_kind"] for c in listed if c["id"] == ministry.pk] == ["organisation"]
    schema = call(token, "get", "/openapi.json").json()
    assert "speaker_kind" in schema["components"]["schemas"]["ClaimOut"]["properties"]


# --- a status change: the dashboard's rules and version check ---------------------------


def test_a_status_change_follows_the_dashboards_rules_and_version_check(
    django_capture_on_commit_callbacks,
):
    claim = ClaimFactory()
    raw = token_for("reviewer", "write")
    path = f"/claims/{claim.pk}/status"
    with django_capture_on_commit_callbacks(execute=False):
        refused = call(raw, "post", path, {"status": "verified", "version": 1})
        assert (
            refused.status_code == 422 and "needs at least one source" in refused.json()["detail"]
        )
        done = call(
            raw, "post", path, {"status": "verified", "version": 1, "source_title": "ONS, May 2024"}
        )
        assert done.status_code == 200
        assert (done.json()["status"], done.json()["version"]) == ("verified", 2)
        # A second client that read version 1 is told of the conflict and shown the fresh claim.
        late = call(
            token_for("desk chief", "write"),
            "post",
            path,
            {"status": "disputed", "version": 1, "note": "no"},
        )
    assert late.status_code == 409
    assert "changed this claim" in late.json()["detail"]
    assert (late.json()["claim"]["status"], late.json()["claim"]["version"]) == ("verified", 2)
    assert StatusChange.objects.filter(claim=claim).count() == 1
    assert call(raw, "post", path, {"status": "maybe", "version": 2}).status_code == 422
    assert call(raw, "post", path, {"status": "disputed"}).status_code == 422  # no version
    assert (
        call(
            raw, "post", "/claims/999999/status", {"status": "disputed", "version": 1, "note": "x"}
        ).status_code
        == 404
    )


# --- articles in, and their jobs ---------------------------------------------------------


def test_an_article_posted_as_text_is_stored_and_its_job_followed(
    settings, django_capture_on_commit_callbacks
):
    raw = token_for("editor", "write")
    text = "Bridge Reopens\n\nKARVEN, June 2 (Valley Post) – The bridge reopened on Monday after repairs that cost 4 million euros."
    with django_capture_on_commit_callbacks(execute=False):
        created = call(
            raw, "post", "/articles", {"text": text, "url": "https://valley.example.org/bridge"}
        )
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Bridge Reopens" and body["outlet"] == "Valley Post"
    assert body["job"]["state"] == "queued"
    job = Client().get(body["job"]["url"], headers={"Authorization": f"Bearer {raw}"})
    assert job.status_code == 200 and job.json()["article_id"] == body["id"]
    again = call(raw, "post", "/articles", {"text": text})
    assert again.status_code == 409 and again.json()["article_id"] == body["id"]
    assert call(raw, "post", "/articles", {"text": "  "}).status_code == 422
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    huge = call(raw, "post", "/articles", {"text": "x" * 2000})
    assert huge.status_code == 413 and "larger than 1,000 bytes" in huge.json()["detail"]
    broken = Client().post(
        f"{API}/articles",
        b"\xff{",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert broken.status_code == 400
    assert (
        call(raw, "post", "/articles", {"text": "x", "url": "javascript:alert(1)"}).status_code
        == 422
    )
    assert call(raw, "get", f"/articles/{body['id']}").json()["claim_count"] == 0


def test_an_article_posted_as_a_url_is_fetched_in_the_background_and_followed(
    web, django_capture_on_commit_callbacks
):
    web.expect_request("/story").respond_with_data(article_page(4), content_type="text/html")
    raw = token_for("editor", "write")
    with django_capture_on_commit_callbacks(execute=False) as sends:
        accepted = call(raw, "post", "/articles", {"url": web.url_for("/story")})
    assert accepted.status_code == 202 and len(sends) == 1  # handed to a worker on commit
    body = accepted.json()
    assert body["state"] == "pending" and body["article_id"] is None
    with django_capture_on_commit_callbacks(execute=False):
        services.page_import_run(page_id=body["id"])  # what the worker does
    status = Client().get(body["status_url"], headers={"Authorization": f"Bearer {raw}"}).json()
    assert status["state"] == "imported" and status["article_id"]
    assert status["job"]["state"] == "queued"
    assert PageImport.objects.get().requested_by.username == "editor-write"
    assert call(raw, "post", "/articles", {"url": "file:///etc/passwd"}).status_code == 422
    assert call(raw, "post", "/articles", {}).status_code == 422


# --- throttling and the schema ---------------------------------------------------------


def test_each_token_is_throttled_on_its_own_in_the_shared_redis(settings, redis_server):
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        },
    }
    settings.NEWSFACTS_API_THROTTLE = "3/min"
    busy, other = token_for("reviewer", "read"), token_for("editor", "read")
    assert [call(busy, "get", "/claims").status_code for _ in range(3)] == [200, 200, 200]
    throttled = call(busy, "get", "/claims")
    assert throttled.status_code == 429 and 0 < int(throttled["Retry-After"]) <= 60
    assert call(other, "get", "/claims").status_code == 200


def test_a_rate_counter_that_is_down_lets_requests_through(settings):
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    settings.NEWSFACTS_API_THROTTLE = "1/min"
    raw = token_for("reviewer", "read")
    assert [call(raw, "get", "/claims").status_code for _ in range(2)] == [200, 200]


def test_the_schema_and_docs_page_are_served_to_the_desk_and_to_tokens(client):
    raw = token_for("reviewer", "read")
    schema = Client().get(f"{API}/openapi.json", headers={"Authorization": f"Bearer {raw}"})
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/claims",
        "/api/v1/claims/{claim_id}",
        "/api/v1/claims/{claim_id}/status",
        "/api/v1/articles",
        "/api/v1/jobs/{job_id}",
        "/api/v1/imports/{import_id}",
    } <= set(document["paths"])
    assert (
        "BearerAuth" in str(document["components"]["securitySchemes"])
        or document["components"]["securitySchemes"]
    )
    anonymous = client.get(f"{API}/docs")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    assert client.get(f"{API}/openapi.json").status_code == 302
    client.force_login(UserFactory(username="viewer", role="editor"))
    page = client.get(f"{API}/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content
    assert b"cdn." not in page.content  # scripts from our own static files, as the CSP wants


def test_a_session_opens_no_api_so_no_page_can_forge_a_call_with_it(
    client, django_capture_on_commit_callbacks
):
    """The API takes tokens only: a signed-in browser's cookie gets 401, so a hostile page
    cannot ride the session (and token calls need no CSRF token: nothing rides on them)."""
    claim = ClaimFactory()
    client.force_login(UserFactory(username="rita", role="reviewer"))
    status = {"status": "disputed", "version": 1, "note": "n"}
    assert client.get(f"{API}/claims").status_code == 401
    assert (
        client.post(
            f"{API}/claims/{claim.pk}/status", status, content_type="application/json"
        ).status_code
        == 401
    )
    raw = token_for("reviewer", "write")
    strict = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    with django_capture_on_commit_callbacks(execute=False):
        response = strict.post(
            f"{API}/claims/{claim.pk}/status", status, content_type="application/json"
        )
    assert response.status_code == 200
