"""The article view: highlighted text, progress, and the partial that refreshes it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

BODY = (
    "Officials said 340 ships waited offshore.\n\n"
    "The union agreed to a 6.5 percent pay rise. Talks resume in June."
)


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    return client


def claim_at(article, text, **kwargs):
    start = article.body.index(text)
    return ClaimFactory(article=article, text=text, start=start, end=start + len(text), **kwargs)


@pytest.fixture
def article():
    article = ArticleFactory(body=BODY, title="Harbour strike ends")
    claim_at(article, "340 ships waited offshore", status="verified")
    claim_at(article, "6.5 percent pay rise")
    claim_at(article, "Talks resume in June", status="disputed")
    return article


def test_it_needs_login_and_a_role(client, article):
    urls = [
        reverse("claims-article", args=[article.pk]),
        reverse("claims-article-text", args=[article.pk]),
    ]
    for url in urls:
        assert client.get(url).url.startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.get(url, headers=HTMX).status_code == 403


def test_the_article_is_highlighted_by_offsets_and_status(reviewer_client, article):
    html = reviewer_client.get(reverse("claims-article", args=[article.pk])).content.decode()
    verified, unreviewed, disputed = article.claims.order_by("start")
    assert f'<a class="hl status-verified" id="claim-{verified.pk}"' in html
    assert f'<a class="hl status-unreviewed" id="claim-{unreviewed.pk}"' in html
    assert f'<a class="hl status-disputed" id="claim-{disputed.pk}"' in html
    assert ">340 ships waited offshore</a>." in html
    # The paragraph break is kept: two paragraphs of text.
    body = html.split("data-keyboard-text>")[1].split("</div>")[0]
    assert body.count("<p data-at=") == 2
    assert "<b data-reviewed>2</b> of 3 claims reviewed" in html
    assert '<progress id="review-progress" max="3" value="2">' in html
    assert "Choose a highlighted claim" in html


def test_a_claim_in_the_url_opens_its_panel_without_javascript(reviewer_client, article):
    claim = article.claims.get(status="disputed")
    html = reviewer_client.get(
        reverse("claims-article", args=[article.pk]), {"claim": claim.pk}
    ).content.decode()
    assert f'id="review-panel" class="panel status-disputed" data-claim="{claim.pk}"' in html
    assert 'class="hl status-disputed current"' in html
    assert f'action="{reverse("claims-set-status", args=[claim.pk])}"' in html


def test_a_claim_of_another_article_is_not_opened(reviewer_client, article):
    other = ClaimFactory()
    html = reviewer_client.get(
        reverse("claims-article", args=[article.pk]), {"claim": other.pk}
    ).content.decode()
    assert "Choose a highlighted claim" in html


def test_the_text_partial_needs_htmx(reviewer_client, article):
    url = reverse("claims-article-text", args=[article.pk])
    response = reviewer_client.get(url, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="article-text"')
    assert 'hx-trigger="claimChanged from:body, jobFinished from:body"' in html
    assert "HX-Request" in response["Vary"]
    response = reviewer_client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("claims-article", args=[article.pk])


def test_article_text_is_escaped_never_trusted(reviewer_client):
    article = ArticleFactory(body='He said <script>alert("x")</script> & 5 < 6.', title="<i>t</i>")
    claim_at(article, '<script>alert("x")</script>')
    html = reviewer_client.get(reverse("claims-article", args=[article.pk])).content.decode()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a>" in html
    assert "&amp; 5 &lt; 6." in html
    assert "<i>t</i>" not in html


def test_the_article_page_costs_the_same_queries_for_5_and_50_claims(
    reviewer_client, django_assert_num_queries
):
    User = get_user_model()
    article = ArticleFactory(
        body=" ".join(f"Sentence {n} has 1,{n:03d} people." for n in range(60))
    )
    JobFactory(article=article, state="done", claim_count=1)

    def add_claims(first, last):
        for n in range(first, last):
            text = f"Sentence {n} has 1,{n:03d} people."
            claim_at(article, text, assignee=User.objects.create(username=f"u{n}"))

    add_claims(0, 5)
    selected = article.claims.first()
    url = reverse("claims-article", args=[article.pk])
    reviewer_client.get(url)
    # session, user, permissions (one query), article, status counts, claim spans (the page's
    # parts), the part's claims, job, panel claim + sources + history, + rating history +
    # comments + the rating scale, and the claim's matches (the desk's memory)
    with django_assert_num_queries(15) as five:
        reviewer_client.get(url, {"claim": selected.pk})
    add_claims(5, 50)
    with django_assert_num_queries(len(five.captured_queries)):
        html = reviewer_client.get(url, {"claim": selected.pk}).content.decode()
    assert html.count('class="hl ') == 50


def test_overlapping_claims_are_listed_not_nested(reviewer_client, article):
    inner = claim_at(article, "340 ships")
    html = reviewer_client.get(reverse("claims-article", args=[article.pk])).content.decode()
    assert f'class="hl status-unreviewed" id="claim-{inner.pk}"' not in html
    assert "Not highlighted (overlapping another claim)" in html
    # Its link still carries the anchor that claim links (CSV, ClaimReview) point at.
    assert f'id="claim-{inner.pk}" data-claim' in html
    assert f'data-claim="{inner.pk}" href="?claim={inner.pk}#review-panel"' in html


def test_orphaned_claims_are_left_out(reviewer_client, article):
    orphan = claim_at(article, "The union agreed", is_orphaned=True)
    html = reviewer_client.get(reverse("claims-article", args=[article.pk])).content.decode()
    assert f'id="claim-{orphan.pk}"' not in html
    assert Claim.objects.filter(article=article, is_orphaned=False).count() == 3


def test_a_claim_link_opens_the_article_with_that_claim_selected(reviewer_client, article):
    # Issue 15: claim links pointed at #claim-<id>, which no element had.
    claim = Claim.objects.filter(article=article).first()
    path, _, anchor = claim.get_absolute_url().partition("#")
    html = reviewer_client.get(path).content.decode()
    assert f'id="{anchor}"' in html  # the highlight to scroll to
    assert (
        f'<section id="review-panel" class="panel status-{claim.status}" data-claim="{claim.pk}"'
        in html
    )
    assert f'id="claim-{claim.pk}" data-claim' in html or f'current" id="claim-{claim.pk}"' in html


# --- issue 15: after an upload, the notice and the claim list follow the job -------------


def test_the_upload_notice_is_replaced_when_the_job_finishes(client):
    editor = UserFactory(username="ed", role="editor")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_article_add"),
        {"text": "Harbour strike ends\n\nOfficials said 340 ships waited offshore.", "title": ""},
        follow=True,
    )
    page = response.content.decode()
    assert 'id="extraction-notice"' in page and "extracting its claims now" in page
    article = Article.objects.get()
    url = reverse("claims-article-job", args=[article.pk])
    job = article.jobs.get()
    running = client.get(url, headers=HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in running and "extraction-notice" not in running
    job.state, job.claim_count = "done", 1
    job.save()
    done = client.get(url, headers=HTMX)
    html = done.content.decode()
    assert 'id="extraction-notice"' in html and 'hx-swap-oob="true"' in html
    assert "Extraction finished: 1 claim found." in html
    assert "every 2s" not in html  # the polling stops
    assert "jobFinished" in done["HX-Trigger"]


def test_the_claim_list_beside_the_text_reloads_when_the_job_finishes(reviewer_client):
    article = ArticleFactory(body=BODY)
    JobFactory(article=article, state="running")
    page = reviewer_client.get(reverse("claims-article", args=[article.pk])).content.decode()
    index_url = reverse("claims-article-index", args=[article.pk])
    assert f'hx-get="{index_url}" hx-trigger="jobFinished from:body"' in page
    claim = claim_at(article, "340 ships waited offshore")
    html = reviewer_client.get(index_url, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<section id="review-panel"')
    assert f'data-claim="{claim.pk}"' in html
    plain = reviewer_client.get(index_url)
    assert plain.status_code == 302 and plain.url == article.get_absolute_url()
