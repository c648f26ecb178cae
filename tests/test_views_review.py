"""Review endpoints: the panel, status changes, assignment and bulk actions."""

import json

import pytest
from django.urls import reverse

from claims.models import Claim, Source, StatusChange
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SOURCE = "https://stats.example.org/table-1"


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    return client


@pytest.fixture
def chief_client(client):
    client.force_login(UserFactory(username="carla", role="desk chief"))
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    return client


def status_url(claim):
    return reverse("claims-set-status", args=[claim.pk])


# --- the panel ---------------------------------------------------------------------------


def test_the_panel_is_a_partial_for_htmx_and_a_redirect_otherwise(reviewer_client):
    claim = ClaimFactory(summary="340 ships waited")
    url = reverse("claims-panel", args=[claim.pk])
    response = reviewer_client.get(url, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review-panel"')
    assert "340 ships waited" in html and 'name="version" value="1"' in html
    assert "HX-Request" in response["Vary"]
    response = reviewer_client.get(url)
    assert response.status_code == 302
    assert response.url == f"/articles/{claim.article_id}/?claim={claim.pk}#review-panel"


def test_the_panel_refuses_anonymous_and_roleless_users(client):
    claim = ClaimFactory()
    url = reverse("claims-panel", args=[claim.pk])
    assert client.get(url, headers=HTMX).url.startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url, headers=HTMX).status_code == 403


def test_editors_see_the_panel_without_review_buttons(editor_client):
    claim = ClaimFactory()
    html = editor_client.get(reverse("claims-panel", args=[claim.pk]), headers=HTMX)
    assert status_url(claim) not in html.content.decode()


# --- status changes from the panel -------------------------------------------------------


def test_verifying_from_the_panel_returns_the_panel_with_history(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "verified", "version": 1, "view": "panel", "source_url": SOURCE,
         "source_title": "Ministry table 1", "note": "Matches the table."},
        headers=HTMX,
    )  # fmt: skip
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review-panel" class="panel status-verified"')
    assert "Ministry table 1" in html and "Matches the table." in html
    assert "<b>rita</b>" in html and "Unreviewed</span> → <span" in html
    assert 'name="version" value="2"' in html
    assert json.loads(response["HX-Trigger"])["claimChanged"] == {
        "id": claim.pk,
        "status": "verified",
    }


def test_the_panel_without_javascript_redirects_back_to_the_article(reviewer_client):
    claim = ClaimFactory()
    next_url = f"/articles/{claim.article_id}/?claim={claim.pk}#review-panel"
    response = reviewer_client.post(
        status_url(claim),
        {"status": "sourced", "version": 1, "view": "panel", "source_url": SOURCE,
         "next": next_url},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == next_url
    claim.refresh_from_db()
    assert claim.status == "sourced"


def test_a_rule_violation_keeps_what_was_typed(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "disputed", "version": 1, "view": "panel", "source_title": "My own notes"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "A disputed claim needs a note or a counter-source." in html
    assert 'value="My own notes"' in html
    assert "HX-Trigger" not in response
    assert not Source.objects.exists()


def test_a_counter_source_is_enough_to_dispute(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "disputed", "version": 1, "view": "panel", "source_url": SOURCE,
         "counter_source": "on"},
        headers=HTMX,
    )  # fmt: skip
    assert "counter</span>" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "disputed"


def test_an_invalid_source_url_is_a_validation_error(reviewer_client):
    claim = ClaimFactory()
    for headers in (HTMX, {}):
        response = reviewer_client.post(
            status_url(claim),
            {"status": "verified", "version": 1, "view": "panel", "source_url": "not a url"},
            headers=headers,
            follow=True,
        )
        assert "Enter a valid URL." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_a_note_alone_is_a_history_entry(reviewer_client):
    claim = ClaimFactory(status="disputed", version=2)
    response = reviewer_client.post(
        status_url(claim),
        {"status": "disputed", "version": 2, "view": "panel", "note": "Called the ministry."},
        headers=HTMX,
    )
    assert "<b>rita</b>\n      noted" in response.content.decode()
    entry = StatusChange.objects.get(claim=claim)
    assert (entry.from_status, entry.to_status, entry.note) == (
        "disputed",
        "disputed",
        "Called the ministry.",
    )


def test_saving_nothing_is_refused(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim), {"status": "unreviewed", "version": 1, "view": "panel"}, headers=HTMX
    )
    assert "Nothing to save" in response.content.decode()
    assert not StatusChange.objects.exists()


