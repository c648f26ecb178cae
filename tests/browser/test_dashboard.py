"""The dashboard in a real browser: htmx swaps, pushed URLs, events, keyboard, conflicts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ExtractionJob, StatusChange
from tests.browser.conftest import screenshot
from tests.factories import ArticleFactory, JobFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_reload_marker(page) -> None:
    """Set a flag in the window: it survives every htmx swap and dies with a page load."""
    page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_a_reviewer_filters_opens_an_article_and_verifies_a_claim(desk, new_page):
    page = new_page("rita")
    errors = []  # a script or style blocked by the content security policy shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.reload()
    expect(page.locator("tr.claim")).to_have_count(15)
    screenshot(page, "queue.png")
    no_reload_marker(page)

    # Filters swap the list in place and push the URL; back restores the previous list.
    page.select_option("select[name=type]", "prediction")
    expect(page.locator("tr.claim")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/\?type=prediction&sort=-score$"))
    page.fill("input[name=q]", "freight")
    expect(page.locator("tr.claim")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/\?q=freight&type=prediction&sort=-score$"))
    assert_not_reloaded(page)
    page.go_back()
    expect(page.locator("tr.claim")).to_have_count(2)
    page.reload()  # the pushed URL is a real page
    expect(page.locator("tr.claim")).to_have_count(2)
    expect(page.locator("select[name=type]")).to_have_value("prediction")

    # Open the article from the claim, then a claim from the text.
    page.click("text=Freight rates to fall up to 15%")
    expect(page.locator("#article-text a.hl")).to_have_count(6)
    expect(page.locator("#review-panel")).to_contain_text("Freight rates to fall up to 15%")
    ships = desk["ships"]
    page.click(f"#claim-{ships.pk}")
    no_reload_marker(page)
    panel = page.locator("#review-panel")
    expect(panel).to_contain_text("340+ container ships waited offshore")
    expect(page).to_have_url(re.compile(rf"\?claim={ships.pk}$"))
    expect(page.locator("[data-reviewed]")).to_have_text("0")

    # Verified without a source is refused by the rules, in the panel.
    panel.get_by_role("button", name="Verified").click()
    expect(panel.locator("[role=alert]")).to_contain_text("needs at least one source")

    panel.locator("input[name=source_url]").fill("https://port.example.org/strike-report")
    panel.locator("input[name=source_title]").fill("Port authority strike report")
    panel.locator("textarea[name=note]").fill("Ship count matches the authority's log.")
    panel.get_by_role("button", name="Verified").click()

    expect(panel.locator("[data-panel-status]")).to_have_text("Verified")
    expect(page.locator(f"#claim-{ships.pk}")).to_have_class(re.compile(r"\bstatus-verified\b"))
    expect(page.locator("[data-reviewed]")).to_have_text("1")
    expect(page.locator('#article-progress [data-count="verified"]')).to_have_text("1")
    expect(panel.locator(".history li").first).to_contain_text("rita")
    expect(panel.locator(".history li").first).to_contain_text("Unreviewed → Verified")
    expect(panel.locator(".history li").first).to_contain_text("matches the authority's log")
    expect(panel.locator(".sources")).to_contain_text("Port authority strike report")
    assert_not_reloaded(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "article.png")

    ships.refresh_from_db()
    assert (ships.status, ships.version) == ("verified", 2)
    assert errors == []


def test_two_reviewers_on_one_claim_get_a_conflict_not_a_lost_update(desk, new_page):
    claim = desk["cost"]
    url = f"/articles/{claim.article_id}/?claim={claim.pk}"
    rita, sam = new_page("rita"), new_page("sam")
    rita.goto(url)
    sam.goto(url)

    rita_panel = rita.locator("#review-panel")
    rita_panel.locator("textarea[name=note]").fill("The port's own figure is $0.9 billion.")
    rita_panel.get_by_role("button", name="Disputed").click()
    expect(rita_panel.locator("[data-panel-status]")).to_have_text("Disputed")

    sam_panel = sam.locator("#review-panel")
    sam_panel.locator("input[name=source_url]").fill("https://example.org/shipping-losses")
    sam_panel.get_by_role("button", name="Verified").click()
    alert = sam_panel.locator("[role=alert]")
    expect(alert).to_contain_text("rita changed this claim while you were working on it")
    expect(alert).to_contain_text("it is now disputed")
    # The fresh state: status, rita's history entry, and the typed source kept for a retry.
    expect(sam_panel.locator("[data-panel-status]")).to_have_text("Disputed")
    expect(sam_panel.locator(".history")).to_contain_text("$0.9 billion")
    expect(sam_panel.locator("input[name=source_url]")).to_have_value(
        "https://example.org/shipping-losses"
    )
    expect(sam.locator(f"#claim-{claim.pk}")).to_have_class(re.compile(r"\bstatus-disputed\b"))

    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("disputed", 2)
    assert StatusChange.objects.filter(claim=claim).count() == 1

    sam_panel.get_by_role("button", name="Verified").click()  # now against the fresh version
    expect(sam_panel.locator("[data-panel-status]")).to_have_text("Verified")


def test_keyboard_moves_between_claims_and_sets_status(desk, new_page):
    page = new_page("rita")
    page.goto(f"/articles/{desk['harbour'].pk}/")
    no_reload_marker(page)
    in_order = [desk[k].pk for k in ("ships", "pay", "quote", "cost", "containers", "rates")]

    page.keyboard.press("j")
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(in_order[0]))
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(in_order[2]))
    page.keyboard.press("k")
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(in_order[1]))
    expect(page.locator(f"#claim-{in_order[1]}")).to_have_class(re.compile(r"\bcurrent\b"))

    # Typing in a field is typing, not a shortcut; Escape hands the keys back.
    source = page.locator("#review-panel input[name=source_url]")
    source.fill("https://union.example.org/agreement")
    source.press("v")
    expect(source).to_have_value("https://union.example.org/agreementv")
    source.fill("https://union.example.org/agreement")
    source.press("Escape")
    page.keyboard.press("s")
    expect(page.locator("#review-panel [data-panel-status]")).to_have_text("Sourced")
    expect(page.locator(f"#claim-{in_order[1]}")).to_have_class(re.compile(r"\bstatus-sourced\b"))

    page.keyboard.press("d")  # no note, no counter-source: refused by the rules
    expect(page.locator("#review-panel [role=alert]")).to_contain_text("needs a note")
    page.keyboard.press("Escape")
    page.keyboard.press("v")  # the source attached with "s" is enough to verify
    expect(page.locator("#review-panel [data-panel-status]")).to_have_text("Verified")
    page.keyboard.press("j")
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(in_order[2]))
    expect(page.locator(f"#claim-{in_order[2]}")).to_have_class(re.compile(r"\bcurrent\b"))
    assert_not_reloaded(page)
    assert Claim.objects.get(pk=in_order[1]).status == "verified"

    # In the queue, j/k move the current row and the status keys act on it.
    page.goto("/?q=48%2C000")
    page.keyboard.press("j")
    expect(page.locator("tr.claim.current")).to_have_count(1)
    page.keyboard.press("u")
    expect(page.locator("tr.claim .badge")).to_have_text("Unreviewed")
    expect(page.locator('[data-count="unreviewed"]')).to_have_text("1")


def test_a_desk_chief_assigns_many_claims_at_once(desk, new_page):
    page = new_page("carla")
    page.select_option("select[name=type]", "prediction")
    expect(page.locator("tr.claim")).to_have_count(2)
    no_reload_marker(page)
    page.check("[data-select-all]")
    expect(page.locator("[data-bulk-count]")).to_have_text("2 ticked:")
    page.select_option("#bulk-form select[name=assignee]", label="sam")
    page.click("#bulk-form button[value=assign]")
    expect(page.locator("#bulk-result")).to_contain_text("Assigned 2 claims to sam.")
    expect(page.locator("tr.claim td[data-label=Assignee]")).to_have_text(["sam", "sam"])
    assert_not_reloaded(page)
    assert Claim.objects.filter(assignee=desk["sam"]).count() == 2


def test_a_running_job_updates_by_itself_and_a_failure_offers_retry(roles, new_page):
    from tests.factories import UserFactory

    UserFactory(username="ed", role="editor")
    job = JobFactory(
        article=ArticleFactory(title="Wire copy still extracting"), state="running", attempts=1
    )
    page = new_page("ed")
    box = page.locator("#jobs-live")
    expect(box).to_contain_text("Wire copy still extracting")
    expect(box).to_contain_text("Running")
    ExtractionJob.objects.filter(pk=job.pk).update(
        state="failed", error="OSError: model file missing"
    )
    expect(box).to_contain_text("OSError: model file missing", timeout=8000)
    box.get_by_role("button", name="Retry").click()
    expect(page.locator("#job-state")).to_contain_text("Queued")
    assert job.article.jobs.count() == 2


def test_the_core_review_works_without_javascript(desk, new_page):
    page = new_page("rita", javascript=False)
    page.select_option("select[name=status]", "unreviewed")
    page.click("button:text('Filter')")
    expect(page).to_have_url(re.compile(r"status=unreviewed"))
    expect(page.locator("tr.claim")).to_have_count(10)
    page.click("text=Strike cost shippers ~$1.2 billion")
    cost = desk["cost"]
    page.click(f"#claim-{desk['pay'].pk}")  # a plain link: ?claim=<id> opens its panel
    expect(page.locator("#review-panel")).to_have_attribute("data-claim", str(desk["pay"].pk))
    panel = page.locator("#review-panel")
    panel.locator("textarea[name=note]").fill("The union's own release says 5.5 percent.")
    panel.get_by_role("button", name="Disputed").click()
    expect(page.locator("#flash")).to_contain_text("Marked disputed.")
    expect(page.locator(f"#claim-{desk['pay'].pk}")).to_have_class(re.compile(r"status-disputed"))
    expect(panel.locator(".history")).to_contain_text("5.5 percent")
    expect(page.locator("[data-reviewed]")).to_have_text("1")
    panel.get_by_role("button", name="Verified").click()  # no source: refused, with a reason
    expect(page.locator("#flash")).to_contain_text("needs at least one source")
    assert Claim.objects.get(pk=desk["pay"].pk).status == "disputed"
    assert Claim.objects.get(pk=cost.pk).status == "unreviewed"


def test_outlet_suggestions_arrive_on_focus_and_leave_the_address_alone(desk, new_page):
    ArticleFactory(outlet="Harbourside Gazette")  # an outlet with no claims yet
    page = new_page("rita")
    page.reload()
    expect(page.locator("#outlet-names option")).to_have_count(0)  # not sent with the page
    before = page.url
    no_reload_marker(page)
    page.focus("input[name=outlet]")
    expect(page.locator("#outlet-names option")).to_have_count(4)  # the desk's three, and it
    expect(page.locator('#outlet-names option[value="Harbourside Gazette"]')).to_have_count(1)
    assert page.url == before  # the suggestions' own request is not pushed to history
    # Typing an outlet still filters the list in place, as every filter does.
    page.fill("input[name=outlet]", "Harbourside")
    expect(page).to_have_url(re.compile(r"outlet=Harbourside"))
    expect(page.locator("tr.claim")).to_have_count(0)
    assert_not_reloaded(page)
