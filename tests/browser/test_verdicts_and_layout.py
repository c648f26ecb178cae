"""Issue 15 in a real browser: a rating applied, the bulk downgrade confirmation, the
review panel at laptop size, and the phone layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimRating, Source, StatusChange
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_rates_a_claim_with_a_one_line_explanation(desk, new_page):
    page = new_page("rita")
    ships = desk["ships"]
    page.goto(f"/articles/{desk['harbour'].pk}/?claim={ships.pk}")
    panel = page.locator("#review-panel")
    expect(panel.locator(".rating")).to_contain_text("Not rated yet.")
    panel.locator("select[name=rating]").select_option(label="Mostly true")
    panel.locator("input[name=explanation]").fill("Port log shows 338 ships, not 340.")
    panel.get_by_role("button", name="Rate").click()
    expect(panel.locator("[data-rating]")).to_have_text("Mostly true")
    expect(panel.locator(".verdict")).to_contain_text("Port log shows 338 ships")
    rated = ClaimRating.objects.get(claim=ships)
    assert rated.rating.name == "Mostly true" and rated.rated_by == desk["rita"]
    # The panel's version moved on: a status change right after is no conflict.
    panel.locator("textarea[name=note]").fill("Count differs slightly.")
    panel.get_by_role("button", name="Disputed").click()
    expect(panel.locator("[data-panel-status]")).to_have_text("Disputed")
    # And a comment, for the desk only.
    panel.locator("textarea[name=body]").fill("Ask the port for the raw log?")
    panel.get_by_role("button", name="Add comment").click()
    expect(panel.locator(".comment-list")).to_contain_text("Ask the port for the raw log?")
    expect(panel.locator(".comment-list")).to_contain_text("rita")


def test_a_bulk_downgrade_asks_first_and_names_what_would_change(desk, new_page):
    flood = Claim.objects.filter(article__outlet="Meridian News")
    for claim in flood:
        Source.objects.get_or_create(claim=claim, url="https://relief.example/report")
    page = new_page("carla")
    page.fill("input[name=outlet]", "meridian")  # a part of the name, any case
    expect(page.locator("tr.claim")).to_have_count(5)
    page.check("[data-select-all]")
    page.select_option("#bulk-form select[name=status]", "sourced")
    page.click("#bulk-form button[value=status]")
    confirm = page.locator(".bulk-confirm")
    expect(confirm).to_contain_text("2 of the ticked claims already have a verdict")
    expect(confirm).to_contain_text("Verified → sourced")
    expect(confirm).to_contain_text("Disputed → sourced")
    assert flood.filter(status="verified").count() == 1  # nothing changed yet
    confirm.get_by_role("button", name="Leave them, change the others").click()
    result = page.locator("#bulk-result")
    # (one was sourced already: set again, not a move)
    expect(result).to_contain_text("Marked 3 claims sourced: 2 unreviewed → sourced.")
    expect(result).to_contain_text("Left as they were: 1 disputed, 1 verified.")
    assert flood.filter(status="verified").count() == 1
    assert flood.filter(status="disputed").count() == 1
    # The changed rows are swapped in place (out of band), showing their new status.
    rice = flood.get(text__startswith="Between 60")
    expect(page.locator(f"#claim-{rice.pk} .status-cell .badge")).to_have_text("Sourced")
    # The judged claims stay ticked and the action stays chosen, to confirm after all.
    expect(page.locator("#bulk-form select[name=status]")).to_have_value("sourced")
    verified = flood.get(status="verified")
    expect(page.locator(f"#claim-{verified.pk} input[name=claim]")).to_be_checked()
    page.click("#bulk-form button[value=status]")
    page.locator(".bulk-confirm").get_by_role("button", name="Change them too").click()
    expect(result).to_contain_text("1 verified → sourced")
    assert flood.filter(status="sourced").count() == 5


def test_the_panel_keeps_sources_and_history_in_view_at_laptop_size(desk, new_page):
    pay = desk["pay"]
    # A claim worked on before: two sources and a few entries of history already.
    Source.objects.create(claim=pay, url="https://union.example/demands", added_by=desk["sam"])
    Source.objects.create(claim=pay, title="Port authority statement", added_by=desk["sam"])
    for note in ("Asked the union.", "Union replied.", "Waiting for the port."):
        StatusChange.objects.create(
            claim=pay, changed_by=desk["sam"], from_status="unreviewed", to_status="unreviewed",
            note=note,
        )  # fmt: skip
    page = new_page("rita", width=1366, height=900)
    page.goto(f"/articles/{desk['harbour'].pk}/?claim={pay.pk}")
    panel = page.locator("#review-panel")
    # The summary adds to the text, so both show; the text is not repeated as a heading.
    expect(panel.locator("h2.claim-summary")).to_have_text(pay.summary)
    panel.locator("input[name=source_url]").fill("https://union.example/release")
    page.keyboard.press("Escape")  # out of the field, back to the shortcuts
    page.keyboard.press("s")  # sourced, without scrolling to the buttons
    expect(panel.locator("[data-panel-status]")).to_have_text("Sourced")
    for part in (panel.locator(".sources li").first, panel.locator(".history li").first):
        expect(part).to_be_in_viewport()
    expect(panel.locator(".history li").first).to_contain_text("Unreviewed → Sourced")
    assert panel.locator("h2").count() == 1


def test_on_a_phone_filters_fold_and_a_tapped_claim_brings_its_panel(desk, new_page):
    page = new_page("rita", width=390, height=844)
    page.reload()
    filters = page.locator("details.filter-box")
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(page.locator("form.filters input[name=q]")).to_be_hidden()
    expect(page.locator("tr.claim").first).to_be_in_viewport()
    screenshot(page, "queue-phone.png")
    page.locator("details.filter-box > summary").click()
    expect(page.locator("form.filters input[name=q]")).to_be_visible()

    page.goto(f"/articles/{desk['harbour'].pk}/")
    rates = desk["ships"]  # the first claim: the panel is far below, under the text
    page.locator(f"#claim-{rates.pk}").click()
    panel = page.locator("#review-panel")
    expect(panel).to_have_attribute("data-claim", str(rates.pk))
    expect(panel.locator(".panel-head")).to_be_in_viewport()
