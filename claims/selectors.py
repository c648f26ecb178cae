"""Reads: the queries behind the dashboard, the article page and the exports.

One selector, ``claim_list``, serves the queue and both exports, so a filter means the
same thing everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from claims.models import Article, Claim, ExtractionJob


@dataclass
class ClaimFilters:
    status: str = ""
    type: str = ""
    article: int | None = None
    outlet: str = ""
    speaker: str = ""
    assignee: int | None = None
    unassigned: bool = False
    q: str = ""
    score_min: float | None = None
    score_max: float | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    include_orphaned: bool = False
    sort: str = "-score"


SORTS = {
    "-score": ("-score", "-id"),
    "score": ("score", "id"),
    "-date": ("-created_at", "-id"),
    "date": ("created_at", "id"),
}


def claim_list(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    filters = filters or ClaimFilters()
    qs = Claim.objects.all()
    if not filters.include_orphaned:
        qs = qs.filter(is_orphaned=False)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.article:
        qs = qs.filter(article_id=filters.article)
    if filters.outlet:
        qs = qs.filter(article__outlet__iexact=filters.outlet)
    if filters.speaker:
        qs = qs.filter(speaker__icontains=filters.speaker)
    if filters.unassigned:
        qs = qs.filter(assignee=None)
    elif filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.q:
        qs = qs.filter(Q(text__icontains=filters.q) | Q(summary__icontains=filters.q))
    if filters.score_min is not None:
        qs = qs.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        qs = qs.filter(score__lte=filters.score_max)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["-score"]))


def claim_list_for_review(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    return claim_list(filters=filters).select_related("article", "assignee", "reviewed_by")


def claims_for_export(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    """The CSV export's claims: exactly the dashboard's, in the dashboard's order."""
    return claim_list(filters=filters)


# Only verdicts are published; "sourced" says where a figure came from, not whether it is true.
CLAIMREVIEW_STATUSES = (Claim.Status.VERIFIED, Claim.Status.DISPUTED)


def claims_for_claimreview(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    """The dashboard's claims that carry a verdict, for the ClaimReview feed."""
    return (
        claim_list(filters=filters)
        .filter(status__in=CLAIMREVIEW_STATUSES)
        .select_related("article")
    )


def claim_status_counts(*, filters: ClaimFilters | None = None) -> dict[str, int]:
    """Claims per status under the given filters (ignoring the status filter itself)."""
    filters = filters or ClaimFilters()
    unfiltered = ClaimFilters(**{**filters.__dict__, "status": ""})
    rows = claim_list(filters=unfiltered).order_by().values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Claim.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["all"] = sum(counts[s] for s in Claim.Status.values)
    return counts


def article_latest_job(*, article: Article) -> ExtractionJob | None:
    return article.jobs.order_by("-created_at", "-id").first()


def article_claims(*, article: Article) -> QuerySet[Claim]:
    return (
        article.claims.filter(is_orphaned=False)
        .select_related("assignee", "reviewed_by")
        .order_by("start", "id")
    )


def claim_detail(*, claim_id: int) -> Claim:
    return (
        Claim.objects.select_related("article", "assignee", "reviewed_by")
        .prefetch_related("sources", "history__changed_by")
        .get(pk=claim_id)
    )
