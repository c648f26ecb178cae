"""The desk's memory in the review panel: past verdicts, the claim elsewhere, conflicting
figures; Apply this verdict, group judgement, rejecting a match. With and without htmx,
by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimMatch, FactCheck, Source, StatusChange
from claims.services import claim_set_status
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "More than 80,000 people have died in Syria since March 2011."


@pytest.fixture
def reviewer(client):
    user = UserFactory(username="rita", role="reviewer")
    client.force_login(user)
    return user


def fact_check(**fields):
    values = {
        "external_id": "fc-1",
        "text": "80,000 people have died in Syria since March 2011.",
        "rating": "Mostly false",
        "publisher": "Checker",
        "url": "https://checker.example.org/syria",
    }
    return FactCheck.objects.create(**{**values, **fields})


def claim_in(title, text=TEXT, **fields):
    article = ArticleFactory(title=title, body=f"{text}\n\n{title}")
    return ClaimFactory(article=article, text=text, **fields)


def pair(a, b, score=0.95, **fields):
    ClaimMatch.objects.create(claim=b, other_claim=a, score=score, topic=score, **fields)
    return ClaimMatch.objects.create(claim=a, other_claim=b, score=score, topic=score, **fields)


def panel(client, claim, htmx=True):
    headers = HTMX if htmx else {}
    return client.get(reverse("claims-panel", args=[claim.pk]), headers=headers)


def test_the_panel_shows_a_past_verdict_with_shared_words_marked(client, reviewer):
    claim = claim_in("Wire")
    fc = fact_check()
    ClaimMatch.objects.create(claim=claim, fact_check=fc, score=0.8, topic=0.8)
    html = panel(client, claim).content.decode()
    assert "Previously checked" in html
    assert "Mostly false" in html and "Checker" in html and fc.url in html
    assert "<mark>80,000 people have died in Syria since March 2011</mark>" in html
    assert "Apply this verdict" in html


def test_the_panel_shows_the_same_claim_elsewhere_and_conflicting_figures(client, reviewer):
    claim = claim_in("Ours")
    other = claim_in("Their article", text=TEXT.replace("More than", "Nearly"))
    low = claim_in("Low count", text=TEXT.replace("More than 80,000", "70,000"))
    pair(claim, other)
    conflict = [{"ours": "more than 80,000", "theirs": "70,000", "reason": "no overlap"}]
    ClaimMatch.objects.create(
        claim=claim, other_claim=low, score=0.3, topic=0.8, conflicts=conflict, has_conflict=True
    )
    html = panel(client, claim).content.decode()
    assert "Same claim elsewhere" in html and "Their article" in html
    assert "Conflicting figures" in html
    assert "<b>more than 80,000</b> here against <b>70,000</b>" in html and "Low count" in html


def test_a_plain_get_of_the_panel_redirects_to_the_article_page_showing_matches(client, reviewer):
    claim = claim_in("Wire")
    ClaimMatch.objects.create(claim=claim, fact_check=fact_check(), score=0.8, topic=0.8)
    response = panel(client, claim, htmx=False)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Previously checked" in page.content.decode()


def test_apply_this_verdict_copies_status_and_source_and_names_the_match(client, reviewer):
    claim = claim_in("Wire")
    match = ClaimMatch.objects.create(claim=claim, fact_check=fact_check(), score=0.8, topic=0.8)
    url = reverse("claims-match-apply", args=[claim.pk, match.pk])
    response = client.post(url, {"version": claim.version}, headers=HTMX)
    assert response.status_code == 200
    assert "claimChanged" in response["HX-Trigger"]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DISPUTED and claim.version == 2
    source = Source.objects.get(claim=claim)
    assert source.url == "https://checker.example.org/syria" and source.is_counter
    entry = StatusChange.objects.get(claim=claim)
    assert f"match {match.pk}" in entry.note and "Checker" in entry.note


def test_apply_this_verdict_from_a_desk_claim_copies_its_sources(client, reviewer):
    judged = claim_in("Old")
    claim_set_status(
        claim_id=judged.pk,
        user=reviewer,
        status="verified",
        expected_version=1,
        source_url="https://un.example.org/report",
    )
    claim = claim_in("New")
    match = pair(claim, judged)
    response = client.post(reverse("claims-match-apply", args=[claim.pk, match.pk]), {"version": 1})
    assert response.status_code == 302  # without htmx: back to the panel with a message
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED
    assert list(claim.sources.values_list("url", flat=True)) == ["https://un.example.org/report"]
    assert f"claim {judged.pk}" in claim.history.get().note


def test_apply_this_verdict_is_version_checked(client, reviewer):
    claim = claim_in("Wire")
    match = ClaimMatch.objects.create(claim=claim, fact_check=fact_check(), score=0.8, topic=0.8)
    Claim.objects.filter(pk=claim.pk).update(version=5)
    response = client.post(
        reverse("claims-match-apply", args=[claim.pk, match.pk]), {"version": 1}, headers=HTMX
    )
    assert "changed this claim while you were working on it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNREVIEWED
    assert not claim.sources.exists() and not claim.history.exists()


def test_group_judgement_applies_to_each_claim_with_its_own_history(client, reviewer):
    judged = claim_in("First")
    second, third = claim_in("Second"), claim_in("Third")
    pair(judged, second)
    pair(judged, third)
    claim_set_status(
        claim_id=judged.pk, user=reviewer, status="disputed", expected_version=1, note="UN says 70k"
    )
    html = panel(client, judged).content.decode()
    assert "Mark them disputed too" in html
    Claim.objects.filter(pk=third.pk).update(version=2)  # someone else got there first
    response = client.post(
        reverse("claims-group-apply", args=[judged.pk]),
        {"target": [f"{second.pk}:1", f"{third.pk}:1"]},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Marked 1 more claims disputed" in response.content.decode()
    assert f"claim {third.pk}" in response.content.decode()
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Claim.Status.DISPUTED and second.history.count() == 1
    assert f"claim {judged.pk}" in second.history.get().note
    assert third.status == Claim.Status.UNREVIEWED and not third.history.exists()


def test_a_rejected_match_is_not_offered_again_for_either_claim(client, reviewer):
    claim, other = claim_in("Ours"), claim_in("Theirs")
    match = pair(claim, other)
    response = client.post(reverse("claims-match-reject", args=[claim.pk, match.pk]), headers=HTMX)
    assert response.status_code == 200
    assert "Same claim elsewhere" not in response.content.decode()
    assert ClaimMatch.objects.filter(rejected_at__isnull=True).count() == 0
    assert "Theirs" not in panel(client, claim).content.decode()
    assert "Ours" not in panel(client, other).content.decode().split("memory")[-1]


def test_an_editor_may_see_matches_but_not_apply_or_reject(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    claim = claim_in("Wire")
    match = ClaimMatch.objects.create(claim=claim, fact_check=fact_check(), score=0.8, topic=0.8)
    html = panel(client, claim).content.decode()
    assert "Previously checked" in html and "Apply this verdict" not in html
    for name in ("claims-match-apply", "claims-match-reject"):
        response = client.post(reverse(name, args=[claim.pk, match.pk]), {"version": 1})
        assert response.status_code == 403
    assert client.post(reverse("claims-group-apply", args=[claim.pk])).status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNREVIEWED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    claim = claim_in("Wire")
    match = ClaimMatch.objects.create(claim=claim, fact_check=fact_check(), score=0.8, topic=0.8)
    response = client.post(reverse("claims-match-apply", args=[claim.pk, match.pk]))
    assert response.status_code == 302 and "login" in response.url


# --- the queue and the overview ---------------------------------------------------------------


def test_the_queue_filters_and_badges_claims_by_what_the_desk_knows(client, reviewer):
    with_verdict = claim_in("Has verdict")
    ClaimMatch.objects.create(claim=with_verdict, fact_check=fact_check(), score=0.8, topic=0.8)
    disputed = claim_in("Disputed before", status=Claim.Status.DISPUTED)
    repeat = claim_in("Repeat")
    pair(repeat, disputed)
    clash = claim_in("Clash")
    other = claim_in("Other figure")
    ClaimMatch.objects.create(
        claim=clash, other_claim=other, score=0.3, topic=0.8, has_conflict=True
    )
    rejected = claim_in("Rejected")
    ClaimMatch.objects.create(
        claim=rejected,
        fact_check=fact_check(external_id="fc-2"),
        score=0.9,
        rejected_at="2026-01-01T00:00Z",
    )
    plain = claim_in("Plain")

    def listed(memory, htmx):
        response = client.get(
            reverse("claims-queue"), {"memory": memory}, headers=HTMX if htmx else {}
        )
        assert response.status_code == 200
        html = response.content.decode()
        return {c.pk for c in Claim.objects.all() if f'id="claim-{c.pk}"' in html}, html

    found, html = listed("past_verdict", htmx=True)
    assert found == {with_verdict.pk, repeat.pk}  # a desk verdict counts as a past verdict
    assert "past verdict" in html
    found, html = listed("repeats_disputed", htmx=False)
    assert found == {repeat.pk}
    assert "repeats a disputed claim" in html and "<select" in html  # the whole page
    found, html = listed("conflict", htmx=True)
    assert found == {clash.pk}
    assert "conflicting figures" in html
    found, _ = listed("", htmx=True)
    assert plain.pk in found and rejected.pk in found


def test_the_overview_lists_repeats_of_disputed_claims(client, reviewer):
    disputed = claim_in("Disputed before", status=Claim.Status.DISPUTED)
    repeat = claim_in("Fresh repeat")
    pair(repeat, disputed)
    html = client.get(reverse("claims-overview")).content.decode()
    section = html.split("Repeats of disputed claims")[1]
    assert "Fresh repeat" in section and "Disputed before" in section


def _badges(html: str, claim: Claim) -> set[str]:
    """The memory badges in one claim's queue row."""
    start = html.index(f'<tr id="claim-{claim.pk}"')
    row = html[start : html.index("</tr>", start)]
    labels = ("past verdict", "repeats a disputed claim", "conflicting figures")
    return {label for label in labels if f">{label}</span>" in row}


