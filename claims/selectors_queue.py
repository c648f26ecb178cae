"""The queue's rows: what a row of the claim queue shows, read as plain values."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from claims import selectors_matching
from claims.models import Claim


@dataclass(slots=True)
class QueueRow:
    """A claim as a queue row shows it (claims/templatetags/queue_row.py): its own columns,
    its article's title and outlet, its assignee's name and its desk-memory badges. Read as
    plain values: building fifty model instances, with their articles and assignees, cost
    more than the query."""

    pk: int
    article_id: int
    text: str
    type: str
    quantities: list
    speaker: str
    summary: str
    score: float
    status: str
    version: int
    dismissed: str
    created_at: datetime.datetime
    article_title: str
    article_outlet: str
    published_date: datetime.date | None
    assignee_name: str | None
    has_past_verdict: bool = False
    repeats_disputed: bool = False
    has_figure_conflict: bool = False

    @classmethod
    def from_claim(cls, claim: Claim) -> QueueRow:
        article, assignee = claim.article, claim.assignee
        return cls(
            claim.pk, claim.article_id, claim.text, claim.type, claim.quantities,
            claim.speaker, claim.summary, claim.score, claim.status, claim.version,
            claim.dismissed, claim.created_at, article.title, article.outlet,
            article.published_date, assignee.get_username() if assignee else None,
        )  # fmt: skip


# QueueRow's columns, in its order.
QUEUE_ROW_COLUMNS = (
    "id", "article_id", "text", "type", "quantities", "speaker", "summary", "score",
    "status", "version", "dismissed", "created_at",
    "article__title", "article__outlet", "article__published_date", "assignee__username",
)  # fmt: skip


def claim_rows(claims) -> list[QueueRow]:
    """Claims (model instances) as the queue shows them, with their desk-memory badges:
    a row re-rendered after a change looks like the row it replaces."""
    rows = [QueueRow.from_claim(claim) for claim in claims]
    return selectors_matching.claims_with_memory_badges(rows)