def test_a_conflict_in_the_panel_shows_the_fresh_state_and_keeps_the_note(reviewer_client):
    other = UserFactory(username="sam", role="reviewer")
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(status="sourced", version=2, reviewed_by=other)
    response = reviewer_client.post(
        status_url(claim),
        {"status": "disputed", "version": 1, "view": "panel", "note": "Wrong year."},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "sam changed this claim while you were working on it" in html
    assert 'class="panel status-sourced"' in html and 'name="version" value="2"' in html
    assert "Wrong year.</textarea>" in html
    # The page's highlights and counters are stale too: they must refresh.
    assert json.loads(response["HX-Trigger"])["claimChanged"]["status"] == "sourced"
    assert not StatusChange.objects.exists()


# --- status changes from a queue row (the first UI's contract) ---------------------------


def test_reviewer_marks_a_claim_verified_through_htmx(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "verified", "version": 1, "source_url": "https://example.org/data"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="claim-{claim.pk}"')
    assert "status-verified" in html
    assert "claimChanged" in response["HX-Trigger"]


def test_reviewer_marks_a_claim_verified_without_javascript(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "verified", "version": 1, "source_url": SOURCE, "next": "/?type=quote"},
    )
    assert response.status_code == 302
    assert response.url == "/?type=quote"


def test_an_unsafe_next_is_ignored(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim),
        {"status": "verified", "version": 1, "source_url": SOURCE, "next": "https://evil.example/"},
    )
    assert response.url == "/"


def test_a_rule_violation_comes_back_in_the_row(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        status_url(claim), {"status": "verified", "version": 1}, headers=HTMX
    )
    assert "needs at least one source" in response.content.decode()
    assert "HX-Trigger" not in response


