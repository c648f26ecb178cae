"""Verdict ratings on the desk's scale and the desk's comments: services and endpoints."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import ClaimComment, RatingChange, VerdictRating
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def rita():
    return UserFactory(username="rita", role="reviewer")


def scale(name):
    return VerdictRating.objects.get(name=name)


def rating_url(claim):
    return reverse("claims-set-rating", args=[claim.pk])


def test_the_migration_seeds_the_default_scale_in_order():
    names = list(VerdictRating.objects.values_list("name", "value"))
    assert names == [
        ("True", 5),
        ("Mostly true", 4),
        ("Half true", 3),
        ("Misleading", 2),
        ("False", 1),
        ("Unproven", None),
    ]


def test_rating_a_claim_keeps_its_history_and_bumps_the_version(rita):
    claim = ClaimFactory()
    services.claim_set_rating(
        claim_id=claim.pk,
        user=rita,
        rating_id=scale("Half true").pk,
        explanation="The figure is right, the trend is not.",
        expected_version=1,
    )
    services.claim_set_rating(
        claim_id=claim.pk,
        user=rita,
        rating_id=scale("Misleading").pk,
        explanation="Two lines\n  pasted",
        expected_version=2,
    )
    claim.refresh_from_db()
    assert claim.version == 3
    assert claim.verdict.rating.name == "Misleading"
    assert claim.verdict.explanation == "Two lines pasted"  # one line
    history = list(RatingChange.objects.filter(claim=claim).values_list("from_rating", "to_rating"))
    assert history == [("", "Half true"), ("Half true", "Misleading")]


def test_a_stale_version_is_a_conflict_and_changes_nothing(rita):
    claim = ClaimFactory(version=2)
    with pytest.raises(services.ReviewConflict):
        services.claim_set_rating(
            claim_id=claim.pk,
            user=rita,
            rating_id=scale("True").pk,
            explanation="Checked.",
            expected_version=1,
        )
    assert not RatingChange.objects.exists()


@pytest.mark.parametrize(
    "rating, explanation",
    [("True", ""), ("True", "x" * 301), (None, "Checked.")],
)
def test_a_rating_needs_a_scale_entry_and_a_one_line_explanation(rita, rating, explanation):
    claim = ClaimFactory()
    rating_id = scale(rating).pk if rating else 999999
    with pytest.raises(services.ReviewRuleError):
        services.claim_set_rating(
            claim_id=claim.pk,
            user=rita,
            rating_id=rating_id,
            explanation=explanation,
            expected_version=1,
        )
    claim.refresh_from_db()
    assert claim.version == 1


def test_an_inactive_rating_is_not_offered_nor_accepted(rita, client):
    VerdictRating.objects.filter(name="Unproven").update(is_active=False)
    claim = ClaimFactory()
    with pytest.raises(services.ReviewRuleError):
        services.claim_set_rating(
            claim_id=claim.pk,
            user=rita,
            rating_id=scale("Unproven").pk,
            explanation="x",
            expected_version=1,
        )
    client.force_login(rita)
    html = client.get(reverse("claims-panel", args=[claim.pk]), headers=HTMX).content.decode()
    assert ">Mostly true<" in html and ">Unproven<" not in html


def test_the_rating_endpoint_returns_the_panel_for_htmx(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    data = {"rating": scale("Mostly true").pk, "explanation": "Close enough.", "version": 1}
    response = client.post(rating_url(claim), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="review-panel"')
    assert "data-rating>Mostly true<" in html and "Close enough." in html
    assert "claimChanged" in response["HX-Trigger"]
    assert "HX-Request" in response["Vary"]


def test_the_rating_endpoint_redirects_a_plain_post_with_a_message(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    data = {"rating": scale("False").pk, "explanation": "No such law.", "version": 1}
    response = client.post(rating_url(claim), data, follow=True)
    assert response.redirect_chain[0][0].endswith(f"?claim={claim.pk}#review-panel")
    assert "Rated false." in response.content.decode()


def test_a_conflicting_rating_keeps_what_was_typed(rita, client):
    client.force_login(rita)
    claim = ClaimFactory(version=3)
    data = {"rating": scale("False").pk, "explanation": "Typed with care", "version": 1}
    html = client.post(rating_url(claim), data, headers=HTMX).content.decode()
    assert "changed this claim while you were working on it" in html
    assert 'value="Typed with care"' in html
    assert 'name="version" value="3"' in html  # the fresh version, to save again


@pytest.mark.parametrize(
    "role, allowed", [("editor", False), ("reviewer", True), ("desk chief", True)]
)
def test_rating_needs_a_reviewing_role(client, role, allowed):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    claim = ClaimFactory()
    data = {"rating": scale("True").pk, "explanation": "ok", "version": 1}
    response = client.post(rating_url(claim), data, headers=HTMX)
    assert (response.status_code == 200) is allowed
    assert (response.status_code == 403) is not allowed


def test_anonymous_rating_goes_to_login(client):
    claim = ClaimFactory()
    response = client.post(rating_url(claim), {"rating": 1, "explanation": "x", "version": 1})
    assert response.url.startswith(reverse("login"))


# --- comments ----------------------------------------------------------------------------


def test_comments_are_listed_with_author_and_time_and_added_by_htmx(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    url = reverse("claims-add-comment", args=[claim.pk])
    response = client.post(url, {"body": "Ask the ministry for table 3."}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="comments" id="comments-{claim.pk}"')
    assert "<b>rita</b>" in html and "Ask the ministry for table 3." in html
    assert "<time datetime=" in html
    listed = client.get(reverse("claims-comments", args=[claim.pk]), headers=HTMX)
    assert "Ask the ministry for table 3." in listed.content.decode()
    # Not a review change: the version stays, so nobody's open panel goes stale.
    claim.refresh_from_db()
    assert claim.version == 1


def test_comments_without_htmx(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    listed = client.get(reverse("claims-comments", args=[claim.pk]))
    assert listed.status_code == 302 and listed.url.endswith(f"?claim={claim.pk}#review-panel")
    url = reverse("claims-add-comment", args=[claim.pk])
    response = client.post(url, {"body": "Plain post"}, follow=True)
    assert "Comment added." in response.content.decode()
    assert ClaimComment.objects.get().body == "Plain post"


def test_an_empty_comment_is_refused_with_a_reason(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    url = reverse("claims-add-comment", args=[claim.pk])
    html = client.post(url, {"body": "   "}, headers=HTMX).content.decode()
    assert 'role="alert"' in html
    assert not ClaimComment.objects.exists()


@pytest.mark.parametrize(
    "role, allowed", [("editor", False), ("reviewer", True), ("desk chief", True)]
)
def test_commenting_needs_a_reviewing_role_but_every_role_reads(client, role, allowed):
    user = UserFactory(username=f"c-{role}", role=role)
    client.force_login(user)
    claim = ClaimFactory()
    ClaimComment.objects.create(claim=claim, author=user, body="Seen")
    assert client.get(reverse("claims-comments", args=[claim.pk]), headers=HTMX).status_code == 200
    response = client.post(
        reverse("claims-add-comment", args=[claim.pk]), {"body": "Mine"}, headers=HTMX
    )
    assert response.status_code == (200 if allowed else 403)


def test_the_panel_shows_the_comments_separate_from_the_verdict_note(rita, client):
    client.force_login(rita)
    claim = ClaimFactory()
    ClaimComment.objects.create(claim=claim, author=rita, body="Desk-only remark")
    html = client.get(reverse("claims-panel", args=[claim.pk]), headers=HTMX).content.decode()
    comments = html.index('class="comments"')
    assert html.index("Desk-only remark") > comments
    assert 'class="note"' not in html[:comments]  # not in the review history


def test_desk_chiefs_edit_the_scale_in_the_admin_and_reviewers_cannot(client):
    chief = UserFactory(username="carla", role="desk chief")
    chief.is_staff = True
    chief.save()
    client.force_login(chief)
    add = reverse("admin:claims_verdictrating_add")
    response = client.post(
        add, {"name": "Pants on fire", "value": 0, "order": 7, "is_active": "on"}
    )
    assert response.status_code == 302
    assert VerdictRating.objects.get(name="Pants on fire").value == 0
    # A rating in use is retired, never deleted (history and published verdicts keep it).
    delete = reverse("admin:claims_verdictrating_delete", args=[scale("False").pk])
    assert client.get(delete).status_code == 403
    reviewer = UserFactory(username="rex", role="reviewer")
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    assert client.get(add).status_code == 403