def test_each_queue_row_carries_its_own_badges_and_keeps_them_after_a_status_change(
    client, reviewer
):
    disputed = claim_in("Disputed before", status=Claim.Status.DISPUTED)
    repeat = claim_in("Repeat")
    pair(repeat, disputed)
    checked = claim_in("Checked elsewhere")
    ClaimMatch.objects.create(claim=checked, fact_check=fact_check(), score=0.8, topic=0.8)
    weak = claim_in("Weak match")  # below SUGGEST: no badge, but a conflict still shows
    ClaimMatch.objects.create(
        claim=weak, fact_check=fact_check(external_id="fc-3"), score=0.2, has_conflict=True
    )
    rejected = claim_in("Rejected")
    ClaimMatch.objects.create(
        claim=rejected,
        fact_check=fact_check(external_id="fc-2"),
        score=0.9,
        rejected_at="2026-01-01T00:00Z",
    )
    html = client.get(reverse("claims-queue")).content.decode()
    # A disputed desk claim is itself a past verdict for its repeat.
    assert _badges(html, repeat) == {"past verdict", "repeats a disputed claim"}
    assert _badges(html, disputed) == set()  # its match is an unreviewed claim
    assert _badges(html, checked) == {"past verdict"}
    assert _badges(html, weak) == {"conflicting figures"}
    assert _badges(html, rejected) == set()

    for htmx in (True, False):
        repeat.refresh_from_db()
        response = client.post(
            reverse("claims-set-status", args=[repeat.pk]),
            {"status": "sourced", "version": repeat.version, "view": "row", "next": "/",
             "source_url": "https://stats.example.org/t1"},
            headers=HTMX if htmx else {},
        )  # fmt: skip
        if htmx:
            assert response.status_code == 200
            assert _badges(response.content.decode(), repeat) == {
                "past verdict",
                "repeats a disputed claim",
            }
        else:
            assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == Claim.Status.SOURCED


