"""Reads for the desk's memory: what the review panel, the queue and the overview show of
a claim's matches (claims/services/matching.py stores them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.matching import CONFIRM, SUGGEST, terms
from claims.models import Claim, ClaimMatch

JUDGED = (Claim.Status.VERIFIED, Claim.Status.DISPUTED)
T = TypeVar("T")
_TOKEN_RE = re.compile(r"\w+(?:[.,']\w+)*|\W+", re.UNICODE)


@dataclass
class MatchItem:
    """One match as the panel shows it: the matched text with the words it shares with the
    claim marked (``segments``: (text, shared) pairs)."""

    match: ClaimMatch
    segments: list[tuple[str, bool]]

    @property
    def confirmed(self) -> bool:
        return self.match.score >= CONFIRM


@dataclass
class ClaimMemory:
    previously_checked: list[MatchItem] = field(default_factory=list)
    elsewhere: list[MatchItem] = field(default_factory=list)
    conflicts: list[MatchItem] = field(default_factory=list)
    # Other claims of this claim's confirmed group that the same judgement could go to.
    group: list[Claim] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.previously_checked or self.elsewhere or self.conflicts)


def live_matches() -> QuerySet[ClaimMatch]:
    """Matches a reviewer may be shown: not rejected, and (for claims) not orphaned."""
    return ClaimMatch.objects.filter(rejected_at__isnull=True).exclude(
        other_claim__is_orphaned=True
    )


def claim_memory(*, claim: Claim) -> ClaimMemory:
    """What the desk already knows of this claim: past verdicts (fact-checks and the desk's
    own verified or disputed claims), the same claim in other articles, conflicting figures."""
    matches = (
        live_matches()
        .filter(claim=claim)
        .select_related("fact_check", "other_claim__article")
        .order_by("-score", "id")
    )
    own = set(terms(claim.text))
    memory = ClaimMemory()
    for match in matches:
        other = match.other_claim
        text = match.fact_check.text if match.fact_check else other.text
        item = MatchItem(match, mark_shared(text, own))
        if match.has_conflict:
            memory.conflicts.append(item)
            continue
        if match.score < SUGGEST:
            continue
        if match.fact_check or other.status in JUDGED:
            memory.previously_checked.append(item)
        else:
            memory.elsewhere.append(item)
        if other is not None and match.score >= CONFIRM and other.status != claim.status:
            memory.group.append(other)
    return memory


def mark_shared(text: str, own_terms: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into runs, each marked when its words are among ``own_terms``; stop
    words and spaces between two shared words join them, so a shared phrase is one mark."""
    tokens = _TOKEN_RE.findall(text)
    flags: list[bool | None] = []
    for token in tokens:
        token_terms = terms(token) if token.strip() else []
        flags.append(any(t in own_terms for t in token_terms) if token_terms else None)
    resolved = []
    for i, flag in enumerate(flags):
        if flag is None:
            before = next((f for f in reversed(flags[:i]) if f is not None), False)
            after = next((f for f in flags[i + 1 :] if f is not None), False)
            flag = before and after
        resolved.append(flag)
    segments: list[tuple[str, bool]] = []
    for token, shared in zip(tokens, resolved, strict=True):
        if segments and segments[-1][1] == shared:
            segments[-1] = (segments[-1][0] + token, shared)
        else:
            segments.append((token, shared))
    return segments


# --- the queue and the overview -------------------------------------------------------------

MEMORY_FILTERS = {
    "past_verdict": "has a past verdict",
    "repeats_disputed": "repeats a disputed claim",
    "conflict": "conflicting figures",
}


def _suggested() -> QuerySet[ClaimMatch]:
    return live_matches().filter(score__gte=SUGGEST)


def memory_conditions() -> dict[str, Exists]:
    """Each of MEMORY_FILTERS as a condition on a Claim queryset."""
    mine = {"claim": OuterRef("pk")}
    return {
        "past_verdict": Exists(
            _suggested().filter(
                Q(fact_check__isnull=False) | Q(other_claim__status__in=JUDGED), **mine
            )
        ),
        "repeats_disputed": Exists(
            _suggested().filter(other_claim__status=Claim.Status.DISPUTED, **mine)
        ),
        "conflict": Exists(live_matches().filter(has_conflict=True, **mine)),
    }


def claims_with_memory_badges(claims: Iterable[T]) -> list[T]:
    """The queue's claims (or QueueRows) with ``has_past_verdict``, ``repeats_disputed`` and
    ``has_figure_conflict`` set for their badges: the tests of ``memory_conditions``.

    One query over the page's own matches, after the page is read. Every queue page runs
    it, and it is written out in SQL because building it through the ORM cost ten times
    what running it does (1.2 ms against 0.1 ms for fifty claims with no match).
    """
    claims = list(claims)
    for claim in claims:
        claim.has_past_verdict = claim.repeats_disputed = claim.has_figure_conflict = False
    by_id = {claim.pk: claim for claim in claims}
    if not by_id:
        return claims
    matches, others = ClaimMatch._meta.db_table, Claim._meta.db_table
    marks = ", ".join(["%s"] * len(by_id))
    sql = (
        f"SELECT m.claim_id, m.score, m.fact_check_id, o.status, m.has_conflict "
        f"FROM {matches} m LEFT JOIN {others} o ON o.id = m.other_claim_id "
        f"WHERE m.claim_id IN ({marks}) AND m.rejected_at IS NULL "
        # live_matches(): a match with an orphaned claim is not shown.
        f"AND (o.id IS NULL OR NOT o.is_orphaned) AND (m.score >= %s OR m.has_conflict)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*by_id, SUGGEST])
        rows = cursor.fetchall()
    for claim_id, score, fact_check_id, other_status, has_conflict in rows:
        claim = by_id[claim_id]
        if score >= SUGGEST:
            claim.has_past_verdict |= fact_check_id is not None or other_status in JUDGED
            claim.repeats_disputed |= other_status == Claim.Status.DISPUTED
        claim.has_figure_conflict |= bool(has_conflict)
    return claims


def claims_filter_memory(queryset: QuerySet[Claim], *, memory: str) -> QuerySet[Claim]:
    condition = memory_conditions().get(memory)
    return queryset.filter(condition) if condition is not None else queryset


def disputed_repeats(*, limit: int = 50) -> list[ClaimMatch]:
    """For the overview: claims in the desk's articles that repeat a claim it disputed."""
    return list(
        _suggested()
        .filter(other_claim__status=Claim.Status.DISPUTED, other_claim__is_orphaned=False)
        .exclude(claim__status=Claim.Status.DISPUTED)
        .filter(claim__is_orphaned=False)
        .select_related("claim__article", "other_claim__article")
        .order_by("-created_at", "-id")[:limit]
    )
