"""ClaimReview JSON-LD: the document field by field, the rating map, the feeds, permissions."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from claims.exports import claimreview
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
REVIEWED = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def chief(client):
    client.force_login(UserFactory(username="dora", role="desk chief"))
    return client


@pytest.fixture
def geneva():
    return ArticleFactory(
        title="Syria talks: Geneva-2 planned",
        outlet="Reuters",
        url="https://example.org/geneva",
        published_date=datetime.date(2013, 5, 28),
    )


def verdict(article, status=Claim.Status.VERIFIED, **fields) -> Claim:
    defaults = {
        "text": "More than 80,000 people have died and hundreds of thousands fled Syria since fighting broke out in March 2011",
        "summary": "80,000+ people died since March 2011",
        "speaker": "Ban Ki-moon",
        "entities": [{"text": "Ban Ki-moon", "label": "PERSON"}],
        "reviewed_at": REVIEWED,
    }
    return ClaimFactory(article=article, status=status, **{**defaults, **fields})


def check_google_shape(doc: dict) -> None:
    """Google's fact-check requirements: required fields present and well formed."""
    assert doc["@context"] == "https://schema.org"
    assert doc["@type"] == "ClaimReview"
    assert isinstance(doc["claimReviewed"], str) and doc["claimReviewed"]
    assert urlparse(doc["url"]).scheme in ("http", "https") and urlparse(doc["url"]).netloc
    rating = doc["reviewRating"]
    assert rating["@type"] == "Rating"
    assert isinstance(rating["alternateName"], str) and rating["alternateName"]
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert rating["worstRating"] < rating["bestRating"]
    assert all(isinstance(rating[k], int) for k in ("ratingValue", "bestRating", "worstRating"))
    datetime.date.fromisoformat(doc["datePublished"])
    assert doc["author"]["@type"] == "Organization" and doc["author"]["name"]
    item = doc["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["appearance"]["@type"] == "CreativeWork"
    # The rating is in reviewRating, never in the claim's summary.
    assert rating["alternateName"] not in doc["claimReviewed"]


def test_a_verified_claim_is_a_valid_claimreview_field_by_field(chief, geneva, settings):
    settings.NEWSFACTS_ORGANISATION = "Daily Planet fact desk"
    settings.NEWSFACTS_ORGANISATION_URL = "https://planet.example/factcheck"
    claim = verdict(geneva)
    response = chief.get(f"/claims/{claim.pk}/claimreview.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    doc = json.loads(response.content)
    assert doc == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"http://testserver/articles/{geneva.pk}/?claim={claim.pk}#claim-{claim.pk}",
        "claimReviewed": "More than 80,000 people have died and hundreds of thousands fled Syria…",
        "datePublished": "2024-03-01",
        "author": {
            "@type": "Organization",
            "name": "Daily Planet fact desk",
            "url": "https://planet.example/factcheck",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 5,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Accurate",
            "name": "Accurate",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Ban Ki-moon"},
            "datePublished": "2013-05-28",
            "appearance": {
                "@type": "CreativeWork",
                "headline": "Syria talks: Geneva-2 planned",
                "url": "https://example.org/geneva",
                "datePublished": "2013-05-28",
                "publisher": {"@type": "Organization", "name": "Reuters"},
            },
        },
    }
    check_google_shape(doc)
    assert len(doc["claimReviewed"]) < 75


def test_a_disputed_claim_is_rated_disputed(chief, geneva):
    claim = verdict(geneva, status=Claim.Status.DISPUTED)
    doc = chief.get(f"/claims/{claim.pk}/claimreview.json").json()
    check_google_shape(doc)
    assert doc["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Disputed",
        "name": "Disputed",
    }


@pytest.mark.parametrize("status", [Claim.Status.SOURCED, Claim.Status.UNREVIEWED])
def test_claims_without_a_verdict_are_not_published(chief, geneva, status):
    claim = verdict(geneva, status=status)
    response = chief.get(f"/claims/{claim.pk}/claimreview.json")
    assert response.status_code == 404
    assert "only rated, verified and disputed" in response.json()["error"]


def test_an_unknown_claim_is_404(chief):
    assert chief.get("/claims/999999/claimreview.json").status_code == 404


def test_it_sends_anonymous_users_to_login(client, geneva):
    claim = verdict(geneva)
    for url in (f"/claims/{claim.pk}/claimreview.json", "/export/claimreview.json",
                f"/articles/{geneva.pk}/claimreview.json"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_refuses_users_without_a_role(client, geneva):
    claim = verdict(geneva)
    client.force_login(UserFactory(username="nobody"))
    for url in (f"/claims/{claim.pk}/claimreview.json", "/export/claimreview.json",
                f"/articles/{geneva.pk}/claimreview.json"):  # fmt: skip
        assert client.get(url).status_code == 403


def test_the_routes_are_named(geneva):
    claim = verdict(geneva)
    assert reverse("claims-claimreview", args=[claim.pk]) == f"/claims/{claim.pk}/claimreview.json"
    assert reverse("claims-claimreview-feed") == "/export/claimreview.json"
    assert reverse("claims-article-claimreview", args=[geneva.pk]) == (
        f"/articles/{geneva.pk}/claimreview.json"
    )


def test_claim_reviewed_is_the_claims_own_words_cut_only_where_needed(geneva):
    # Issue 15: the summary was cut mid-phrase ("...after ridership rose by..."); the
    # claim's own words are used, whole when short enough.
    short = verdict(
        geneva, text="Prices rose 3 percent", summary="Prices rose by…", fingerprint="a"
    )
    assert claimreview.claim_reviewed_text(short) == "Prices rose 3 percent"
    spaced = verdict(geneva, text="Exports  fell\n by half", summary="", fingerprint="c")
    assert claimreview.claim_reviewed_text(spaced) == "Exports fell by half"
    long = verdict(
        geneva,
        text="Bus fares went up in January after ridership rose by 12 percent over the year "
        "to December, the transit authority said",
        summary="Fares up after ridership rose by",
        fingerprint="b",
    )
    cut = claimreview.claim_reviewed_text(long)
    assert cut == "Bus fares went up in January after ridership rose by 12 percent over the…"
    assert len(cut) < 75 and long.text.startswith(cut.removesuffix("…"))
    clause = verdict(
        geneva,
        text="The council approved the budget, which adds 40 buses and two routes, after a "
        "long debate on Tuesday night",
        fingerprint="d",
    )
    # A clause that ends late enough is a better place to stop than mid-clause.
    assert claimreview.claim_reviewed_text(clause) == (
        "The council approved the budget, which adds 40 buses and two routes…"
    )


def test_the_claims_author_is_the_speaker_or_the_outlet(chief, geneva):
    un = verdict(geneva, speaker="the United Nations",
                 entities=[{"text": "the United Nations", "label": "ORG"}], fingerprint="un")  # fmt: skip
    nobody = verdict(geneva, speaker="", entities=[], fingerprint="nobody")
    assert chief.get(f"/claims/{un.pk}/claimreview.json").json()["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "the United Nations",
    }
    assert chief.get(f"/claims/{nobody.pk}/claimreview.json").json()["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Reuters",
    }


def test_the_authors_type_follows_the_speaker_kind_the_engine_recorded(chief, geneva):
    # The small model labels many surnames ORG: the engine's kind wins over the label.
    lavrov = verdict(geneva, speaker="Lavrov", speaker_kind="person",
                     entities=[{"text": "Lavrov", "label": "ORG"}], fingerprint="lavrov")  # fmt: skip
    ministry = verdict(geneva, speaker="the interior ministry", speaker_kind="organisation",
                       entities=[], fingerprint="ministry")  # fmt: skip
    author = {
        c.pk: chief.get(f"/claims/{c.pk}/claimreview.json").json()["itemReviewed"]["author"]
        for c in (lavrov, ministry)
    }
    assert author[lavrov.pk] == {"@type": "Person", "name": "Lavrov"}
    assert author[ministry.pk] == {"@type": "Organization", "name": "the interior ministry"}


def test_an_article_without_url_or_date_still_gives_a_valid_document(chief):
    article = ArticleFactory(url="", published_date=None, outlet="")
    claim = verdict(article, speaker="", entities=[])
    doc = chief.get(f"/claims/{claim.pk}/claimreview.json").json()
    check_google_shape(doc)
    assert doc["itemReviewed"] == {
        "@type": "Claim",
        "appearance": {"@type": "CreativeWork", "headline": article.title},
    }
    assert "url" not in doc["author"]  # no NEWSFACTS_ORGANISATION_URL in tests


def test_the_feed_lists_verdicts_under_the_dashboards_filters(chief, geneva):
    other = ArticleFactory(outlet="AFP")
    verified = verdict(geneva, fingerprint="v", score=0.9)
    disputed = verdict(geneva, status="disputed", fingerprint="d", score=0.8)
    verdict(geneva, status="sourced", fingerprint="s")
    verdict(geneva, status="unreviewed", fingerprint="u")
    afp = verdict(other, fingerprint="afp", score=0.7)
    response = chief.get("/export/claimreview.json")
    assert response.streaming and response["Content-Type"] == "application/ld+json"
    docs = json.loads(b"".join(response.streaming_content))
    for doc in docs:
        check_google_shape(doc)
    ids = [int(doc["url"].rsplit("-", 1)[1]) for doc in docs]
    assert ids == [verified.pk, disputed.pk, afp.pk]  # the dashboard's sort: score, highest first

    def feed(params):
        body = b"".join(chief.get("/export/claimreview.json", params).streaming_content)
        return [int(doc["url"].rsplit("-", 1)[1]) for doc in json.loads(body)]

    assert feed({"outlet": "AFP"}) == [afp.pk]
    assert feed({"status": "disputed"}) == [disputed.pk]
    assert feed({"status": "sourced"}) == []
    assert feed({"article": geneva.pk}) == [verified.pk, disputed.pk]


def test_the_article_feed(chief, geneva):
    claims = [verdict(geneva, fingerprint=str(i), start=30 - 10 * i) for i in range(3)][::-1]
    verdict(geneva, status="unreviewed", fingerprint="x")
    body = b"".join(chief.get(f"/articles/{geneva.pk}/claimreview.json").streaming_content)
    docs = json.loads(body)
    assert [doc["url"] for doc in docs] == [
        f"http://testserver/articles/{geneva.pk}/?claim={c.pk}#claim-{c.pk}" for c in claims
    ]
    assert chief.get("/articles/999999/claimreview.json").status_code == 404


def test_the_feed_streams_many_documents_as_one_array():
    docs = ({"n": i, "text": "é"} for i in range(450))
    text = "".join(claimreview.json_array_chunks(docs, per_chunk=200))
    assert json.loads(text) == [{"n": i, "text": "é"} for i in range(450)]
    assert json.loads("".join(claimreview.json_array_chunks(iter([])))) == []


def test_the_feed_makes_no_query_per_claim(chief, geneva, django_assert_max_num_queries):
    for i in range(30):
        verdict(geneva, fingerprint=f"q{i}")
    with django_assert_max_num_queries(6):
        body = b"".join(chief.get("/export/claimreview.json").streaming_content)
    assert len(json.loads(body)) == 30


# --- the desk's rating scale (issue 15) ----------------------------------------------------


def rate(claim, name, explanation="Checked against the ministry's table."):
    from claims import services
    from claims.models import VerdictRating

    reviewer = UserFactory(username="rater", role="reviewer")
    claim.refresh_from_db()
    services.claim_set_rating(
        claim_id=claim.pk,
        user=reviewer,
        rating_id=VerdictRating.objects.get(name=name).pk,
        explanation=explanation,
        expected_version=claim.version,
    )


def test_a_rated_claim_publishes_its_rating_on_the_desks_scale(chief, geneva):
    claim = verdict(geneva, status=Claim.Status.SOURCED)  # a rating is a verdict of its own
    rate(claim, "Mostly true", "Right toll, but the UN counts differently.")
    doc = chief.get(f"/claims/{claim.pk}/claimreview.json").json()
    check_google_shape(doc)
    assert doc["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mostly true",
        "name": "Mostly true",
        "ratingExplanation": "Right toll, but the UN counts differently.",
    }
    body = b"".join(chief.get("/export/claimreview.json").streaming_content)
    assert [d["reviewRating"]["alternateName"] for d in json.loads(body)] == ["Mostly true"]


def test_the_best_and_worst_follow_the_scale_the_desk_configured(chief, geneva):
    from claims.models import VerdictRating

    VerdictRating.objects.create(name="Pants on fire", value=0, order=7)
    claim = verdict(geneva)
    rate(claim, "False")
    rating = chief.get(f"/claims/{claim.pk}/claimreview.json").json()["reviewRating"]
    assert (rating["worstRating"], rating["ratingValue"], rating["bestRating"]) == (0, 1, 5)


def test_a_rating_off_the_scale_is_published_by_its_name_alone(chief, geneva):
    claim = verdict(geneva)
    rate(claim, "Unproven")
    rating = chief.get(f"/claims/{claim.pk}/claimreview.json").json()["reviewRating"]
    assert rating["alternateName"] == "Unproven"
    assert "ratingValue" not in rating and "bestRating" not in rating
