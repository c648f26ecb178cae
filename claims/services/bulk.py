"""The desk chief's actions over many claims: assign them, set their status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from claims.models import Claim
from claims.services.review import ReviewConflict, ReviewRuleError, claim_set_status


def claims_assign(*, claim_ids: Iterable[int], assignee: AbstractBaseUser | None) -> int:
    """Give claims to a reviewer (or to nobody). Returns how many claims were assigned.

    Assignment is not a review change, so the version stays: a reviewer with the claim's
    panel open is not sent into a conflict because the desk chief reassigned it.
    """
    return Claim.objects.filter(pk__in=list(claim_ids)).update(
        assignee=assignee, updated_at=timezone.now()
    )


# A verdict: a bulk change moves these only when the desk chief confirmed it.
JUDGED = (Claim.Status.VERIFIED, Claim.Status.DISPUTED)


@dataclass
class BulkReviewReport:
    changed: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    # (from status, to status) -> claims moved so, for a message that names what changed.
    moves: Counter = field(default_factory=Counter)
    # Judged claims left as they were (not confirmed): (id, their status).
    kept_judged: list[tuple[int, str]] = field(default_factory=list)


def claims_bulk_set_status(
    *,
    versions: dict[int, int],
    user: AbstractBaseUser,
    status: str,
    note: str = "",
    change_judged: bool = False,
) -> BulkReviewReport:
    """Set many claims' status, each with its own version check and review rules.

    Every claim is its own change (and its own history entry); one refused claim, by a
    rule or a conflict, leaves the others applied and is reported with its reason.
    A verified or disputed claim is moved only with ``change_judged`` (the desk chief
    confirmed it); otherwise it is left as it was and reported in ``kept_judged``.
    """
    report = BulkReviewReport()
    before = dict(Claim.objects.filter(pk__in=list(versions)).values_list("pk", "status"))
    for claim_id, version in versions.items():
        was = before.get(claim_id)
        if was in JUDGED and was != status and not change_judged:
            report.kept_judged.append((claim_id, was))
            continue
        try:
            claim_set_status(
                claim_id=claim_id, user=user, status=status, expected_version=version, note=note
            )
        except (ReviewConflict, ReviewRuleError) as exc:
            report.refused.append((claim_id, str(exc)))
        except Claim.DoesNotExist:
            report.refused.append((claim_id, "This claim no longer exists."))
        else:
            report.changed.append(claim_id)
            report.moves[(was, status)] += 1
    return report
