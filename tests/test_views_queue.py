"""The queue at /: filters, keyset pages, counters, live jobs, with and without htmx."""

import re
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
HTMX = {"HX-Request": "true"}


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    return client


def claims_in(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="claim-(\d+)"', html)]


def next_cursor(html: str) -> str:
    found = re.search(r'rel="next" href="[^"]*[?&amp;]after=([^"&]+)', html)
    return unquote(found.group(1)) if found else ""


def test_it_sends_anonymous_users_to_login(client):
    for name in ("claims-queue", "claims-counts", "claims-jobs-live", "claims-overview"):
        response = client.get(reverse(name), headers=HTMX)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_refuses_users_without_a_role(client):
    client.force_login(UserFactory(username="nobody"))
    for name in ("claims-queue", "claims-counts", "claims-jobs-live", "claims-overview"):
        assert client.get(reverse(name)).status_code == 403
        assert client.get(reverse(name), headers=HTMX).status_code == 403


def test_the_queue_lists_claims_with_counts(reviewer_client):
    ClaimFactory(summary="80,000+ people died since March 2011", status="verified")
    ClaimFactory(summary="Talks planned for mid-June", speaker="Lakhdar Brahimi")
    response = reviewer_client.get(reverse("claims-queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "80,000+ people died since March 2011" in html
    assert "Lakhdar Brahimi" in html and "Test Wire" in html
    assert '<b data-count="verified">1</b>' in html
    assert '<b data-count="unreviewed">1</b>' in html
    assert '<b data-count="all">2</b>' in html


def test_filters_return_only_the_table_for_htmx(reviewer_client):
    ClaimFactory(summary="Shown statistic", type=Claim.Type.STATISTIC)
    ClaimFactory(summary="Hidden quote", type=Claim.Type.QUOTE)
    response = reviewer_client.get(reverse("claims-queue"), {"type": "statistic"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="claim-table"')
    assert "Shown statistic" in html and "Hidden quote" not in html
    assert "HX-Request" in response["Vary"]
    # The table refreshes itself with the same filters after a bulk change.
    assert 'hx-get="/?type=statistic"' in html


def test_a_history_restore_gets_the_whole_page(reviewer_client):
    ClaimFactory()
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = reviewer_client.get(reverse("claims-queue"), headers=headers).content.decode()
    assert "<html" in html and 'id="claim-table"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "disputed"}, "disputed one"),
        ({"outlet": "reuters"}, "reuters one"),
        ({"speaker": "brahimi"}, "speaker one"),
        ({"q": "needle"}, "search one"),
        ({"score_min": "0.9"}, "high one"),
        ({"score_max": "0.1"}, "low one"),
        ({"assignee": "none", "status": "sourced"}, "unassigned sourced"),
    ],
)
def test_each_filter_narrows_the_list(reviewer_client, params, expected):
    ClaimFactory(summary="disputed one", status="disputed", score=0.5)
    ClaimFactory(summary="reuters one", article=ArticleFactory(outlet="Reuters"), score=0.5)
    ClaimFactory(summary="speaker one", speaker="Lakhdar Brahimi", score=0.5)
    ClaimFactory(summary="search one", text="a needle in the text", score=0.5)
    ClaimFactory(summary="high one", score=0.95)
    ClaimFactory(summary="low one", score=0.05)
    ClaimFactory(summary="unassigned sourced", status="sourced", score=0.5)
    ClaimFactory(
        summary="assigned sourced", status="sourced", assignee=UserFactory(username="x"), score=0.5
    )
    html = reviewer_client.get(reverse("claims-queue"), params, headers=HTMX).content.decode()
    assert len(claims_in(html)) == 1
    assert expected in html


def test_my_queue_is_the_assignee_filter(reviewer_client):
    me = reviewer_client.get(reverse("claims-queue")).context["user"]
    ClaimFactory(summary="mine", assignee=me)
    ClaimFactory(summary="theirs", assignee=UserFactory(username="sam"))
    html = reviewer_client.get(reverse("claims-queue"), {"assignee": me.pk}).content.decode()
    assert "mine" in html and "theirs" not in html
    assert f'href="/?assignee={me.pk}&amp;status=unreviewed">My queue' in html


def test_keyset_pages_walk_every_claim_once_in_order(reviewer_client, monkeypatch):
    monkeypatch.setattr("claims.views.QUEUE_PAGE_SIZE", 3)
    article = ArticleFactory()
    for n, score in enumerate([0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.1]):
        ClaimFactory(article=article, text=f"claim {n}", score=score)
    expected = list(Claim.objects.order_by("-score", "-id").values_list("pk", flat=True))
    seen, params = [], {}
    for _ in range(5):
        response = reviewer_client.get(reverse("claims-queue"), params, headers=HTMX)
        html = response.content.decode()
        seen += claims_in(html)
        assert ("First page" in html) == bool(params)
        cursor = next_cursor(html)
        if not cursor:
            break
        params = {"after": cursor}
    assert seen == expected


def test_keyset_pages_by_date_ascending(reviewer_client, monkeypatch):
    monkeypatch.setattr("claims.views.QUEUE_PAGE_SIZE", 2)
    claims = [ClaimFactory(text=f"claim {n}") for n in range(5)]
    seen, params = [], {"sort": "date"}
    while True:
        response = reviewer_client.get(reverse("claims-queue"), params, headers=HTMX)
        html = response.content.decode()
        seen += claims_in(html)
        if not next_cursor(html):
            break
        params = {"sort": "date", "after": next_cursor(html)}
    assert seen == [c.pk for c in claims]


def test_a_mangled_cursor_shows_the_first_page(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.get(reverse("claims-queue"), {"after": "1e999_x"})
    assert response.status_code == 200
    assert claims_in(response.content.decode()) == [claim.pk]


def test_the_queue_page_costs_the_same_queries_for_5_and_50_claims(
    reviewer_client, django_assert_num_queries
):
    def fill(n):
        article = ArticleFactory()
        for i in range(n):
            assignee = User.objects.create(username=f"u{n}-{i}")  # no password: fast
            ClaimFactory(article=article, text=f"claim {i}", assignee=assignee)

    fill(5)
    reviewer_client.get(reverse("claims-queue"))  # warm the session
    with django_assert_num_queries(8) as five:
        reviewer_client.get(reverse("claims-queue"))
    fill(45)
    with django_assert_num_queries(len(five.captured_queries)):
        html = reviewer_client.get(reverse("claims-queue")).content.decode()
    assert len(claims_in(html)) == 50


def test_the_counters_link_each_status_and_draw_only_the_statuses_present(reviewer_client):
    # Written in Python (claims/templatetags/queue_row.py), as the template wrote them.
    ClaimFactory(status="verified", summary="<b>bold</b> & co")
    ClaimFactory(status="unreviewed")
    ClaimFactory(status="unreviewed")
    html = reviewer_client.get(
        reverse("claims-counts"),
        {"status": "verified", "sort": "-date", "after": "x"},
        headers=HTMX,
    ).content.decode()
    assert (
        '<a class="count status-verified active" href="/?status=verified&amp;sort=-date">'
        'Verified <b data-count="verified">1</b></a>'
    ) in html
    assert (
        '<a class="count status-sourced" href="/?status=sourced&amp;sort=-date">'
        'Sourced <b data-count="sourced">0</b></a>'
    ) in html
    assert html.count("<rect ") == 2  # no slice for the statuses with no claim
    assert (
        '<rect class="fill-verified" x="0.0" y="0" width="33.333" height="3">'
        "<title>Verified: 1 (33.3 %)</title></rect>"
        '<rect class="fill-unreviewed" x="33.333" y="0" width="66.667" height="3">'
        "<title>Unreviewed: 2 (66.7 %)</title></rect>"
    ) in html


def test_counts_refresh_with_htmx_and_redirect_without(reviewer_client):
    ClaimFactory(status="verified")
    url = reverse("claims-counts") + "?type=statistic"
    response = reviewer_client.get(url, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="status-counts"')
    assert '<b data-count="verified">1</b>' in html
    assert 'hx-trigger="claimChanged from:body"' in html
    assert "HX-Request" in response["Vary"]
    response = reviewer_client.get(url)
    assert response.status_code == 302
    assert response.url == "/?type=statistic"


def test_live_jobs_poll_while_active_and_offer_retry_on_failure(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    running = JobFactory(state="running", article=ArticleFactory(title="Still extracting"))
    failed = JobFactory(state="failed", error="ValueError: bad bytes")
    JobFactory(state="done")
    page = client.get(reverse("claims-queue")).content.decode()
    assert "Still extracting" in page and "ValueError: bad bytes" in page
    assert 'hx-trigger="every 3s"' in page
    assert reverse("claims-job-retry", args=[failed.pk]) in page

    running.state = "done"
    running.save()
    partial = client.get(reverse("claims-jobs-live"), headers=HTMX)
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="jobs-live"')
    assert "Still extracting" not in html and "every 3s" not in html
    assert client.get(reverse("claims-jobs-live")).status_code == 302


def test_a_retried_failure_leaves_the_job_box(reviewer_client):
    failed = JobFactory(state="failed", error="boom")
    JobFactory(article=failed.article, state="done")
    assert "boom" not in reviewer_client.get(reverse("claims-queue")).content.decode()


def test_reviewers_see_no_retry_button(reviewer_client):
    failed = JobFactory(state="failed", error="boom")
    page = reviewer_client.get(reverse("claims-queue")).content.decode()
    assert "boom" in page
    assert reverse("claims-job-retry", args=[failed.pk]) not in page


def test_article_and_job_pages_keep_working(reviewer_client):
    job = JobFactory(state="running")
    url = reverse("claims-article-job", args=[job.article.pk])
    page = reviewer_client.get(reverse("claims-article", args=[job.article.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    partial = reviewer_client.get(url, headers=HTMX)
    assert partial.content.decode().lstrip().startswith('<div id="job-state"')
    assert "HX-Trigger" not in partial
    assert reviewer_client.get(url).status_code == 302


def test_a_finished_job_tells_the_page(reviewer_client):
    job = JobFactory(state="failed", error="ValueError: bad bytes")
    response = reviewer_client.get(
        reverse("claims-article-job", args=[job.article.pk]), headers=HTMX
    )
    assert "jobFinished" in response["HX-Trigger"]
    assert "ValueError: bad bytes" in response.content.decode()


def test_only_editors_may_retry_a_job(reviewer_client, client):
    job = JobFactory(state="failed")
    assert reviewer_client.post(reverse("claims-job-retry", args=[job.pk])).status_code == 403
    client.force_login(UserFactory(username="ed", role="editor"))
    response = client.post(reverse("claims-job-retry", args=[job.pk]))
    assert response.status_code == 302
    assert job.article.jobs.count() == 2


def test_untrusted_text_is_escaped(reviewer_client):
    ClaimFactory(
        summary="<script>alert(1)</script>",
        speaker="<img src=x onerror=alert(2)>",
        article=ArticleFactory(title="<b>title</b>", outlet="<i>o</i>"),
    )
    html = reviewer_client.get(reverse("claims-queue")).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "<b>title</b>" not in html and "<i>o</i>" not in html


def test_the_date_filters_and_sorts_say_which_date_they_use(client):
    from tests.factories import UserFactory as _Users

    client.force_login(_Users(username="dated", role="reviewer"))
    html = client.get("/").content.decode()
    assert "Published from" in html and "Published to" in html
    assert "Newest article (published)" in html and "Newest extracted" in html
    html = client.get("/", {"date_basis": "extracted"}).content.decode()
    assert "Extracted from" in html


def test_outlet_suggestions_load_when_asked_for_not_with_every_page(reviewer_client, client):
    ClaimFactory(article=ArticleFactory(outlet="Meridian News"))
    ClaimFactory(article=ArticleFactory(outlet="<i>Coastal</i> Wire"))
    ClaimFactory(article=ArticleFactory(outlet="Meridian News"))
    page = reviewer_client.get(reverse("claims-queue")).content.decode()
    url = reverse("claims-outlet-options")
    assert f'hx-get="{url}" hx-trigger="focus once"' in page
    assert '<option value="Meridian News">' not in page
    response = reviewer_client.get(url, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<option") == 2  # each outlet once
    assert '<option value="Meridian News">' in html
    assert "<i>" not in html and "&lt;i&gt;Coastal&lt;/i&gt; Wire" in html
    plain = reviewer_client.get(url)
    assert plain.status_code == 302 and plain.url == reverse("claims-queue")
    client.logout()
    assert client.get(url, headers=HTMX).status_code == 302  # to the login page
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url, headers=HTMX).status_code == 403
