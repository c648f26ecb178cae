"""schema.org ClaimReview JSON-LD for the desk's verdicts, as Google's fact-check docs ask.

Only a verdict is published: ``verified`` and ``disputed``. ``sourced`` means the desk
found where a figure came from, which says nothing about whether it is right, and
``unreviewed`` means nobody has looked. docs/exports.md explains the rating scale.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from claims.exports.csv_export import claim_link_prefix
from claims.models import Claim

SCHEMA_CONTEXT = "https://schema.org"
# Google: "Try to keep this less than 75 characters to minimize wrapping."
CLAIM_REVIEWED_MAX = 75


@dataclass(frozen=True)
class Verdict:
    value: int
    label: str


WORST_RATING, BEST_RATING = 1, 5
# The desk has two verdicts today. "Disputed" sits at 2, not 1: it means evidence against
# the claim was found (a counter-source or a reviewer's note), not that it was proven
# false; 1 is kept for a "False" verdict should the desk ever give one.
VERDICTS = {
    Claim.Status.VERIFIED: Verdict(5, "Accurate"),
    Claim.Status.DISPUTED: Verdict(2, "Disputed"),
}
# Entity labels (spaCy) under which a speaker is an organisation rather than a person.
_ORGANISATION_LABELS = {"ORG", "NORP", "GPE", "FAC"}


def is_publishable(claim: Claim) -> bool:
    return claim.status in VERDICTS


def claim_reviewed_text(claim: Claim) -> str:
    """What was checked, in few words: the summary, else the claim's text.

    Never cut: a truncated claim can say something else. The desk's summaries are short
    ("80,000+ people died since March 2011"); a long claim without one stays long.
    """
    summary = " ".join((claim.summary or "").split())
    text = " ".join(claim.text.split())
    candidates = [c for c in (summary, text) if c]
    short = [c for c in candidates if len(c) <= CLAIM_REVIEWED_MAX]
    return (short or candidates or [""])[0]


def _speaker(claim: Claim) -> dict | None:
    speaker = claim.speaker.strip()
    if speaker:
        kind = "Person"
        for entity in claim.entities or []:
            if isinstance(entity, dict) and entity.get("text") == speaker:
                if entity.get("label") in _ORGANISATION_LABELS:
                    kind = "Organization"
                break
        return {"@type": kind, "name": speaker}
    # No named speaker: the claim is the outlet's own statement.
    if claim.article.outlet:
        return {"@type": "Organization", "name": claim.article.outlet}
    return None


def _appearance(claim: Claim) -> dict:
    article = claim.article
    work: dict = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        work["url"] = article.url
    if article.published_date:
        work["datePublished"] = article.published_date.isoformat()
    if article.outlet:
        work["publisher"] = {"@type": "Organization", "name": article.outlet}
    return work


def organisation() -> dict:
    org = {"@type": "Organization", "name": settings.NEWSFACTS_ORGANISATION}
    if settings.NEWSFACTS_ORGANISATION_URL:
        org["url"] = settings.NEWSFACTS_ORGANISATION_URL
    return org


def claimreview_document(claim: Claim, *, claim_url: str) -> dict:
    """The ClaimReview of one claim with a verdict (``claim.article`` loaded with it)."""
    verdict = VERDICTS[claim.status]
    reviewed = claim.reviewed_at or claim.updated_at
    item: dict = {"@type": "Claim"}
    author = _speaker(claim)
    if author:
        item["author"] = author
    if claim.article.published_date:
        item["datePublished"] = claim.article.published_date.isoformat()
    item["appearance"] = _appearance(claim)
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": claim_url,
        "claimReviewed": claim_reviewed_text(claim),
        "datePublished": timezone.localdate(reviewed).isoformat(),
        "author": organisation(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": verdict.value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": verdict.label,
            "name": verdict.label,
        },
        "itemReviewed": item,
    }


def claim_url(claim: Claim, *, link_base: str) -> str:
    head, tail = claim_link_prefix()
    return f"{link_base.rstrip('/')}{head}{claim.article_id}{tail}{claim.pk}"


def claimreview_documents(claims: QuerySet[Claim], *, link_base: str) -> Iterator[dict]:
    """One document per claim with a verdict, streamed (claims of claims_for_claimreview)."""
    head, tail = claim_link_prefix()
    base = link_base.rstrip("/")
    for claim in claims.iterator(chunk_size=500):
        if is_publishable(claim):
            url = f"{base}{head}{claim.article_id}{tail}{claim.pk}"
            yield claimreview_document(claim, claim_url=url)


# Inside an HTML <script> block the parser ends the block at "</script" and reads "<!--"
# specially, whatever the JSON means; escaped like this the text is the same JSON to
# every JSON reader and holds no markup.
_JSON_LD_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld_dumps(document: dict | list, *, indent: int | None = None) -> str:
    """JSON-LD text, safe to embed in a page: every JSON-LD output goes through this."""
    return json.dumps(document, ensure_ascii=False, indent=indent).translate(_JSON_LD_ESCAPES)


def json_ld_script(document: dict | list) -> str:
    """The ready-to-paste block for a page's HTML."""
    return f'<script type="application/ld+json">\n{json_ld_dumps(document, indent=2)}\n</script>\n'


def json_array_chunks(documents: Iterator[dict], *, per_chunk: int = 200) -> Iterator[str]:
    """A JSON array written piece by piece, so a feed of any size streams."""
    yield "["
    batch: list[str] = []
    first = True
    for document in documents:
        batch.append(json_ld_dumps(document))
        if len(batch) == per_chunk:
            yield ("" if first else ",") + ",".join(batch)
            first, batch = False, []
    if batch:
        yield ("" if first else ",") + ",".join(batch)
    yield "]\n"
