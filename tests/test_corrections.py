"""Corrections: dismiss and restore, edit by selection, add a missed claim (services and
endpoints), what dismissal removes from the counts and exports, and re-extraction."""

import json
import re

import pytest
from django.urls import reverse

from claims import selectors, services
from claims.models import Claim, StatusChange
from claims.selectors import ClaimFilters
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

BODY = (
    "Officials said 340 ships waited offshore on Monday.\n\n"
    "The union agreed to a 6.5 percent pay rise. I think the deal is a triumph. "
    "Talks resume in June, the minister said."
)


def claim_at(article, text, **kwargs):
    start = article.body.index(text)
    return ClaimFactory(article=article, text=text, start=start, end=start + len(text), **kwargs)


@pytest.fixture
def article():
    return ArticleFactory(body=BODY, title="Harbour strike ends", outlet="Coastal Wire")


@pytest.fixture
def claims(article):
    return {
        "ships": claim_at(article, "Officials said 340 ships waited", status="verified"),
        "pay": claim_at(article, "6.5 percent pay rise"),
        "opinion": claim_at(article, "I think the deal is a triumph", type="attribution"),
    }


@pytest.fixture
def rita():
    return UserFactory(username="rita", role="reviewer")


def login(client, role):
    client.force_login(UserFactory(username=role.replace(" ", "_"), role=role))
    return client


def offsets(text, body=BODY):
    start = body.index(text)
    return start, start + len(text), text


# --- services ----------------------------------------------------------------------------


def test_a_dismissal_keeps_the_claim_and_its_history_and_can_be_undone(claims, rita):
    claim = claims["opinion"]
    dismissed = services.claim_dismiss(
        claim_id=claim.pk, user=rita, reason="opinion", expected_version=1, note="Op-ed line"
    )
    assert dismissed.dismissed == "opinion" and dismissed.version == 2
    assert dismissed.status == Claim.Status.UNREVIEWED  # the status is not the dismissal
    entry = dismissed.history.get()
    assert (entry.action, entry.detail, entry.note, entry.changed_by) == (
        "dismissed",
        {"reason": "opinion"},
        "Op-ed line",
        rita,
    )
    restored = services.claim_restore(claim_id=claim.pk, user=rita, expected_version=2)
    assert restored.dismissed == "" and restored.version == 3
    assert list(restored.history.values_list("action", flat=True)) == ["dismissed", "restored"]


def test_a_dismissal_needs_a_known_reason_and_the_current_version(claims, rita):
    claim = claims["opinion"]
    with pytest.raises(services.ReviewRuleError):
        services.claim_dismiss(claim_id=claim.pk, user=rita, reason="boring", expected_version=1)
    services.claim_dismiss(claim_id=claim.pk, user=rita, reason="opinion", expected_version=1)
    with pytest.raises(services.ReviewConflict):
        services.claim_dismiss(claim_id=claim.pk, user=rita, reason="duplicate", expected_version=1)
    with pytest.raises(services.ReviewConflict):
        services.claim_restore(claim_id=claim.pk, user=rita, expected_version=1)
    claim.refresh_from_db()
    assert claim.dismissed == "opinion" and claim.history.count() == 1


def test_a_status_change_on_a_stale_version_after_a_dismissal_is_a_conflict(claims, rita):
    claim = claims["pay"]
    services.claim_dismiss(claim_id=claim.pk, user=rita, reason="duplicate", expected_version=1)
    with pytest.raises(services.ReviewConflict):
        services.claim_set_status(
            claim_id=claim.pk, user=rita, status="disputed", expected_version=1, note="x"
        )


