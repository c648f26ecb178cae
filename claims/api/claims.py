"""/api/v1/claims: the queue's claims, one claim in full, and a reviewer's status change."""

from __future__ import annotations

import datetime
from typing import Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from claims import permissions, selectors, services
from claims.api.auth import require
from claims.api.schemas import (
    ClaimDetail,
    ClaimPageOut,
    ClaimType,
    ConflictOut,
    Message,
    ReviewStatus,
    Sort,
    StatusIn,
    claim_detail,
    claim_out,
)

router = Router(tags=["claims"])
MAX_PAGE = 200


class ClaimQuery(Schema):
    """The queue's filters (the dashboard's, the CSV export's), and keyset paging."""

    status: ReviewStatus | None = None
    type: ClaimType | None = None
    article: int | None = None
    outlet: str = ""
    speaker: str = ""
    assignee: str = ""  # a user id, or "none" for unassigned
    q: str = ""
    score_min: float | None = None
    score_max: float | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    date_basis: Literal["published", "extracted"] = "published"
    sort: Sort = "-score"
    include_orphaned: bool = False
    dismissed: Literal["", "include", "only"] = ""  # claims a reviewer said are not claims
    after: str = ""
    limit: int = 50

    def filters(self) -> selectors.ClaimFilters:
        assignee = self.assignee.strip()
        if assignee and assignee != "none" and not assignee.isdigit():
            raise HttpError(422, 'assignee is a user id or "none".')
        return selectors.ClaimFilters(
            status=self.status or "",
            type=self.type or "",
            article=self.article,
            outlet=self.outlet.strip(),
            speaker=self.speaker.strip(),
            assignee=int(assignee) if assignee.isdigit() else None,
            unassigned=assignee == "none",
            q=self.q.strip(),
            score_min=self.score_min,
            score_max=self.score_max,
            date_from=self.date_from,
            date_to=self.date_to,
            date_basis=self.date_basis,
            include_orphaned=self.include_orphaned,
            dismissed=self.dismissed,
            sort=self.sort,
        )


@router.get("", response=ClaimPageOut, summary="List claims, filtered and paged like the queue")
def list_claims(request: HttpRequest, query: Query[ClaimQuery]):
    require(request, permissions.VIEW_CLAIMS)
    if not 1 <= query.limit <= MAX_PAGE:
        raise HttpError(422, f"limit must be between 1 and {MAX_PAGE}.")
    page = selectors.claim_page(filters=query.filters(), after=query.after, size=query.limit)
    following = None
    if page.next_cursor:
        params = {k: v for k, v in request.GET.items() if k != "after"}
        following = request.build_absolute_uri(
            f"{request.path}?{urlencode({**params, 'after': page.next_cursor})}"
        )
    return {
        "items": [claim_out(claim) for claim in page.claims],
        "next_cursor": page.next_cursor,
        "next": following,
    }


@router.get("/{int:claim_id}", response={200: ClaimDetail, 404: Message}, summary="One claim")
def get_claim(request: HttpRequest, claim_id: int):
    require(request, permissions.VIEW_CLAIMS)
    return claim_detail(get_object_or_404(selectors.claim_detail_queryset(), pk=claim_id))


@router.post(
    "/{int:claim_id}/status",
    response={200: ClaimDetail, 404: Message, 409: ConflictOut, 422: Message},
    summary="Set a claim's review status (needs a read and write token)",
)
def set_claim_status(request: HttpRequest, claim_id: int, change: StatusIn):
    """The dashboard's rules apply: sourced and verified need a source, disputed a note
    or a counter-source; ``version`` must be the one you read, or the answer is 409 with
    the claim as it is now."""
    require(request, permissions.REVIEW_CLAIMS, write=True)
    get_object_or_404(selectors.claim_detail_queryset(), pk=claim_id)
    try:
        services.claim_set_status(
            claim_id=claim_id,
            user=request.user,
            status=change.status,
            expected_version=change.version,
            note=change.note,
            source_url=change.source_url,
            source_title=change.source_title,
            counter_source=change.counter_source,
        )
    except services.ReviewConflict as exc:
        fresh = selectors.claim_detail_queryset().get(pk=claim_id)
        return Status(409, {"detail": str(exc), "claim": claim_detail(fresh)})
    except services.ReviewRuleError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(200, claim_detail(selectors.claim_detail_queryset().get(pk=claim_id)))
