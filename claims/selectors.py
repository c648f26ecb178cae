"""Reads: the queries behind the dashboard, the article page and the exports.

One selector, ``claim_list``, serves the queue and both exports, so a filter means the
same thing everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from claims import selectors_matching
from claims.models import (
    Article,
    Claim,
    ClaimComment,
    ClaimStatusTally,
    ExtractionJob,
    VerdictRating,
)
from claims.selectors_queue import QUEUE_ROW_COLUMNS, QueueRow
from claims.uploads import article_parts, body_hash


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
    # What date_from/date_to compare: the article's published date, or when the claim
    # was extracted ("extracted").
    date_basis: str = "published"
    include_orphaned: bool = False
    # Claims a reviewer dismissed ("not a claim"): "" leaves them out, as every count and
    # export does; "include" shows them too, "only" shows nothing else.
    dismissed: str = ""
    sort: str = "-score"
    # One of selectors_matching.MEMORY_FILTERS: a past verdict, a disputed repeat, a conflict.
    memory: str = ""


# "date" is the article's published date (claims of undated articles come last, either
# way); "extracted" is when the claim was found.
SORTS = {
    "-score": ("-score", "-id"),
    "score": ("score", "id"),
    "-date": (F("article__published_date").desc(nulls_last=True), "-id"),
    "date": (F("article__published_date").asc(nulls_last=True), "id"),
    "-extracted": ("-created_at", "-id"),
    "extracted": ("created_at", "id"),
}
DATE_BASES = ("published", "extracted")


def claim_list(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    filters = filters or ClaimFilters()
    qs = Claim.objects.all()
    if not filters.include_orphaned:
        qs = qs.filter(is_orphaned=False)
    if filters.dismissed == "only":
        qs = qs.exclude(dismissed="")
    elif filters.dismissed != "include":
        qs = qs.filter(dismissed="")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.article:
        qs = qs.filter(article_id=filters.article)
    if filters.outlet:
        qs = qs.filter(article__outlet__icontains=filters.outlet)
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
    extracted = filters.date_basis == "extracted"
    date_field = "created_at__date" if extracted else "article__published_date"
    if filters.date_from:
        qs = qs.filter(**{f"{date_field}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{date_field}__lte": filters.date_to})
    if filters.memory:
        qs = selectors_matching.claims_filter_memory(qs, memory=filters.memory)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["-score"]))


def claim_list_for_review(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    return claim_list(filters=filters).select_related("article", "assignee", "reviewed_by")


def claims_for_export(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    """The CSV export's claims: exactly the dashboard's, in the dashboard's order."""
    return claim_list(filters=filters)


# Only verdicts are published; "sourced" says where a figure came from, not whether it is true.
CLAIMREVIEW_STATUSES = (Claim.Status.VERIFIED, Claim.Status.DISPUTED)


def claims_for_claimreview(*, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    """The dashboard's claims that carry a verdict (a status verdict or a desk rating),
    for the ClaimReview feed."""
    return (
        claim_list(filters=filters)
        .filter(Q(status__in=CLAIMREVIEW_STATUSES) | Q(verdict__isnull=False))
        .select_related("article", "verdict__rating")
    )


def claims_judged_to_change(*, claim_ids, status: str) -> list[Claim]:
    """The verified or disputed claims among these that a bulk change to ``status`` would
    move: the ones a desk chief is asked to confirm."""
    return list(
        Claim.objects.filter(
            pk__in=list(claim_ids), status__in=(Claim.Status.VERIFIED, Claim.Status.DISPUTED)
        )
        .exclude(status=status)
        .order_by("pk")
    )


def claim_status_counts(*, filters: ClaimFilters | None = None) -> dict[str, int]:
    """Claims per status under the given filters (ignoring the status filter itself).

    Over the whole desk (no filter but status and sort) they are read from the tally the
    database keeps (ClaimStatusTally), not counted: counting every claim was most of the
    queue's cost. A filtered count scans only what the filter leaves.
    """
    filters = filters or ClaimFilters()
    unfiltered = ClaimFilters(**{**filters.__dict__, "status": ""})
    counts = {status: 0 for status in Claim.Status.values}
    if unfiltered == ClaimFilters(sort=filters.sort):
        tally = ClaimStatusTally.objects.filter(status__in=Claim.Status.values)
        counts.update(dict(tally.values_list("status", "count")))
        counts["all"] = sum(counts[s] for s in Claim.Status.values)
        return counts
    rows = claim_list(filters=unfiltered).order_by().values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows})
    counts["all"] = sum(counts[s] for s in Claim.Status.values)
    return counts


