"""What the API sends and takes: the schemas (for validation and the OpenAPI document) and
the functions that turn the desk's records into them."""

from __future__ import annotations

import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Schema

from claims.models import Article, Claim, ExtractionJob, PageImport

ReviewStatus = Literal["unreviewed", "sourced", "disputed", "verified"]
ClaimType = Literal["statistic", "quote", "attribution", "event", "prediction"]
Sort = Literal["-score", "score", "-date", "date", "-extracted", "extracted"]


class Message(Schema):
    detail: str


class ArticleRef(Schema):
    id: int
    title: str
    outlet: str
    url: str
    desk_url: str


class ClaimOut(Schema):
    id: int
    status: ReviewStatus
    version: int = Field(description="Send it back with a status change (optimistic locking).")
    type: ClaimType
    text: str
    summary: str
    start: int
    end: int
    score: float
    speaker: str
    speaker_kind: str = Field(
        description='"person" or "organisation"; empty when the claim has no speaker.'
    )
    cue: str
    quantities: list[dict]
    times: list[dict]
    entities: list
    article: ArticleRef
    assignee: str | None
    reviewed_by: str | None
    reviewed_at: datetime.datetime | None
    created_at: datetime.datetime
    desk_url: str
    dismissed: str = Field("", description="Why a reviewer said it is not a claim; empty if not.")
    origin: str = Field("machine", description="machine (extracted) or reviewer (added).")


class SourceOut(Schema):
    url: str
    title: str
    is_counter: bool
    added_by: str | None
    added_at: datetime.datetime


class ChangeOut(Schema):
    from_status: ReviewStatus
    to_status: ReviewStatus
    note: str
    changed_by: str | None
    changed_at: datetime.datetime
    action: str = Field("status", description="status, dismissed, restored, edited or added.")
    detail: dict = Field(default_factory=dict, description="What a correction changed.")


class ClaimDetail(ClaimOut):
    score_reasons: list
    is_orphaned: bool
    machine: dict | None = Field(None, description="The extraction's values, once corrected.")
    sources: list[SourceOut]
    history: list[ChangeOut]


class ClaimPageOut(Schema):
    items: list[ClaimOut]
    next_cursor: str = Field(description="Pass as `after` for the next page; empty on the last.")
    next: str | None = Field(description="The next page's URL, filters kept.")


class ConflictOut(Schema):
    detail: str
    claim: ClaimDetail


class StatusIn(Schema):
    status: ReviewStatus
    version: int = Field(ge=1, description="The version you read; a newer one means a conflict.")
    note: str = Field("", max_length=5000)
    source_url: str = Field("", max_length=2000)
    source_title: str = Field("", max_length=500)
    counter_source: bool = False


class ArticleIn(Schema):
    """Either ``text`` (the article itself) or only ``url`` (the desk fetches the page)."""

    text: str = Field("", max_length=5 * 1024 * 1024)
    title: str = Field("", max_length=500)
    outlet: str = Field("", max_length=200)
    url: str = Field("", max_length=2000)
    published_date: datetime.date | None = None


class JobOut(Schema):
    id: int
    article_id: int
    state: Literal["queued", "running", "done", "failed"]
    attempts: int
    error: str
    claim_count: int | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    url: str


class ArticleOut(Schema):
    id: int
    title: str
    outlet: str
    url: str
    published_date: datetime.date | None
    dateline_place: str
    dateline_date: str
    created_at: datetime.datetime
    claim_count: int
    job: JobOut | None
    desk_url: str


class ImportOut(Schema):
    id: int
    url: str
    state: Literal["pending", "fetching", "imported", "duplicate", "failed"]
    error: str
    attempts: int
    article_id: int | None
    job: JobOut | None
    created_at: datetime.datetime
    status_url: str


class DuplicateOut(Schema):
    detail: str
    article_id: int


# --- records to schemas -------------------------------------------------------------------


def desk_url(path: str) -> str:
    return settings.NEWSFACTS_BASE_URL.rstrip("/") + path


def _name(user) -> str | None:
    return user.get_username() if user else None


def claim_out(claim: Claim) -> dict:
    article = claim.article
    return {
        **{f: getattr(claim, f) for f in _CLAIM_FIELDS},
        "article": article_ref(article),
        "assignee": _name(claim.assignee),
        "reviewed_by": _name(claim.reviewed_by),
        "desk_url": desk_url(f"{article.get_absolute_url()}?claim={claim.pk}"),
    }


_CLAIM_FIELDS = (
    "id", "status", "version", "type", "text", "summary", "start", "end", "score", "speaker",
    "speaker_kind", "cue", "quantities", "times", "entities", "reviewed_at", "created_at",
    "dismissed", "origin",
)  # fmt: skip


def claim_detail(claim: Claim) -> dict:
    return {
        **claim_out(claim),
        "score_reasons": claim.score_reasons,
        "is_orphaned": claim.is_orphaned,
        "machine": claim.machine,
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "is_counter": s.is_counter,
                "added_by": _name(s.added_by),
                "added_at": s.added_at,
            }
            for s in claim.sources.all()
        ],
        "history": [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "note": h.note,
                "changed_by": _name(h.changed_by),
                "changed_at": h.changed_at,
                "action": h.action,
                "detail": h.detail,
            }
            for h in claim.history.all()
        ],
    }


def article_ref(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "desk_url": desk_url(article.get_absolute_url()),
    }


def job_out(job: ExtractionJob | None, *, url: str) -> dict | None:
    if job is None:
        return None
    fields = ("id", "article_id", "state", "attempts", "error", "claim_count", "created_at")
    return {
        **{f: getattr(job, f) for f in fields},
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "url": url,
    }


def import_out(page: PageImport, *, job: dict | None, url: str) -> dict:
    fields = ("id", "url", "state", "error", "attempts", "article_id", "created_at")
    return {**{f: getattr(page, f) for f in fields}, "job": job, "status_url": url}