def test_the_panel_shows_figures_conflicting_with_an_imported_fact_check(client, reviewer):
    from claims.services.matching import articles_match
    from tests.factories import import_syria_fact_check

    import_syria_fact_check()
    low = "About 70,000 people have died in Syria since March 2011, the United Nations said."
    claim = claim_in(
        "Low count",
        text=low,
        quantities=[
            {"text": "about 70,000", "value": 70000, "low": None, "high": None,
             "qualifier": "about", "unit": "people"}
        ],
        times=[{"text": "since March 2011", "value": "2011-03", "relation": "since"}],
    )  # fmt: skip
    articles_match(article_ids=[claim.article_id])
    html = panel(client, claim).content.decode()
    assert "Conflicting figures" in html
    assert "<b>about 70,000</b> here against <b>More than 80,000</b>" in html
    assert "the fact-check by Checker" in html and "https://checker.example.org/syria" in html


def test_the_badges_and_the_memory_filters_apply_the_same_rules():
    """The filters are ORM conditions, the badges one SQL query over a page: two writings
    of one rule, held together here over every kind of match."""
    from claims.selectors_matching import claims_filter_memory, claims_with_memory_badges

    disputed = claim_in("Disputed", status=Claim.Status.DISPUTED)
    verified = claim_in("Verified", status=Claim.Status.VERIFIED)
    orphan = claim_in("Orphaned", status=Claim.Status.DISPUTED, is_orphaned=True)
    cases = [
        dict(other_claim=disputed, score=0.9),
        dict(other_claim=verified, score=0.9),
        dict(other_claim=disputed, score=0.3),  # below SUGGEST
        dict(other_claim=orphan, score=0.9),  # an orphaned claim is not shown
        dict(fact_check=fact_check(), score=0.8),
        dict(fact_check=fact_check(external_id="fc-w"), score=0.2, has_conflict=True),
        dict(other_claim=verified, score=0.9, rejected_at="2026-01-01T00:00Z"),
        dict(other_claim=disputed, score=0.2, has_conflict=True),
    ]
    for n, fields in enumerate(cases):
        ClaimMatch.objects.create(claim=claim_in(f"Case {n}"), topic=0.8, **fields)
    badges = {
        "past_verdict": "has_past_verdict",
        "repeats_disputed": "repeats_disputed",
        "conflict": "has_figure_conflict",
    }
    rows = claims_with_memory_badges(Claim.objects.all())
    for memory, badge in badges.items():
        filtered = set(
            claims_filter_memory(Claim.objects.all(), memory=memory).values_list("pk", flat=True)
        )
        assert filtered == {row.pk for row in rows if getattr(row, badge)}, memory
        assert filtered  # every rule has a claim it holds for