def article_duplicate_of(*, text: str, title: str = "") -> Article | None:
    """The stored article with the same normalised body, if any."""
    return Article.objects.filter(body_hash=body_hash(article_parts(text, title).body)).first()


def jobs_held(*, job_ids: list[int], token: str) -> list[int]:
    """The jobs among ``job_ids`` that the delivery ``token`` started and has not finished."""
    return list(
        ExtractionJob.objects.filter(
            pk__in=list(job_ids), state=ExtractionJob.State.RUNNING, run_token=token
        ).values_list("pk", flat=True)
    )


def article_latest_job(*, article: Article) -> ExtractionJob | None:
    return article.jobs.order_by("-created_at", "-id").first()


def article_claims(*, article: Article, include_dismissed: bool = False) -> QuerySet[Claim]:
    claims = article.claims.filter(is_orphaned=False)
    if not include_dismissed:
        claims = claims.filter(dismissed="")
    return claims.select_related("assignee", "reviewed_by").order_by("start", "id")


def claim_detail(*, claim_id: int) -> Claim:
    return claim_detail_queryset().get(pk=claim_id)


def claim_detail_queryset() -> QuerySet[Claim]:
    """Claims with everything the review panel shows: sources and history with authors."""
    claims = Claim.objects.select_related(
        "article", "assignee", "reviewed_by", "verdict__rating", "verdict__rated_by"
    ).prefetch_related(
        "sources", "history__changed_by", "rating_history__changed_by", "comments__author"
    )
    return claims


def verdict_scale() -> list[VerdictRating]:
    """The ratings offered in the review panel, in the desk's order."""
    return list(VerdictRating.objects.filter(is_active=True).order_by("order", "id"))


def claim_comments(*, claim: Claim) -> QuerySet[ClaimComment]:
    return claim.comments.select_related("author").order_by("created_at", "id")


# --- dashboard: keyset pages, article highlighting, overview ----------------------------

# The column each sort pages on; id breaks ties so every claim has one place in the order.
KEYSET_FIELDS = {
    "-score": ("score", True),
    "score": ("score", False),
    "-date": ("article__published_date", True),
    "date": ("article__published_date", False),
    "-extracted": ("created_at", True),
    "extracted": ("created_at", False),
}
_PUBLISHED = "article__published_date"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass
class ClaimPage:
    claims: list[Claim] | list[QueueRow]
    next_cursor: str
    is_first: bool


def _cursor_for(claim: Claim | QueueRow, field: str) -> str:
    if field == _PUBLISHED:
        if isinstance(claim, QueueRow):
            published = claim.published_date
        else:
            published = claim.article.published_date
        return f"{published.isoformat() if published else 'none'}_{claim.pk}"
    value = getattr(claim, field)
    if field == "created_at":
        # Whole microseconds since the epoch: exact, and plain in a URL.
        value = (value - _EPOCH) // datetime.timedelta(microseconds=1)
    return f"{value!r}_{claim.pk}"


def _parse_cursor(cursor: str, field: str):
    """(value, id) from a cursor, or None for a missing or mangled one (the first page)."""
    raw_value, _, raw_pk = (cursor or "").rpartition("_")
    try:
        pk = int(raw_pk)
        if field == _PUBLISHED:
            value = None if raw_value == "none" else datetime.date.fromisoformat(raw_value)
        elif field == "created_at":
            value = _EPOCH + datetime.timedelta(microseconds=int(raw_value))
        else:
            value = float(raw_value)
    except (ValueError, OverflowError):
        return None
    return value, pk


