"""Reads for the article view: its text cut into parts and paragraphs, its claims placed
in the text, and its counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from claims.extraction.extractor import body_pieces
from claims.models import Article, Claim
from claims.selectors import article_claims


@dataclass
class Segment:
    """A run of article text; ``claim`` is set when the run is that claim's span."""

    text: str
    claim: Claim | None = None
    # Where the run starts in article.body: the page's script turns a selection into
    # body offsets from it (corrections), which the server then checks.
    start: int = 0


@dataclass
class HighlightedArticle:
    paragraphs: list[list[Segment]]
    # Claims that could not be placed in the text (overlapping another, or bad offsets).
    unplaced: list[Claim]


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def article_highlight(
    *, article: Article, claims: list[Claim], start: int = 0, end: int | None = None
) -> HighlightedArticle:
    """The article body (or its ``start:end`` part) cut into paragraphs of plain and claim
    segments, by offsets.

    Overlaps are resolved deterministically: in (start, id) order, a claim that starts
    inside an earlier one is left out of the text (it stays in the claim list).
    The segments are plain strings; templates escape them.
    """
    body = article.body[: len(article.body) if end is None else end]
    placed, unplaced, position = [], [], start
    for claim in sorted(claims, key=lambda c: (c.start, c.pk)):
        if claim.start < position or claim.end > len(body) or claim.end <= claim.start:
            unplaced.append(claim)
            continue
        placed.append(claim)
        position = claim.end
    paragraphs: list[list[Segment]] = [[]]

    def add_text(text: str, offset: int) -> None:
        part_start = 0
        for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
            part_end = match.start() if match else len(text)
            if part_start < part_end:
                paragraphs[-1].append(Segment(text[part_start:part_end], start=offset + part_start))
            if match:
                paragraphs.append([])
                part_start = match.end()

    position = start
    for claim in placed:
        add_text(body[position : claim.start], position)
        paragraphs[-1].append(Segment(body[claim.start : claim.end], claim, claim.start))
        position = claim.end
    add_text(body[position:], position)
    return HighlightedArticle(
        paragraphs=[p for p in paragraphs if any(s.claim or s.text.strip() for s in p)],
        unplaced=unplaced,
    )


@dataclass
class ArticlePart:
    """One part of a long article's page: the text from ``start`` to ``end``."""

    number: int  # from 0
    count: int
    start: int
    end: int

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number + 1 < self.count else None

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number else None


def article_part(
    *, article: Article, number: int, size: int, containing: int | None = None
) -> ArticlePart:
    """Part ``number`` (clamped to the parts there are), or the part holding the offset
    ``containing``, of the article's text cut into parts of about ``size`` characters, at
    paragraph breaks where it can, and never through a claim (a part ends after any claim
    that starts in it)."""
    spans = sorted(article.claims.filter(is_orphaned=False).values_list("start", "end").order_by())
    bounds = [0]
    for offset, piece in body_pieces(article.body, max(1, size)):
        end = offset + len(piece)
        if end <= bounds[-1]:
            continue  # a claim carried the previous part past this cut
        for claim_start, claim_end in spans:
            if claim_start < end < claim_end:
                end = min(claim_end, len(article.body))
        bounds.append(end)
    count = max(1, len(bounds) - 1)
    if containing is not None:
        number = next((i for i in range(count) if containing < bounds[i + 1]), count - 1)
    number = min(max(0, number), count - 1)
    return ArticlePart(
        number=number, count=count, start=bounds[number], end=bounds[min(number + 1, count)]
    )


def article_part_claims(
    *, article: Article, part: ArticlePart, include_dismissed: bool = False
) -> QuerySet[Claim]:
    """The article's claims that start in this part of its text."""
    claims = article_claims(article=article, include_dismissed=include_dismissed)
    claims = claims.filter(start__gte=part.start)
    return claims.filter(start__lt=part.end) if part.next is not None else claims


def article_status_counts(*, article: Article) -> dict[str, int]:
    """Counts per status of the article's claims, with "all" and "reviewed", in one query;
    dismissed claims are counted apart, under "dismissed"."""
    rows = (
        article.claims.filter(is_orphaned=False)
        .values("status", "dismissed")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in Claim.Status.values}
    counts["dismissed"] = 0
    for row in rows:
        counts["dismissed" if row["dismissed"] else row["status"]] += row["n"]
    counts["all"] = sum(counts[s] for s in Claim.Status.values)
    counts["reviewed"] = counts["all"] - counts[Claim.Status.UNREVIEWED]
    return counts
