import pytest

from claims import services
from claims.models import Claim, Source, StatusChange
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return UserFactory(username="rita", role="reviewer")


def set_status(claim, user, status, **kwargs):
    return services.claim_set_status(
        claim_id=claim.pk, user=user, status=status, expected_version=claim.version, **kwargs
    )


def test_verified_needs_a_source(reviewer):
    claim = ClaimFactory()
    with pytest.raises(services.ReviewRuleError, match="needs at least one source"):
        set_status(claim, reviewer, Claim.Status.VERIFIED)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNREVIEWED
    assert claim.version == 1  # the refused change left nothing behind
    assert not StatusChange.objects.exists()


def test_verified_with_a_source_records_history(reviewer):
    claim = ClaimFactory()
    updated = set_status(
        claim, reviewer, Claim.Status.VERIFIED, note="Matches the ministry's table.",
        source_url="https://stats.example.org/t1", source_title="Ministry table 1",
    )  # fmt: skip
    assert updated.status == Claim.Status.VERIFIED
    assert updated.version == 2
    assert updated.reviewed_by == reviewer
    [entry] = StatusChange.objects.filter(claim=claim)
    assert (entry.from_status, entry.to_status) == ("unreviewed", "verified")
    assert entry.changed_by == reviewer
    assert entry.note == "Matches the ministry's table."
    assert Source.objects.get(claim=claim).title == "Ministry table 1"


def test_sourced_needs_a_supporting_not_a_counter_source(reviewer):
    claim = ClaimFactory()
    with pytest.raises(services.ReviewRuleError):
        set_status(
            claim, reviewer, Claim.Status.SOURCED,
            source_url="https://example.org/rebuttal", counter_source=True,
        )  # fmt: skip


def test_disputed_needs_a_note_or_counter_source(reviewer):
    claim = ClaimFactory()
    with pytest.raises(services.ReviewRuleError, match="note or a counter-source"):
        set_status(claim, reviewer, Claim.Status.DISPUTED)
    assert (
        set_status(claim, reviewer, Claim.Status.DISPUTED, note="Census says 70,000.").status
        == "disputed"
    )


def test_the_second_of_two_saves_on_one_version_gets_a_conflict(reviewer):
    other = UserFactory(username="omar", role="reviewer")
    claim = ClaimFactory()
    set_status(claim, other, Claim.Status.DISPUTED, note="Figure is from 2019.")
    with pytest.raises(services.ReviewConflict) as caught:
        # rita still has version 1 on her screen
        set_status(claim, reviewer, Claim.Status.VERIFIED, source_url="https://example.org/a")
    assert caught.value.claim.status == Claim.Status.DISPUTED
    assert "omar changed this claim" in str(caught.value)
    assert StatusChange.objects.filter(claim=claim).count() == 1
    assert not Source.objects.filter(claim=claim).exists()


def test_source_urls_must_be_web_addresses(reviewer):
    claim = ClaimFactory()
    with pytest.raises(services.ReviewRuleError, match="http"):
        set_status(claim, reviewer, Claim.Status.SOURCED, source_url="javascript:alert(1)")


def test_unknown_status_is_refused(reviewer):
    with pytest.raises(services.ReviewRuleError):
        set_status(ClaimFactory(), reviewer, "approved")


def test_fingerprints_ignore_case_punctuation_and_spacing():
    a = services.claim_fingerprint("More than 80,000 people have died.")
    assert a == services.claim_fingerprint("more than 80 000  people have died")
    assert a != services.claim_fingerprint("More than 70,000 people have died.")
    assert a != services.claim_fingerprint("More than 80,000 people have died.", 1)
