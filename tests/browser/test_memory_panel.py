"""The desk's memory in a real browser: the panel's matches, Apply this verdict by key,
rejecting a match, and the conflicting-figures flag."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimMatch, FactCheck
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sees_past_verdicts_applies_one_by_key_and_rejects_a_match(desk, new_page):
    ships = desk["ships"]
    fc = FactCheck.objects.create(
        external_id="fc-ships",
        text="More than 340 container ships waited offshore during the Valmora strike.",
        rating="True",
        publisher="Harbour Check",
        url="https://harbourcheck.example.org/valmora",
    )
    ClaimMatch.objects.create(claim=ships, fact_check=fc, score=0.86, topic=0.86)
    elsewhere_text = "More than 340 container ships waited off Valmora during the strike."
    article = ArticleFactory(title="Elsewhere Gazette report", body=elsewhere_text)
    other = ClaimFactory(article=article, text=elsewhere_text)
    ClaimMatch.objects.create(claim=ships, other_claim=other, score=0.7, topic=0.7)
    low_text = "About 200 container ships waited offshore during the Valmora strike."
    low = ClaimFactory(article=ArticleFactory(title="Low count", body=low_text), text=low_text)
    ClaimMatch.objects.create(
        claim=ships,
        other_claim=low,
        score=0.3,
        topic=0.8,
        has_conflict=True,
        conflicts=[{"ours": "more than 340", "theirs": "about 200", "reason": "no overlap"}],
    )

    page = new_page("rita")
    page.goto(f"/articles/{ships.article_id}/")
    page.click(f"#claim-{ships.pk}")
    panel = page.locator("#review-panel")
    expect(panel.locator(".previously-checked .match")).to_have_count(1)
    expect(panel.locator(".previously-checked")).to_contain_text("Harbour Check")
    expect(panel.locator(".previously-checked mark").first).to_contain_text("340 container ships")
    expect(panel.locator(".elsewhere")).to_contain_text("Elsewhere Gazette report")
    expect(panel.locator(".conflicts")).to_contain_text("about 200")
    expect(panel.locator(".conflicts")).to_contain_text("Low count")

    panel.locator(".elsewhere button.reject-match").click()
    expect(panel.locator(".elsewhere")).to_have_count(0)
    expect(panel).to_contain_text("will not be offered again")

    page.keyboard.press("a")  # Apply this verdict
    expect(panel.locator("[data-panel-status]")).to_have_text("Verified")
    expect(page.locator(f"#claim-{ships.pk}")).to_have_class(re.compile(r"\bstatus-verified\b"))
    expect(panel.locator(".history")).to_contain_text("Verdict applied from match")
    ships.refresh_from_db()
    assert ships.status == Claim.Status.VERIFIED
    assert ships.sources.get().url == "https://harbourcheck.example.org/valmora"
    assert ClaimMatch.objects.get(claim=ships, other_claim=other).rejected_at is not None