def test_an_edit_keeps_the_extraction_beside_the_correction(claims, rita):
    claim = claims["ships"]
    claim.speaker, claim.quantities = "", [{"text": "340", "value": 340.0, "unit": None}]
    claim.save()
    fixed = services.claim_correct(
        claim_id=claim.pk,
        user=rita,
        expected_version=1,
        span=offsets("340 ships waited offshore on Monday"),
        type="event",
        speaker="Officials",
        quantities=services.corrections.quantities_from_lines("340 ships"),
        times=services.corrections.times_from_lines("2026-03"),
    )
    assert fixed.text == "340 ships waited offshore on Monday"
    assert BODY[fixed.start : fixed.end] == fixed.text
    assert (fixed.type, fixed.speaker, fixed.version) == ("event", "Officials", 2)
    assert fixed.quantities[0]["value"] == 340 and fixed.quantities[0]["unit"] == "ships"
    assert fixed.times == [{"text": "2026-03", "value": "2026-03", "relation": "at"}]
    assert fixed.machine["text"] == "Officials said 340 ships waited"
    assert fixed.machine["type"] == "statistic" and fixed.machine["speaker"] == ""
    assert fixed.status == Claim.Status.VERIFIED  # a correction is not a verdict
    entry = fixed.history.get()
    assert entry.action == "edited"
    assert set(entry.detail["changed"]) == {
        "start", "end", "text", "type", "speaker", "quantities", "times",
    }  # fmt: skip
    # A second edit keeps the first snapshot: the original stays the extraction's.
    again = services.claim_correct(
        claim_id=claim.pk, user=rita, expected_version=2, type="statistic"
    )
    assert again.machine["text"] == "Officials said 340 ships waited"


@pytest.mark.parametrize(
    "span, message",
    [
        ((0, 10, "Something else"), "does not match"),
        ((0, 100_000, "Officials"), "outside"),
        ((5, 3, ""), "outside"),
        ((None, None, "not in the article at all"), "not in the article"),
        ((None, None, ""), "Select"),
    ],
)
def test_an_edit_refuses_offsets_that_are_not_the_selected_words(claims, rita, span, message):
    claim = claims["ships"]
    with pytest.raises(services.ReviewRuleError, match=message):
        services.claim_correct(claim_id=claim.pk, user=rita, expected_version=1, span=span)
    claim.refresh_from_db()
    assert claim.version == 1 and claim.machine is None and not claim.history.exists()


def test_a_selection_is_trimmed_and_found_by_its_words_without_offsets(claims, rita):
    start, end, text = offsets(" 6.5 percent pay rise. ")
    assert services.corrections.span_in_body(BODY, start, end, text) == (start + 1, end - 1)
    # Without JavaScript: the words alone, found once in the body (whitespace aside).
    found = services.corrections.span_in_body(BODY, None, None, "the  minister\nsaid")
    assert BODY[slice(*found)] == "the minister said"


def test_an_edit_that_changes_nothing_is_refused(claims, rita):
    claim = claims["pay"]
    with pytest.raises(services.ReviewRuleError, match="Nothing to correct"):
        services.claim_correct(
            claim_id=claim.pk, user=rita, expected_version=1, type=claim.type, speaker=""
        )


def test_a_missed_claim_is_added_with_history(article, claims, rita):
    added = services.claim_add(
        article_id=article.pk,
        user=rita,
        span=offsets("Talks resume in June"),
        type="prediction",
        speaker="the minister",
    )
    assert (added.origin, added.type, added.speaker, added.status) == (
        "reviewer",
        "prediction",
        "the minister",
        "unreviewed",
    )
    assert BODY[added.start : added.end] == "Talks resume in June"
    assert added.history.get().action == "added"
    with pytest.raises(services.ReviewRuleError, match="already"):
        services.claim_add(article_id=article.pk, user=rita, span=offsets("Talks resume in June"))


