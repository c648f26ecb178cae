"""The desk's corrections as extraction gold (``manage.py export_corrections``).

One JSON line per corrected article, each line a gold file of one article in the shape
the engine's evaluation reads (``tests/extraction/gold/*.json``, the shared
``eval/score_extraction.py``)::

    {"article-12.txt": {"claims": [{"in": "...", "type": ..., "values": [...],
                                    "speaker": ..., "time": ...}],
                        "non_claims": ["..."],
                        "corrections": [{"action": "edited", ...}],
                        "article_id": 12, "title": "..."}}

Merging the lines (``dict.update``) gives a gold file; ``--texts DIR`` writes the articles
beside it, as ``article-<id>.txt``. ``claims`` are the claims reviewers edited or added,
as they stand now; ``non_claims`` the spans dismissed as opinion, not checkable or an
extraction error (a *duplicate* is a claim, found twice: it is not a non-claim);
``corrections`` is the log of what was done (the scorer ignores it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import QuerySet

from claims.models import Article, Claim, StatusChange

CORRECTION_ACTIONS = [action for action in StatusChange.Action.values if action != "status"]
# Dismissals that say the span holds no claim at all.
NON_CLAIM_REASONS = (
    Claim.Dismissal.OPINION,
    Claim.Dismissal.NOT_CHECKABLE,
    Claim.Dismissal.EXTRACTION_ERROR,
)


def corrected_articles(*, since: datetime.datetime | None = None) -> QuerySet[Article]:
    """Articles with a correction (at or after ``since``), oldest first."""
    entries = StatusChange.objects.filter(action__in=CORRECTION_ACTIONS)
    if since is not None:
        entries = entries.filter(changed_at__gte=since)
    return Article.objects.filter(pk__in=entries.values("claim__article_id").distinct()).order_by(
        "pk"
    )


def article_text_name(article: Article) -> str:
    return f"article-{article.pk}.txt"


def article_text(article: Article) -> str:
    """The text the gold's spans are found in: headline, blank line, body (as an upload)."""
    return f"{article.title}\n\n{article.body}" if article.title else article.body


def corrections_gold(*, since: datetime.datetime | None = None) -> Iterator[dict]:
    """One gold dict per corrected article (see the module's docstring)."""
    for article in corrected_articles(since=since).iterator(chunk_size=100):
        claims = list(article.claims.filter(is_orphaned=False).order_by("start", "id"))
        gold, non_claims = [], []
        for claim in claims:
            if claim.dismissed:
                if claim.dismissed in NON_CLAIM_REASONS and claim.text not in non_claims:
                    non_claims.append(claim.text)
            elif claim.is_corrected:
                gold.append(gold_claim(claim))
        log = StatusChange.objects.filter(
            claim__article=article, action__in=CORRECTION_ACTIONS
        ).select_related("changed_by", "claim")
        if since is not None:
            log = log.filter(changed_at__gte=since)
        yield {
            article_text_name(article): {
                "claims": gold,
                "non_claims": non_claims,
                "corrections": [_log_entry(entry) for entry in log.order_by("changed_at", "id")],
                "article_id": article.pk,
                "title": article.title,
            }
        }


def gold_claim(claim: Claim) -> dict:
    """A claim as the gold states it: its words, type, figures, speaker and first time."""
    values = []
    for quantity in claim.quantities or []:
        for key in ("value", "low", "high"):
            number = quantity.get(key)
            if isinstance(number, int | float) and number not in values:
                values.append(number)
    time = next((t["value"] for t in claim.times or [] if t.get("value")), None)
    return {
        "in": claim.text,
        "type": claim.type,
        "values": values,
        "speaker": claim.speaker or None,
        # The gold writes a date without its year as "05-07", found inside "--05-07".
        "time": time.lstrip("-") if time else None,
        "claim_id": claim.pk,
        "origin": claim.origin,
    }


def _log_entry(entry: StatusChange) -> dict:
    row = {
        "action": entry.action,
        "claim_id": entry.claim_id,
        "by": entry.changed_by.get_username() if entry.changed_by else None,
        "at": entry.changed_at.isoformat(),
        **entry.detail,
    }
    if entry.note:
        row["note"] = entry.note
    if entry.action == StatusChange.Action.EDITED and entry.claim.machine:
        row["machine"] = entry.claim.machine
    return row