def test_a_conflict_in_a_row_shows_the_fresh_version(reviewer_client):
    claim = ClaimFactory(status="disputed", version=3)
    response = reviewer_client.post(
        status_url(claim),
        {"status": "verified", "version": 2, "source_url": SOURCE},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "changed this claim while you were working on it" in html
    assert 'name="version" value="3"' in html


def test_a_conflict_without_javascript_redirects_with_a_message(reviewer_client):
    claim = ClaimFactory(status="disputed", version=3)
    response = reviewer_client.post(
        status_url(claim), {"status": "verified", "version": 2, "source_url": SOURCE}, follow=True
    )
    assert "changed this claim while you were working on it" in response.content.decode()


def test_editors_cannot_change_review_status(editor_client):
    claim = ClaimFactory()
    for headers in ({}, HTMX):
        response = editor_client.post(
            status_url(claim), {"status": "verified", "version": 1, "source_url": SOURCE},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_anonymous_posts_go_to_login(client):
    claim = ClaimFactory()
    for url in (
        status_url(claim),
        reverse("claims-assign", args=[claim.pk]),
        reverse("claims-bulk"),
    ):
        response = client.post(url, {}, headers=HTMX)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_review_posts_need_post(reviewer_client):
    claim = ClaimFactory()
    assert reviewer_client.get(status_url(claim)).status_code == 405
    assert reviewer_client.get(reverse("claims-bulk")).status_code == 405


# --- assignment --------------------------------------------------------------------------


def test_a_chief_assigns_from_the_panel_with_htmx(chief_client):
    rita = UserFactory(username="rita", role="reviewer")
    claim = ClaimFactory(version=4)
    response = chief_client.post(
        reverse("claims-assign", args=[claim.pk]),
        {"assignee": rita.pk, "view": "panel"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review-panel"')
    assert "<dd>rita</dd>" in html
    assert "claimChanged" in response["HX-Trigger"]
    claim.refresh_from_db()
    assert claim.assignee == rita
    assert claim.version == 4  # not a review change: an open panel does not conflict


def test_a_chief_unassigns_without_javascript(chief_client):
    claim = ClaimFactory(assignee=UserFactory(username="rita", role="reviewer"))
    response = chief_client.post(reverse("claims-assign", args=[claim.pk]), {"assignee": ""})
    assert response.status_code == 302
    assert response.url == f"/articles/{claim.article_id}/?claim={claim.pk}#review-panel"
    claim.refresh_from_db()
    assert claim.assignee is None


def test_only_reviewers_can_be_assigned(chief_client):
    editor = UserFactory(username="ed", role="editor")
    claim = ClaimFactory()
    response = chief_client.post(
        reverse("claims-assign", args=[claim.pk]),
        {"assignee": editor.pk, "view": "panel"},
        headers=HTMX,
    )
    assert "Select a valid choice" in response.content.decode()
    assert "HX-Trigger" not in response
    claim.refresh_from_db()
    assert claim.assignee is None


def test_reviewers_cannot_assign(reviewer_client):
    claim = ClaimFactory()
    for headers in ({}, HTMX):
        response = reviewer_client.post(
            reverse("claims-assign", args=[claim.pk]), {"assignee": ""}, headers=headers
        )
        assert response.status_code == 403


def test_chiefs_get_the_assign_form_and_bulk_boxes(chief_client):
    claim = ClaimFactory()
    html = chief_client.get(reverse("claims-queue")).content.decode()
    assert 'id="bulk-form"' in html
    assert f'value="{claim.pk}:1" form="bulk-form"' in html
    panel = chief_client.get(reverse("claims-panel", args=[claim.pk]), headers=HTMX)
    assert reverse("claims-assign", args=[claim.pk]) in panel.content.decode()


def test_reviewers_get_no_bulk_boxes(reviewer_client):
    ClaimFactory()
    assert 'id="bulk-form"' not in reviewer_client.get(reverse("claims-queue")).content.decode()


# --- bulk actions ------------------------------------------------------------------------


def test_bulk_assign_with_htmx(chief_client):
    rita = UserFactory(username="rita", role="reviewer")
    first, second, untouched = ClaimFactory(), ClaimFactory(), ClaimFactory()
    response = chief_client.post(
        reverse("claims-bulk"),
        {"action": "assign", "assignee": rita.pk, "claim": [f"{first.pk}:1", f"{second.pk}:1"]},
        headers=HTMX,
    )
    assert "Assigned 2 claims to rita." in response.content.decode()
    assert "claimChanged" in response["HX-Trigger"]
    assert set(Claim.objects.filter(assignee=rita)) == {first, second}
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_bulk_status_applies_rules_and_versions_claim_by_claim(chief_client):
    ok = ClaimFactory()
    stale = ClaimFactory(version=5)
    response = chief_client.post(
        reverse("claims-bulk"),
        {"action": "status", "status": "disputed", "note": "Figures do not add up.",
         "claim": [f"{ok.pk}:1", f"{stale.pk}:4"]},
        headers=HTMX,
    )  # fmt: skip
    html = response.content.decode()
    assert "Marked 1 claims disputed: 1 unreviewed → disputed. 1 refused:" in html
    assert "changed this claim while you were working on it" in html
    ok.refresh_from_db()
    stale.refresh_from_db()
    assert (ok.status, stale.status) == ("disputed", "unreviewed")
    assert StatusChange.objects.get().note == "Figures do not add up."


def test_bulk_without_javascript_redirects_with_a_message(chief_client):
    claim = ClaimFactory()
    response = chief_client.post(
        reverse("claims-bulk"),
        {"action": "status", "status": "verified", "claim": [f"{claim.pk}:1"], "next": "/?q=x"},
    )
    assert response.status_code == 302 and response.url.startswith("/?q=x&keep=")
    page = chief_client.get("/").content.decode()
    assert "Marked 0 claims verified. 1 refused:" in page
    assert "needs at least one source" in page


def test_bulk_validation_errors(chief_client):
    claim = ClaimFactory()
    for data, message in [
        ({"action": "status", "status": "verified"}, "Tick at least one claim."),
        ({"action": "status", "claim": [f"{claim.pk}:1"]}, "Choose the status to set."),
        ({"action": "explode", "claim": [f"{claim.pk}:1"]}, "Select a valid choice"),
    ]:
        response = chief_client.post(reverse("claims-bulk"), data, headers=HTMX)
        assert message in response.content.decode()
        assert "HX-Trigger" not in response


def test_reviewers_cannot_run_bulk_actions(reviewer_client):
    claim = ClaimFactory()
    for headers in ({}, HTMX):
        response = reviewer_client.post(
            reverse("claims-bulk"),
            {"action": "assign", "assignee": "", "claim": [f"{claim.pk}:1"]},
            headers=headers,
        )
        assert response.status_code == 403


# --- issue 15: bulk changes ask before moving a verdict, assign needs a choice, a refusal
# keeps what was ticked ------------------------------------------------------------------


def test_bulk_status_asks_before_downgrading_a_judged_claim(chief_client):
    judged = ClaimFactory(status="verified", summary="Ridership rose 12%")
    fresh = ClaimFactory()
    Source.objects.create(claim=judged, url="https://a.example/1")
    Source.objects.create(claim=fresh, url="https://a.example/2")
    data = {"action": "status", "status": "sourced", "claim": [f"{judged.pk}:1", f"{fresh.pk}:1"]}
    response = chief_client.post(reverse("claims-bulk"), data, headers=HTMX)
    html = response.content.decode()
    assert "1 of the ticked claims already has a verdict and would become sourced" in html
    assert "Ridership rose 12%" in html and 'name="judged" value="change"' in html
    assert "HX-Trigger" not in response
    judged.refresh_from_db()
    fresh.refresh_from_db()
    assert (judged.status, fresh.status) == ("verified", "unreviewed")  # nothing applied yet


def test_a_confirmed_bulk_downgrade_says_what_changed(chief_client):
    judged = ClaimFactory(status="verified")
    fresh = ClaimFactory()
    for claim in (judged, fresh):
        Source.objects.create(claim=claim, url="https://a.example/1")
    data = {"action": "status", "status": "sourced", "judged": "change",
            "claim": [f"{judged.pk}:1", f"{fresh.pk}:1"]}  # fmt: skip
    html = chief_client.post(reverse("claims-bulk"), data, headers=HTMX).content.decode()
    assert "Marked 2 claims sourced: 1 unreviewed → sourced, 1 verified → sourced." in html
    judged.refresh_from_db()
    assert judged.status == "sourced"


def test_skipping_the_judged_claims_changes_only_the_others(chief_client):
    judged = ClaimFactory(status="disputed")
    fresh = ClaimFactory()
    Source.objects.create(claim=fresh, url="https://a.example/2")
    data = {"action": "status", "status": "sourced", "judged": "skip",
            "claim": [f"{judged.pk}:1", f"{fresh.pk}:1"]}  # fmt: skip
    html = chief_client.post(reverse("claims-bulk"), data, headers=HTMX).content.decode()
    assert "Marked 1 claims sourced: 1 unreviewed → sourced. Left as they were: 1 disputed." in html
    judged.refresh_from_db()
    assert judged.status == "disputed"


def test_the_bulk_confirmation_without_javascript_is_a_page(chief_client):
    judged = ClaimFactory(status="verified")
    data = {"action": "status", "status": "unreviewed", "claim": [f"{judged.pk}:1"], "next": "/"}
    response = chief_client.post(reverse("claims-bulk"), data)
    assert response.status_code == 200
    assert "would become unreviewed" in response.content.decode()
    judged.refresh_from_db()
    assert judged.status == "verified"


def test_bulk_assign_requires_a_choice(chief_client):
    claim = ClaimFactory(assignee=UserFactory(username="rita", role="reviewer"))
    data = {"action": "assign", "assignee": "", "claim": [f"{claim.pk}:1"]}
    html = chief_client.post(reverse("claims-bulk"), data, headers=HTMX).content.decode()
    assert "Choose who to assign the ticked claims to" in html
    claim.refresh_from_db()
    assert claim.assignee is not None  # not silently unassigned
    data["assignee"] = "none"
    html = chief_client.post(reverse("claims-bulk"), data, headers=HTMX).content.decode()
    assert "Unassigned 1 claim." in html
    claim.refresh_from_db()
    assert claim.assignee is None


def test_the_bulk_assign_menu_starts_on_no_choice(chief_client):
    ClaimFactory()
    html = chief_client.get(reverse("claims-queue")).content.decode()
    menu = html[html.index('aria-label="Assign to"') :]
    assert menu.index('<option value="">Assign to…</option>') < menu.index('value="none"')


def test_a_partly_refused_bulk_action_keeps_the_refused_claims_ticked(chief_client):
    ok, refused = ClaimFactory(), ClaimFactory()
    Source.objects.create(claim=ok, url="https://a.example/1")
    data = {"action": "status", "status": "verified", "claim": [f"{ok.pk}:1", f"{refused.pk}:1"]}
    response = chief_client.post(reverse("claims-bulk"), data, headers=HTMX)
    html = response.content.decode()
    # Only the changed row is swapped (out of band); the table is not reloaded, so the
    # refused claim stays ticked and the form keeps its chosen action.
    assert f'<tr id="claim-{ok.pk}"' in html and 'hx-swap-oob="true"' in html
    assert f'id="claim-{refused.pk}"' not in html
    assert "claimsChanged" not in response["HX-Trigger"]
    assert "claimChanged" in response["HX-Trigger"]


def test_a_refused_bulk_action_without_javascript_keeps_ticks_and_choice(chief_client):
    ok, refused = ClaimFactory(), ClaimFactory()
    Source.objects.create(claim=ok, url="https://a.example/1")
    data = {"action": "status", "status": "verified", "note": "checked",
            "claim": [f"{ok.pk}:1", f"{refused.pk}:1"], "next": "/?q=Officials"}  # fmt: skip
    response = chief_client.post(reverse("claims-bulk"), data)
    assert response.status_code == 302
    page = chief_client.get(response.url).content.decode()
    assert "1 refused" in page
    assert (
        f'value="{refused.pk}:1" form="bulk-form" aria-label="Select claim {refused.pk}" checked'
        in page
    )
    assert f'value="{ok.pk}:2" form="bulk-form" aria-label="Select claim {ok.pk}">' in page
    assert '<option value="verified" selected>' in page and 'value="checked"' in page


def test_the_panel_does_not_repeat_a_claim_whose_summary_is_its_text_cut_short(reviewer_client):
    text = "Bus fares went up in January after ridership rose by 12 percent over the year"
    claim = ClaimFactory(text=text, summary="Bus fares went up in January after ridership rose by…")
    html = reviewer_client.get(reverse("claims-panel", args=[claim.pk]), headers=HTMX)
    html = html.content.decode()
    assert html.count("Bus fares went up in January") == 1
    assert f'<h2 class="claim-summary claim-full">{text}</h2>' in html
    other = ClaimFactory(text="Officials said 40 buses were added.", summary="40 buses added")
    html = reviewer_client.get(reverse("claims-panel", args=[other.pk]), headers=HTMX)
    html = html.content.decode()
    assert '<h2 class="claim-summary">40 buses added</h2>' in html
    assert '<blockquote class="claim-text">Officials said 40 buses were added.</blockquote>' in html