def test_quantity_and_time_lines_are_parsed_or_refused_clearly():
    parse = services.corrections.quantities_from_lines
    assert parse("80,000 people\n\n3.5-4 percent") == [
        {"text": "80,000 people", "value": 80000.0, "low": None, "high": None,
         "qualifier": None, "unit": "people"},
        {"text": "3.5-4 percent", "value": None, "low": 3.5, "high": 4.0,
         "qualifier": "between", "unit": "percent"},
    ]  # fmt: skip
    with pytest.raises(services.ReviewRuleError, match="Quantity line 1"):
        parse("many ships")
    times = services.corrections.times_from_lines
    assert times("since 2011-03\n--05-07") == [
        {"text": "since 2011-03", "value": "2011-03", "relation": "since"},
        {"text": "--05-07", "value": "--05-07", "relation": "at"},
    ]
    with pytest.raises(services.ReviewRuleError, match="Time line 1"):
        times("last Tuesday")
    lines = services.corrections.quantities_as_lines(parse("80000 people\n3.5-4 percent"))
    assert lines == "80000 people\n3.5-4 percent"


# --- dismissed claims leave the queue, counts and exports ---------------------------------


def test_dismissed_claims_leave_the_queue_counts_overview_and_exports(article, claims, rita):
    services.claim_dismiss(
        claim_id=claims["ships"].pk, user=rita, reason="extraction_error", expected_version=1
    )
    ships = claims["ships"].pk
    assert ships not in set(selectors.claim_list().values_list("pk", flat=True))
    assert selectors.claim_status_counts()["verified"] == 0
    assert selectors.claim_status_counts()["all"] == 2
    assert selectors.claim_status_overview()["desk"]["verified"] == 0
    assert not selectors.claims_for_claimreview().exists()
    assert ships not in set(selectors.claims_for_export().values_list("pk", flat=True))
    # ...and stay visible on request.
    shown = selectors.claim_list(filters=ClaimFilters(dismissed="include"))
    assert ships in set(shown.values_list("pk", flat=True)) and shown.count() == 3
    only = selectors.claim_list(filters=ClaimFilters(dismissed="only"))
    assert list(only.values_list("pk", flat=True)) == [ships]


