"""Past verdicts put to use: apply a match's verdict to a claim, apply one judgement to the
rest of a confirmed group, reject a wrong match. Every status change goes through
``claim_set_status``, so each is version-checked and has its own history entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.models import Claim, ClaimMatch
from claims.services.review import (
    ReviewConflict,
    ReviewRuleError,
    claim_add_source,
    claim_set_status,
)

# A fact-checker's rating, read as the desk's status ("Mostly false" is disputed).
DISPUTED_RATINGS = (
    "false", "misleading", "incorrect", "wrong", "pants on fire", "fake", "inaccurate",
    "exaggerat", "no evidence", "unsupported", "distort", "fabricat", "mixture", "half",
    "untrue", "not true",
)  # fmt: skip
VERIFIED_RATINGS = ("true", "correct", "accurate", "right")


def status_for_rating(rating: str) -> str:
    """The desk's status for a fact-checker's rating: disputed, verified, or (a rating the
    desk cannot read) sourced, with the fact-check as its source."""
    text = rating.lower()
    if any(word in text for word in DISPUTED_RATINGS):
        return Claim.Status.DISPUTED
    if any(word in text for word in VERIFIED_RATINGS):
        return Claim.Status.VERIFIED
    return Claim.Status.SOURCED


def claim_apply_match(
    *, claim_id: int, match_id: int, user: AbstractBaseUser, expected_version: int
) -> Claim:
    """Give the claim the verdict of one of its matches: the status, the sources (the
    fact-check's page, or the matched claim's sources), and a history note naming the
    match. Raises ReviewConflict if the claim changed since ``expected_version``."""
    match = (
        ClaimMatch.objects.select_related("fact_check", "other_claim__article")
        .filter(claim_id=claim_id, rejected_at__isnull=True)
        .get(pk=match_id)
    )
    with transaction.atomic():
        claim = Claim.objects.get(pk=claim_id)
        if match.fact_check is not None:
            fc = match.fact_check
            status = status_for_rating(fc.rating)
            label = f"{fc.publisher or 'a fact-checker'} rated it {fc.rating or 'unrated'!r}"
            sources = [(fc.url, fc.title or fc.text[:500], status == Claim.Status.DISPUTED)]
            note = f"Verdict applied from match {match.pk}: {label}" + (
                f" ({fc.url})" if fc.url else ""
            )
        else:
            other = match.other_claim
            if other.status == Claim.Status.UNREVIEWED:
                raise ReviewRuleError("The matched claim has no verdict to apply yet.")
            status = other.status
            sources = [(s.url, s.title, s.is_counter) for s in other.sources.all()]
            note = (
                f"Verdict applied from match {match.pk}: claim {other.pk} in "
                f"“{other.article.title}” is {other.get_status_display().lower()}"
            )
        existing = set(claim.sources.values_list("url", "title", "is_counter"))
        for url, title, is_counter in sources:
            if (url or title) and (url, title, is_counter) not in existing:
                claim_add_source(
                    claim=claim, user=user, url=url, title=title, is_counter=is_counter
                )
        return claim_set_status(
            claim_id=claim_id,
            user=user,
            status=status,
            expected_version=expected_version,
            note=note,
        )


@dataclass
class GroupReport:
    applied: list[Claim] = field(default_factory=list)
    conflicts: list[Claim] = field(default_factory=list)
    refused: list[tuple[Claim, str]] = field(default_factory=list)


def claims_apply_judgement(
    *, claim_id: int, targets: dict[int, int], user: AbstractBaseUser
) -> GroupReport:
    """Give the claims ``targets`` (claim id → the version the reviewer saw) the status and
    sources of ``claim_id``, each through its confirmed match to it, each version-checked on
    its own: a claim changed meanwhile is reported, the others are judged."""
    report = GroupReport()
    matches = {
        m.claim_id: m
        for m in ClaimMatch.objects.filter(
            claim_id__in=list(targets), other_claim_id=claim_id, rejected_at__isnull=True
        )
    }
    for target_id, version in targets.items():
        match = matches.get(target_id)
        if match is None:
            continue  # not in this claim's group (or the match was rejected meanwhile)
        try:
            report.applied.append(
                claim_apply_match(
                    claim_id=target_id, match_id=match.pk, user=user, expected_version=version
                )
            )
        except ReviewConflict as exc:
            report.conflicts.append(exc.claim)
        except ReviewRuleError as exc:
            report.refused.append((Claim.objects.get(pk=target_id), str(exc)))
    return report


def match_reject(*, claim_id: int, match_id: int, user: AbstractBaseUser) -> ClaimMatch:
    """A reviewer says the match is wrong: it is never offered again, for either claim."""
    match = ClaimMatch.objects.get(pk=match_id, claim_id=claim_id)
    now = timezone.now()
    pair = Q(pk=match.pk)
    if match.other_claim_id:
        pair |= Q(claim_id=match.other_claim_id, other_claim_id=match.claim_id)
    ClaimMatch.objects.filter(pair, rejected_at__isnull=True).update(
        rejected_by=user, rejected_at=now
    )
    match.refresh_from_db()
    return match
