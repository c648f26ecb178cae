"""Reconciliation: make an article's stored claims match a fresh extraction.

Reviews follow a claim across re-extraction by its fingerprint (its words, not its
offsets), or, after a small edit, by similarity; claims no longer found are orphaned,
never deleted, so no review, note, source or history is ever lost.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from claims import extraction
from claims.bulk_writes import insert_all, update_all
from claims.models import Article, Claim

logger = logging.getLogger(__name__)

_NON_WORD = re.compile(r"[\W_]+")
# A re-extracted claim whose words are this similar to a vanished one is the same claim
# after a small edit (a typo fixed, a word changed) and takes over its review work...
FUZZY_MATCH_RATIO = 0.9
# ...provided its figures and negations are the same: "340 ships" edited to "430 ships",
# or "did" to "did not", is a different claim, and a verified status must not follow it.
_CHECKABLE_WORD = re.compile(
    r"\d|^(?:no|not|never|t|nobody|none|nothing|without|zero|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|trillions?"
    r"|half|quarter|percent)$"
)
# Bound on the similarity comparisons of one re-extraction (only leftovers are compared).
FUZZY_MAX_PAIRS = 200_000


def _claim_words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def _checkable(words: str) -> tuple[str, ...]:
    return tuple(word for word in words.split() if _CHECKABLE_WORD.search(word))


def claim_fingerprint(text: str, occurrence: int = 0) -> str:
    """Stable identity of a claim within its article: its words, not its offsets.

    Offsets move when a paragraph is added above; punctuation and case change with a
    pipeline upgrade. The words stay, so reviews follow the claim across re-extraction.
    """
    key = _claim_words(text) + (f"#{occurrence}" if occurrence else "")
    return hashlib.sha256(key.encode()).hexdigest()


def claims_replace_extraction(*, article: Article, found: list[extraction.ExtractedClaim]) -> int:
    """Make the article's claims match a fresh extraction without losing review work.

    Claims found again keep status, notes, sources, assignee and history; new claims are
    added; claims no longer found are marked orphaned, never deleted.
    """
    claims_write([claims_changes(article=article, found=found, stored=article.claims.all())])
    return len(found)


@dataclass
class ClaimChanges:
    """What a fresh extraction changes in one article's stored claims."""

    create: list[Claim]
    update: list[Claim]
    orphan: list[int]


def claims_changes(
    *, article: Article, found: list[extraction.ExtractedClaim], stored: Iterable[Claim]
) -> ClaimChanges:
    """What claims_replace_extraction changes, given the article's ``stored`` claims."""
    existing, protected = {}, set()
    for claim in stored:
        existing[claim.fingerprint] = claim
        if claim.is_corrected:
            # A reviewer's correction or addition stands: never overwritten, never orphaned.
            protected.add(claim.fingerprint)
    seen: dict[str, int] = {}
    to_create, to_update, kept = [], [], set()
    for item in found:
        base = claim_fingerprint(item.text)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        fingerprint = claim_fingerprint(item.text, occurrence) if occurrence else base
        values = _claim_fields(item)
        claim = existing.get(fingerprint)
        if claim is None:
            to_create.append(Claim(article=article, fingerprint=fingerprint, **values))
        elif fingerprint in protected:
            if claim.is_orphaned:
                claim.is_orphaned = False
                to_update.append(claim)
            kept.add(fingerprint)
        else:
            for name, value in values.items():
                setattr(claim, name, value)
            claim.is_orphaned = False
            to_update.append(claim)
            kept.add(fingerprint)
    # A dismissed claim may be revived here as a small edit: its dismissal stays.
    leftovers = [claim for fp, claim in existing.items() if fp not in kept | protected]
    revived = set()
    for new, old in _fuzzy_pairs(to_create, leftovers):
        # The vanished claim is this new one after a small edit: it keeps its review work
        # and takes the new fingerprint (unique: no existing claim had it).
        for name in [*_claim_fields_names(), "fingerprint"]:
            setattr(old, name, getattr(new, name))
        old.is_orphaned = False
        to_update.append(old)
        revived.add(old.pk)
        to_create.remove(new)
    vanished = [claim.pk for claim in leftovers if claim.pk not in revived]
    return ClaimChanges(create=to_create, update=to_update, orphan=vanished)


def claims_write(changes: list[ClaimChanges]) -> None:
    """Apply the changes of one or more articles: a few statements whatever their number."""
    to_create = [claim for change in changes for claim in change.create]
    to_update = [claim for change in changes for claim in change.update]
    vanished = [pk for change in changes for pk in change.orphan]
    insert_all(to_create)
    if to_update:
        update_all(to_update, [*_claim_fields_names(), "fingerprint", "is_orphaned"])
    if vanished:
        Claim.objects.filter(pk__in=vanished).update(is_orphaned=True)


def _fuzzy_pairs(new_claims: list[Claim], old_claims: list[Claim]) -> list[tuple[Claim, Claim]]:
    """Pairs (new, old) of unmatched claims that are one claim after a small edit: the
    same figures and negations, words at least FUZZY_MATCH_RATIO alike; best pairs first,
    each claim in one pair at most."""
    if not new_claims or not old_claims:
        return []
    buckets: dict[tuple[str, ...], list[tuple[Claim, str]]] = {}
    for old in old_claims:
        words = _claim_words(old.text)
        buckets.setdefault(_checkable(words), []).append((old, words))
    scored, compared = [], 0
    matcher = difflib.SequenceMatcher(autojunk=False)
    for i, new in enumerate(new_claims):
        words = _claim_words(new.text)
        candidates = buckets.get(_checkable(words), [])
        compared += len(candidates)
        if compared > FUZZY_MAX_PAIRS:
            logger.warning("Article %s: too many changed claims to match by similarity", new)
            break
        matcher.set_seq2(words)
        for old, old_words in candidates:
            total = len(words) + len(old_words)
            if not total or 2 * min(len(words), len(old_words)) / total < FUZZY_MATCH_RATIO:
                continue
            matcher.set_seq1(old_words)
            if matcher.quick_ratio() >= FUZZY_MATCH_RATIO:
                ratio = matcher.ratio()
                if ratio >= FUZZY_MATCH_RATIO:
                    scored.append((-ratio, i, old.pk, new, old))
    pairs, used_new, used_old = [], set(), set()
    for _, i, old_pk, new, old in sorted(scored, key=lambda s: s[:3]):
        if i not in used_new and old_pk not in used_old:
            used_new.add(i)
            used_old.add(old_pk)
            pairs.append((new, old))
    return pairs


def _claim_fields(item: extraction.ExtractedClaim) -> dict:
    # The parts are flat dataclasses of plain values, so a shallow copy of each is what
    # dataclasses.asdict gives, without its deep-copying walk, which was a large share of
    # a batch's database work (docs/benchmarks.md, "Extraction throughput").
    return {
        "start": item.start,
        "end": item.end,
        "text": item.text,
        "type": item.type,
        "quantities": [dict(vars(q)) for q in item.quantities],
        "times": [dict(vars(t)) for t in item.times],
        "speaker": (item.speaker or "")[:200],
        "speaker_kind": item.speaker_kind or "",
        "cue": (item.cue or "")[:100],
        "entities": [dict(vars(e)) for e in item.entities],
        "summary": (item.summary or "")[:500],
        "score": float(item.score),
        "score_reasons": list(item.reasons),
    }


def _claim_fields_names() -> list[str]:
    return [
        "start", "end", "text", "type", "quantities", "times", "speaker", "speaker_kind", "cue",
        "entities", "summary", "score", "score_reasons",
    ]  # fmt: skip
