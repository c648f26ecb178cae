"""Corrections in a real browser: dismiss and restore, edit by selecting text, add a missed
claim by selecting text. ``NEWSFACTS_SCREENSHOT_DIR=docs/screenshots`` saves
``correction.png`` (the article view with a correction) from the edit test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, StatusChange
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Puts the page's selection on the first occurrence of `words` in the article text, as a
# reader's drag would (used where the words start inside a highlight, which a mouse drag
# would pick up as a link instead).
SELECT_WORDS = """(words) => {
  const root = document.querySelector("[data-keyboard-text]");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at === -1) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}"""

# The screen box of `words` in the article text, to drag the mouse over them.
WORDS_BOX = """(words) => {
  const root = document.querySelector("[data-keyboard-text]");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at === -1) continue;
    const first = document.createRange();
    first.setStart(node, at); first.setEnd(node, at + 1);
    const last = document.createRange();
    last.setStart(node, at + words.length - 1); last.setEnd(node, at + words.length);
    const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
    return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
  }
  return null;
}"""


def open_claim(page, claim):
    page.goto(f"/articles/{claim.article_id}/?claim={claim.pk}")
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(claim.pk))


def test_a_reviewer_dismisses_a_claim_sees_it_on_request_and_restores_it(desk, new_page):
    quote = desk["quote"]
    page = new_page("rita")
    open_claim(page, quote)
    page.evaluate("window.__sameDocument = true")
    panel = page.locator("#review-panel")
    expect(page.locator('#article-progress [data-count="unreviewed"]')).to_have_text("6")

    panel.get_by_text("Not a claim…").click()
    panel.locator("select[name=reason]").select_option("not_checkable")
    panel.locator(".dismiss-form input[name=note]").fill("A boast, not a checkable fact.")
    panel.get_by_role("button", name="Dismiss").click()

    expect(panel.locator(".dismissed-note")).to_contain_text("not checkable")
    expect(page.locator(f"#claim-{quote.pk}")).to_have_count(0)
    expect(page.locator('#article-progress [data-count="unreviewed"]')).to_have_text("5")
    expect(page.locator(".dismissed-toggle")).to_contain_text("1 dismissed claim hidden")
    expect(panel.locator(".history li").first).to_contain_text("dismissed (not checkable)")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"

    page.get_by_role("link", name="Show dismissed").click()
    expect(page.locator(f"#claim-{quote.pk}")).to_have_class(re.compile(r"\bdismissed\b"))
    page.click(f"#claim-{quote.pk}")
    panel.get_by_role("button", name="Restore as a claim").click()
    expect(panel.locator(".dismissed-note")).to_have_count(0)
    expect(page.locator(f"#claim-{quote.pk}")).not_to_have_class(re.compile(r"\bdismissed\b"))

    quote.refresh_from_db()
    assert quote.dismissed == "" and quote.version == 3
    assert list(quote.history.values_list("action", flat=True)) == ["dismissed", "restored"]


def test_a_reviewer_fixes_a_claims_span_by_selecting_text(desk, new_page):
    cost = desk["cost"]
    page = new_page("rita")
    open_claim(page, cost)
    panel = page.locator("#review-panel")
    panel.get_by_text("Edit the claim…").click()

    words = "the stoppage had cost shippers about $1.2 billion in delays"
    assert page.evaluate(SELECT_WORDS, words)
    expect(panel.locator("textarea[name=selected_text]")).to_have_value(words)
    panel.locator("select[name=type]").select_option("statistic")
    panel.locator("textarea[name=quantities]").fill("1200000000 USD")
    panel.get_by_role("button", name="Save correction").click()

    # The claim's own words: under its summary, or as the heading when no summary adds to it.
    expect(panel.locator("blockquote.claim-text, h2.claim-full")).to_have_text(words)
    expect(panel.locator(".machine")).to_contain_text("Port director Henrik Sollberg said")
    expect(page.locator(f"#claim-{cost.pk}")).to_have_text(words)
    expect(panel.locator(".history li").first).to_contain_text("edited")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "correction.png")

    cost.refresh_from_db()
    assert cost.article.body[cost.start : cost.end] == cost.text == words
    assert cost.machine["text"].startswith("Port director Henrik Sollberg said")
    assert cost.quantities[0]["value"] == 1.2e9 and cost.quantities[0]["unit"] == "USD"


def test_a_reviewer_adds_a_missed_claim_by_selecting_text(desk, new_page):
    harbour = desk["harbour"]
    page = new_page("rita")
    page.goto(f"/articles/{harbour.pk}/")
    words = "He said the backlog would be cleared by the end of April."
    box = page.evaluate(WORDS_BOX, words)
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    form = page.locator("#add-claim")
    expect(form.locator("textarea[name=selected_text]")).to_have_value(words)
    form.locator("select[name=type]").select_option("prediction")
    form.locator("input[name=speaker]").fill("Henrik Sollberg")
    form.get_by_role("button", name="Add as a claim").click()

    panel = page.locator("#review-panel")
    expect(panel).to_contain_text("Added by a reviewer")
    added = Claim.objects.get(origin="reviewer")
    expect(page.locator(f"#claim-{added.pk}")).to_have_text(words)
    expect(page).to_have_url(re.compile(rf"\?claim={added.pk}$"))
    assert harbour.body[added.start : added.end] == words
    assert (added.type, added.speaker) == ("prediction", "Henrik Sollberg")
    assert StatusChange.objects.get(claim=added).action == "added"


def test_an_editor_sees_no_correction_controls(desk, new_page):
    from tests.factories import UserFactory

    UserFactory(username="ed", role="editor")
    page = new_page("ed")
    open_claim(page, desk["cost"])
    expect(page.get_by_text("Not a claim…")).to_have_count(0)
    expect(page.locator("#add-claim")).to_have_count(0)


def test_after_adding_a_claim_the_selection_does_not_ride_along_on_an_edit(desk, new_page):
    harbour = desk["harbour"]
    page = new_page("rita")
    page.goto(f"/articles/{harbour.pk}/")
    words = "He said the backlog would be cleared by the end of April."
    assert page.evaluate(SELECT_WORDS, words)
    page.locator("#add-claim").get_by_role("button", name="Add as a claim").click()
    panel = page.locator("#review-panel")
    expect(panel).to_contain_text("Added by a reviewer")
    expect(page.locator("#add-claim textarea[name=selected_text]")).to_have_value("")
    panel.get_by_text("Edit the claim…").click()
    expect(panel.locator(".correct-form textarea[name=selected_text]")).to_have_value("")
    panel.locator(".correct-form input[name=speaker]").fill("Henrik Sollberg")
    panel.get_by_role("button", name="Save correction").click()
    expect(panel.locator(".history li").first).to_contain_text("edited: speaker")
    added = Claim.objects.get(origin="reviewer")
    assert (added.text, added.speaker) == (words, "Henrik Sollberg")


def test_without_javascript_a_claim_is_added_from_its_words(desk, new_page):
    harbour = desk["harbour"]
    page = new_page("rita", javascript=False)
    page.goto(f"/articles/{harbour.pk}/")
    form = page.locator("#add-claim")
    form.locator("textarea[name=selected_text]").fill("the backlog would be cleared")
    form.get_by_role("button", name="Add as a claim").click()
    added = Claim.objects.get(origin="reviewer")
    expect(page).to_have_url(re.compile(rf"\?claim={added.pk}#review-panel$"))
    expect(page.locator(".messages")).to_contain_text("Claim added.")
    expect(page.locator(f"#claim-{added.pk}")).to_have_text("the backlog would be cleared")