def claim_page(
    *, filters: ClaimFilters, after: str = "", size: int = 50, queue_rows: bool = False
) -> ClaimPage:
    """One page of the queue, starting after the cursor: keyset pagination.

    The database seeks straight to the cursor in the (score, id) or (created_at, id)
    index, so page 2,000 costs what page 1 costs, unlike OFFSET, which reads and drops
    every row before it. ``queue_rows``: QueueRows with their badges instead of claims.
    """
    field, descending = KEYSET_FIELDS.get(filters.sort, KEYSET_FIELDS["-score"])
    claims = claim_list(filters=filters) if queue_rows else claim_list_for_review(filters=filters)
    key = _parse_cursor(after, field)
    if key and field == _PUBLISHED:
        claims = claims.filter(_after_published(*key, descending=descending))
    elif key:
        value, pk = key
        beyond, within = ("lt", "lte") if descending else ("gt", "gte")
        # The redundant `within` bound is what lets the database seek in the index.
        claims = claims.filter(
            Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"id__{beyond}": pk}),
            **{f"{field}__{within}": value},
        )
    if queue_rows:
        rows = [QueueRow(*values) for values in claims.values_list(*QUEUE_ROW_COLUMNS)[: size + 1]]
    else:
        rows = list(claims[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if queue_rows:
        selectors_matching.claims_with_memory_badges(rows)
    return ClaimPage(
        claims=rows,
        next_cursor=_cursor_for(rows[-1], field) if more else "",
        is_first=key is None,
    )


def _after_published(value, pk: int, *, descending: bool) -> Q:
    """Claims after the cursor in published-date order, undated articles last."""
    beyond = "lt" if descending else "gt"
    undated_after = Q(**{f"{_PUBLISHED}__isnull": True, f"id__{beyond}": pk})
    if value is None:
        return undated_after
    return (
        Q(**{f"{_PUBLISHED}__{beyond}": value})
        | Q(**{_PUBLISHED: value, f"id__{beyond}": pk})
        | Q(**{f"{_PUBLISHED}__isnull": True})
    )


def status_tally(claims: list[Claim]) -> dict[str, int]:
    """Counts per status of claims already loaded (no query), with "all" and "reviewed";
    dismissed claims, when shown, are not counted."""
    claims = [claim for claim in claims if not claim.dismissed]
    counts = {status: 0 for status in Claim.Status.values}
    for claim in claims:
        counts[claim.status] += 1
    counts["all"] = len(claims)
    counts["reviewed"] = counts["all"] - counts[Claim.Status.UNREVIEWED]
    return counts


def claim_status_overview() -> dict:
    """Status distribution across the desk and per outlet, from one aggregate query."""
    rows = (
        Claim.objects.filter(is_orphaned=False, dismissed="")
        .values("article__outlet", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    desk = {status: 0 for status in Claim.Status.values}
    outlets: dict[str, dict[str, int]] = {}
    for row in rows:
        outlet = row["article__outlet"] or "(no outlet)"
        outlets.setdefault(outlet, {status: 0 for status in Claim.Status.values})
        outlets[outlet][row["status"]] += row["n"]
        desk[row["status"]] += row["n"]
    ordered = sorted(outlets.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return {"desk": desk, "outlets": ordered}


def jobs_needing_attention(*, limit: int = 10) -> list[ExtractionJob]:
    """Jobs still queued or running, and failed jobs, newest first (the queue's job box)."""
    shown = ExtractionJob.objects.filter(
        state__in=[
            ExtractionJob.State.QUEUED,
            ExtractionJob.State.RUNNING,
            ExtractionJob.State.FAILED,
        ]
    )
    # Most of the time there is none, and this plain test costs a seventh of the query
    # below (which every queue page would otherwise build and run).
    if not shown.exists():
        return []
    # A failed job that was retried since is history, not something to act on.
    superseded = ExtractionJob.objects.filter(article=OuterRef("article"), pk__gt=OuterRef("pk"))
    return list(
        shown.exclude(Exists(superseded))
        .select_related("article")
        .order_by("-created_at", "-id")[:limit]
    )


def outlet_names() -> list[str]:
    return list(
        Article.objects.exclude(outlet="")
        .order_by("outlet")
        .values_list("outlet", flat=True)
        .distinct()
    )
