"""Review: a reviewer's status change on a claim, with its sources and its history."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Claim, Source, StatusChange
from claims.services.webhooks import webhooks_claim_judged
from claims.uploads import is_web_url


class ReviewConflict(Exception):
    """Someone else changed the claim since the reviewer loaded it."""

    def __init__(self, claim: Claim):
        self.claim = claim
        who = claim.reviewed_by.get_username() if claim.reviewed_by else "someone else"
        super().__init__(
            f"{who} changed this claim while you were working on it; "
            f"it is now {claim.get_status_display().lower()}. Review the fresh state and try again."
        )


class ReviewRuleError(ValueError):
    """A status change that the desk's rules do not allow (e.g. verified without a source)."""


def claim_set_status(
    *,
    claim_id: int,
    user: AbstractBaseUser,
    status: str,
    expected_version: int,
    note: str = "",
    source_url: str = "",
    source_title: str = "",
    counter_source: bool = False,
) -> Claim:
    """Change a claim's review status, optionally adding a source and a note, atomically.

    Rules: sourced and verified need a supporting source; disputed needs a note or a
    counter-source. The change applies only if nobody changed the claim since the
    reviewer loaded ``expected_version``; otherwise ReviewConflict carries the fresh claim.
    """
    if status not in Claim.Status.values:
        raise ReviewRuleError(f"Unknown status {status!r}.")
    note = note.strip()
    with transaction.atomic():
        claim = Claim.objects.get(pk=claim_id)
        now = timezone.now()
        # The conditional update is the lock: of two reviewers saving version N, exactly
        # one matches; the other sees 0 rows and gets a conflict.
        won = Claim.objects.filter(pk=claim_id, version=expected_version).update(
            status=status,
            version=F("version") + 1,
            reviewed_by=user,
            reviewed_at=now,
            updated_at=now,
        )
        if not won:
            raise ReviewConflict(Claim.objects.select_related("reviewed_by").get(pk=claim_id))
        if claim.dismissed:
            raise ReviewRuleError(
                "This claim was dismissed as not a claim: restore it before judging it."
            )
        if source_url.strip() or source_title.strip():
            claim_add_source(
                claim=claim,
                user=user,
                url=source_url,
                title=source_title,
                is_counter=counter_source,
            )
        _check_review_rules(claim=claim, status=status, note=note)
        change = StatusChange.objects.create(
            claim=claim, changed_by=user, from_status=claim.status, to_status=status, note=note
        )
        webhooks_claim_judged(change=change)  # sent after the commit, never in this request
    return Claim.objects.select_related("article", "assignee", "reviewed_by").get(pk=claim_id)


def _check_review_rules(*, claim: Claim, status: str, note: str) -> None:
    sources = claim.sources.all()
    supporting = sources.filter(is_counter=False).exists()
    if status in (Claim.Status.SOURCED, Claim.Status.VERIFIED) and not supporting:
        label = Claim.Status(status).label.lower()
        raise ReviewRuleError(
            f"A claim marked {label} needs at least one source (URL or citation)."
        )
    if (
        status == Claim.Status.DISPUTED
        and not note
        and not sources.filter(is_counter=True).exists()
    ):
        raise ReviewRuleError("A disputed claim needs a note or a counter-source.")


def claim_add_source(
    *,
    claim: Claim,
    user: AbstractBaseUser,
    url: str = "",
    title: str = "",
    is_counter: bool = False,
) -> Source:
    url, title = url.strip(), title.strip()
    if not url and not title:
        raise ReviewRuleError("A source needs a URL or a citation.")
    if url and not is_web_url(url):
        raise ReviewRuleError("A source URL must start with http:// or https://.")
    return Source.objects.create(
        claim=claim, url=url[:2000], title=title[:500], is_counter=is_counter, added_by=user
    )
