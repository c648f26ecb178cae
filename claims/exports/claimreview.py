"""schema.org ClaimReview JSON-LD for the desk's verdicts, as Google's fact-check docs ask.

Only a verdict is published: a rating on the desk's scale (VerdictRating), else the status
``verified`` or ``disputed``. ``sourced`` means the desk found where a figure came from,
which says nothing about whether it is right, and ``unreviewed`` means nobody has looked.
docs/exports.md explains the rating scale.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from claims.exports.csv_export import claim_link, claim_link_prefix
from claims.models import Claim, ClaimRating, VerdictRating

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


def _rating_of(claim: Claim) -> ClaimRating | None:
    try:
        return claim.verdict
    except ClaimRating.DoesNotExist:
        return None


def is_publishable(claim: Claim) -> bool:
    # A dismissed claim is "not a claim": nothing to publish whatever its status.
    if claim.dismissed:
        return False
    return claim.status in VERDICTS or _rating_of(claim) is not None


def scale_bounds() -> tuple[int, int] | None:
    """(worst, best) values of the desk's rating scale; None when no rating has a value."""
    values = [v for v in VerdictRating.objects.values_list("value", flat=True) if v is not None]
    return (min(values), max(values)) if values else None


def claim_reviewed_text(claim: Claim) -> str:
    """What was checked: the claim's own words, shortened only when longer than the limit.

    A claim of 75 characters or more is cut at the end of a clause (", ", "; ", ": ", " —")
    when one falls in the last 40% of the room, else at the last word boundary, and ends
    with "…": never mid-word, and never the machine's summary (which can cut a phrase)
    instead of what the article says.
    """
    text = " ".join(claim.text.split())
    longest = CLAIM_REVIEWED_MAX - 1
    if len(text) <= longest:
        return text
    room = text[: longest - 1]  # one character is kept for the "…"
    if not text[longest - 1].isspace():
        room = room.rsplit(" ", 1)[0]  # the word that straddles the limit goes whole
    # ", " and not ",": the comma in "80,000" ends no clause.
    clause = max(room.rfind(mark) for mark in (", ", "; ", ": ", " — "))
    if clause >= longest * 0.6:
        room = room[:clause]
    return room.rstrip(" ,;:—") + "…"


def _speaker(claim: Claim) -> dict | None:
    speaker = claim.speaker.strip()
    if speaker and claim.speaker_kind:
        kind = "Organization" if claim.speaker_kind == Claim.SpeakerKind.ORGANISATION else "Person"
        return {"@type": kind, "name": speaker}
    if speaker:
        # Claims extracted before the engine recorded the speaker's kind: read it off the
        # claim's entities.
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


def review_rating(claim: Claim, *, bounds: tuple[int, int] | None) -> dict:
    """The ``reviewRating``: the desk's rating when the claim has one, else its status's."""
    rated = _rating_of(claim)
    if rated is None:
        verdict = VERDICTS[claim.status]
        return {
            "@type": "Rating",
            "ratingValue": verdict.value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": verdict.label,
            "name": verdict.label,
        }
    rating: dict = {"@type": "Rating"}
    # A rating off the scale ("Unproven") is published by its name alone.
    if rated.rating.value is not None and bounds:
        rating.update(ratingValue=rated.rating.value, bestRating=bounds[1], worstRating=bounds[0])
    rating.update(alternateName=rated.rating.name, name=rated.rating.name)
    if rated.explanation:
        rating["ratingExplanation"] = rated.explanation
    return rating


def claimreview_document(
    claim: Claim, *, claim_url: str, bounds: tuple[int, int] | None | bool = False
) -> dict:
    """The ClaimReview of one claim with a verdict (``claim.article`` loaded with it).

    ``bounds`` is the scale's (worst, best), read once by a caller that writes many.
    """
    if bounds is False:
        bounds = scale_bounds()
    rated = _rating_of(claim)
    reviewed = rated.rated_at if rated else (claim.reviewed_at or claim.updated_at)
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
        "reviewRating": review_rating(claim, bounds=bounds),
        "itemReviewed": item,
    }


def claim_url(claim: Claim, *, link_base: str) -> str:
    head, tail = claim_link_prefix()
    return claim_link(link_base.rstrip("/") + head, tail, claim.article_id, claim.pk)


def claimreview_documents(claims: QuerySet[Claim], *, link_base: str) -> Iterator[dict]:
    """One document per claim with a verdict, streamed (claims of claims_for_claimreview)."""
    head, tail = claim_link_prefix()
    link_head = link_base.rstrip("/") + head
    bounds = scale_bounds()
    for claim in claims.iterator(chunk_size=500):
        if is_publishable(claim):
            url = claim_link(link_head, tail, claim.article_id, claim.pk)
            yield claimreview_document(claim, claim_url=url, bounds=bounds)


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