def test_the_csv_claimreview_and_api_leave_dismissed_claims_out(client, article, claims, rita):
    services.claim_dismiss(
        claim_id=claims["ships"].pk, user=rita, reason="duplicate", expected_version=1
    )
    login(client, "desk chief")
    csv = client.get(reverse("claims-export-csv")).getvalue().decode()
    assert "340 ships" not in csv and "6.5 percent" in csv
    feed = b"".join(client.get(reverse("claims-claimreview-feed")).streaming_content)
    assert json.loads(feed) == []
    single = client.get(reverse("claims-claimreview", args=[claims["ships"].pk]))
    assert single.status_code == 404 and "dismissed" in single.json()["error"]
    token = services.api_token_create(user=UserFactory(role="reviewer"), name="CMS")[1]
    api = client.get("/api/v1/claims", headers={"Authorization": f"Bearer {token}"}).json()
    listed = {item["id"] for item in api["items"]}
    assert claims["ships"].pk not in listed and claims["pay"].pk in listed
    api = client.get(
        "/api/v1/claims?dismissed=only", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert [item["id"] for item in api["items"]] == [claims["ships"].pk]


def test_the_queue_hides_dismissed_claims_unless_asked(client, claims, rita):
    services.claim_dismiss(
        claim_id=claims["opinion"].pk, user=rita, reason="opinion", expected_version=1
    )
    login(client, "reviewer")
    html = client.get(reverse("claims-queue")).content.decode()
    assert f'id="claim-{claims["opinion"].pk}"' not in html
    html = client.get(reverse("claims-queue") + "?dismissed=include", headers=HTMX)
    html = html.content.decode()
    assert f'id="claim-{claims["opinion"].pk}"' in html and "Dismissed · opinion" in html
    counts = client.get(reverse("claims-counts"), headers=HTMX).content.decode()
    assert '<b data-count="all">2</b>' in counts
    assert '<b data-count="unreviewed">1</b>' in counts


# --- re-extraction -----------------------------------------------------------------------


def fake_claim(text: str, **fields):
    from claims.extraction import ExtractedClaim

    start = BODY.index(text)
    return ExtractedClaim(text=text, start=start, end=start + len(text), type="statistic", **fields)


def test_re_extraction_never_overwrites_a_correction_nor_resurrects_a_dismissal(article, rita):
    found = [
        fake_claim("Officials said 340 ships waited"),
        fake_claim("6.5 percent pay rise"),
        fake_claim("I think the deal is a triumph"),
    ]
    services.claims_replace_extraction(article=article, found=found)
    ships, pay, opinion = article.claims.order_by("start")
    services.claim_correct(
        claim_id=ships.pk,
        user=rita,
        expected_version=1,
        span=offsets("340 ships waited offshore on Monday"),
        speaker="Officials",
    )
    services.claim_dismiss(claim_id=opinion.pk, user=rita, reason="opinion", expected_version=1)
    added = services.claim_add(
        article_id=article.pk, user=rita, span=offsets("Talks resume in June")
    )

    # The same extraction again, then one that no longer finds the corrected claims.
    services.claims_replace_extraction(article=article, found=found)
    ships.refresh_from_db()
    opinion.refresh_from_db()
    assert ships.text == "340 ships waited offshore on Monday" and ships.speaker == "Officials"
    assert opinion.dismissed == "opinion"
    assert article.claims.count() == 4  # nothing duplicated
    services.claims_replace_extraction(article=article, found=[fake_claim("6.5 percent pay rise")])
    for claim in (ships, opinion, added):
        claim.refresh_from_db()
    assert not ships.is_orphaned and not added.is_orphaned
    assert ships.text == "340 ships waited offshore on Monday"
    assert opinion.dismissed == "opinion" and opinion.is_orphaned
    # Found again later: back from orphaned, still dismissed.
    services.claims_replace_extraction(article=article, found=found)
    opinion.refresh_from_db()
    assert opinion.dismissed == "opinion" and not opinion.is_orphaned
    assert opinion.pk not in set(selectors.claim_list().values_list("pk", flat=True))


# --- endpoints ---------------------------------------------------------------------------

ENDPOINTS = {
    "dismiss": lambda c: (reverse("claims-dismiss", args=[c.pk]), {"reason": "opinion"}),
    "correct": lambda c: (reverse("claims-correct", args=[c.pk]), {"type": "event"}),
    "add": lambda c: (
        reverse("claims-add", args=[c.article_id]),
        {"selected_text": "Talks resume in June", "type": "prediction"},
    ),
}


@pytest.mark.parametrize("action", sorted(ENDPOINTS))
@pytest.mark.parametrize(
    "role, allowed", [("reviewer", True), ("desk chief", True), ("editor", False)]
)
def test_reviewers_and_desk_chiefs_correct_editors_do_not(client, claims, action, role, allowed):
    claim = claims["opinion"]
    url, data = ENDPOINTS[action](claim)
    login(client, role)
    response = client.post(url, {**data, "version": 1}, headers=HTMX)
    assert response.status_code == (200 if allowed else 403)
    changed = StatusChange.objects.filter(claim__article=claim.article).exists()
    assert changed == allowed


@pytest.mark.parametrize("action", sorted(ENDPOINTS))
def test_corrections_need_login_and_post(client, claims, action):
    url, data = ENDPOINTS[action](claims["opinion"])
    assert client.post(url, data).url.startswith(reverse("login"))
    login(client, "reviewer")
    assert client.get(url).status_code == 405


def test_dismiss_with_htmx_returns_the_panel_and_tells_the_page(client, claims):
    claim = claims["opinion"]
    login(client, "reviewer")
    url = reverse("claims-dismiss", args=[claim.pk])
    response = client.post(url, {"reason": "opinion", "version": 1}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review-panel"')
    assert "<b>Dismissed</b> as not a claim: opinion" in html
    assert "Restore as a claim" in html and "HX-Request" in response["Vary"]
    assert json.loads(response["HX-Trigger"])["claimChanged"]["id"] == claim.pk
    # The article text hides it now, and says so, with the way to show it.
    text = client.get(reverse("claims-article-text", args=[claim.article_id]), headers=HTMX)
    text = text.content.decode()
    assert f'id="claim-{claim.pk}"' not in text and "1 dismissed claim hidden" in text
    shown = client.get(reverse("claims-article", args=[claim.article_id]) + "?dismissed=1")
    assert f'class="hl status-unreviewed dismissed" id="claim-{claim.pk}"' in shown.content.decode()


def test_dismiss_without_htmx_redirects_back_with_a_message(client, claims):
    claim = claims["opinion"]
    login(client, "reviewer")
    url = reverse("claims-dismiss", args=[claim.pk])
    response = client.post(url, {"reason": "duplicate", "version": 1}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?claim={claim.pk}#review-panel")
    assert "Dismissed: duplicate." in response.content.decode()
    response = client.post(reverse("claims-restore", args=[claim.pk]), {"version": 2}, follow=True)
    assert "Restored" in response.content.decode()
    claim.refresh_from_db()
    assert claim.dismissed == "" and claim.version == 3


def test_a_stale_version_gets_the_conflict_answer_and_keeps_what_was_typed(client, claims, rita):
    claim = claims["pay"]
    services.claim_dismiss(claim_id=claim.pk, user=rita, reason="duplicate", expected_version=1)
    login(client, "desk chief")
    for url, data in [
        (reverse("claims-restore", args=[claim.pk]), {"version": 1}),
        (
            reverse("claims-correct", args=[claim.pk]),
            {"version": 1, "type": "event", "speaker": "The union"},
        ),
    ]:
        response = client.post(url, data, headers=HTMX)
        html = response.content.decode()
        assert 'class="error conflict"' in html and "rita changed this claim" in html
        assert 'name="version" value="2"' in html  # the fresh version, to try again
        assert "claimChanged" in response["HX-Trigger"]
        response = client.post(url, data, follow=True)
        assert "rita changed this claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.version == 2 and claim.dismissed == "duplicate" and claim.machine is None


def test_edit_by_selection_with_htmx_shows_the_original_beside_the_correction(client, claims):
    claim = claims["ships"]
    login(client, "reviewer")
    start, end, text = offsets("340 ships waited offshore on Monday")
    response = client.post(
        reverse("claims-correct", args=[claim.pk]),
        {
            "version": 1, "start": start, "end": end, "selected_text": text,
            "type": "statistic", "speaker": "", "quantities": "340 ships", "times": "",
        },
        headers=HTMX,
    )  # fmt: skip
    html = response.content.decode()
    assert "Corrected · the extraction said" in html
    assert "<q>Officials said 340 ships waited</q>" in html
    assert re.search(
        r'class="claim-(text|summary claim-full)">340 ships waited offshore on Monday<', html
    )
    claim.refresh_from_db()
    assert (claim.start, claim.end) == (start, end) and claim.quantities[0]["unit"] == "ships"


def test_an_edit_form_left_as_shown_changes_nothing(client, claims):
    claim = claims["ships"]
    claim.quantities = services.corrections.quantities_from_lines("340 ships")
    claim.save()
    login(client, "reviewer")
    response = client.post(
        reverse("claims-correct", args=[claim.pk]),
        {"version": 1, "type": "statistic", "speaker": "", "quantities": "340 ships"},
        headers=HTMX,
    )
    assert "Nothing to correct" in response.content.decode()
    assert "trigger" not in {k.lower() for k in response.headers}


def test_a_forged_or_stale_selection_is_refused_and_the_typing_kept(client, claims):
    claim = claims["ships"]
    login(client, "reviewer")
    response = client.post(
        reverse("claims-correct", args=[claim.pk]),
        {
            "version": 1, "start": 0, "end": 9, "selected_text": "Nobody said",
            "type": "statistic", "speaker": "Harbour master", "quantities": "", "times": "",
        },
        headers=HTMX,
    )  # fmt: skip
    html = response.content.decode()
    assert "does not match the article" in html and 'value="Harbour master"' in html
    claim.refresh_from_db()
    assert claim.version == 1 and claim.text == "Officials said 340 ships waited"


def test_add_with_htmx_opens_the_new_claims_panel(client, article, claims):
    login(client, "reviewer")
    start, end, text = offsets("Talks resume in June")
    response = client.post(
        reverse("claims-add", args=[article.pk]),
        {"start": start, "end": end, "selected_text": text, "type": "prediction"},
        headers=HTMX,
    )
    added = Claim.objects.get(origin="reviewer")
    html = response.content.decode()
    assert f'data-claim="{added.pk}"' in html and "Added by a reviewer" in html
    assert response["HX-Push-Url"] == f"/articles/{article.pk}/?claim={added.pk}"
    assert "claimChanged" in response["HX-Trigger"]


def test_add_errors_come_back_in_the_add_form(client, article, claims):
    login(client, "reviewer")
    response = client.post(
        reverse("claims-add", args=[article.pk]),
        {"start": 0, "end": 5, "selected_text": "Talks", "type": "event", "speaker": "Ann"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#add-claim"
    assert html.lstrip().startswith('<form id="add-claim"')
    assert "does not match" in html and 'value="Ann"' in html
    assert not Claim.objects.filter(origin="reviewer").exists()


def test_add_without_htmx_redirects_to_the_new_claim(client, article, claims):
    login(client, "reviewer")
    response = client.post(
        reverse("claims-add", args=[article.pk]),
        {"selected_text": "Talks resume in June", "type": "prediction"},
    )
    added = Claim.objects.get(origin="reviewer")
    assert response.url == f"/articles/{article.pk}/?claim={added.pk}#review-panel"
    response = client.post(
        reverse("claims-add", args=[article.pk]), {"selected_text": "", "type": "event"}
    )
    assert response.url == f"/articles/{article.pk}/"


def test_editors_see_no_correction_forms(client, claims):
    claim = claims["ships"]
    login(client, "editor")
    html = client.get(reverse("claims-article", args=[claim.article_id]) + f"?claim={claim.pk}")
    html = html.content.decode()
    assert "Not a claim" not in html and "Add a missed claim" not in html
    login(client, "reviewer")
    html = client.get(reverse("claims-article", args=[claim.article_id]) + f"?claim={claim.pk}")
    html = html.content.decode()
    assert "Not a claim" in html and "Add a missed claim" in html


def test_a_dismissed_claim_cannot_be_judged_until_restored(claims, rita):
    claim = claims["pay"]
    services.claim_dismiss(claim_id=claim.pk, user=rita, reason="duplicate", expected_version=1)
    with pytest.raises(services.ReviewRuleError, match="restore it"):
        services.claim_set_status(
            claim_id=claim.pk, user=rita, status="disputed", expected_version=2, note="No."
        )
    claim.refresh_from_db()
    assert claim.version == 2 and claim.status == "unreviewed"


def test_the_api_shows_corrections_on_a_claim(client, claims, rita):
    claim = claims["ships"]
    services.claim_correct(claim_id=claim.pk, user=rita, expected_version=1, speaker="Officials")
    token = services.api_token_create(user=rita, name="CMS")[1]
    detail = client.get(
        f"/api/v1/claims/{claim.pk}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert (detail["speaker"], detail["dismissed"], detail["origin"]) == (
        "Officials",
        "",
        "machine",
    )
    assert detail["machine"]["speaker"] == "" and detail["machine"]["text"] == claim.text
    assert detail["history"][0]["action"] == "edited"
    assert detail["history"][0]["detail"]["changed"] == {"speaker": ["", "Officials"]}
