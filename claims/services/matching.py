"""Matching in the workflow: claims encoded, indexed and matched against the archive of
verdicts (fact-checks) and other articles' claims; matches stored with their score.

Runs as a follow-on task of extraction (``claims.tasks.match_articles``). Everything it
needs lives in the database — vectors with the rows, BM25 statistics in ``LexicalTerm``,
candidates from the full-text index (``claims.fulltext``) — so any number of workers on
any number of machines share one archive and none rebuilds an index at start.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils import timezone

from claims import broker, fulltext, matching
from claims.extraction.figures import read_figures
from claims.models import (
    Claim,
    ClaimMatch,
    ClaimVector,
    ExtractionJob,
    FactCheck,
)
from claims.services.matching_index import (
    claims_encode,
    claims_index,
    lexical_stats,
    vector_from_bytes,
)

logger = logging.getLogger(__name__)

# Candidates taken from the full-text index, per source, for each claim.
CANDIDATES_PER_SOURCE = 30
# Words in more than this share of the archive are not searched for (_search_words), but
# never fewer than MIN_SEARCH_WORDS of the claim's rarest.
# (A small archive is searched with every word: it is cheap, and there 1% is a handful.)
COMMON_WORD_SHARE = 0.01
MIN_COMMON_DOCUMENTS = 1000
MIN_SEARCH_WORDS = 3
# Articles per matching task resent by the sweeper, and per sweep.
RESEND_BATCH = 16
RESEND_MAX = 160


# --- matching -------------------------------------------------------------------------------


@dataclass
class _Candidates:
    """One claim's candidates, read and bounded before any vector is needed."""

    claim: Claim
    query: matching.MatchQuery
    candidates: list[matching.Candidate]
    fact_checks: dict[int, FactCheck]
    others: dict[int, Claim]
    stats: matching.LexicalStats
    # Some candidate could reach SUGGEST with the right vectors: the query must be encoded.
    worth_encoding: bool = False
    # Candidate claims with no vector yet that could reach SUGGEST: encoded before ranking.
    lazy: list[Claim] = field(default_factory=list)


def articles_match(*, article_ids: list[int], prune: bool = False) -> int:
    """Match every live claim of these articles; returns how many matches were stored.

    Every claim is counted into the statistics, given a vector row and encoded. With
    ``prune``, a claim is encoded only if some candidate could reach SUGGEST with it
    (``matching.topic_ceiling``: the words and figures with a perfect cosine), the others
    when a later query needs them as a candidate; the matches stored are the same. It is
    off by default: on news it spared no claim in the benchmark (almost any shared word
    reaches SUGGEST with a cosine of 1) and its bound cost 2–4 ms of CPU per claim
    (docs/matching.md). The vectors this call needs are encoded together, after every
    claim's candidates are known.
    """
    claims = list(
        Claim.objects.select_related("article")
        .filter(article_id__in=article_ids, is_orphaned=False)
        .order_by("pk")
    )
    if not claims:
        return 0
    vectors = claims_index(claims=claims, encode=not prune)
    found = [_candidates_of(claim, prune=prune) for claim in claims]
    wanted: dict[int, Claim] = {}
    for item in found:
        if item is None:
            continue
        if item.worth_encoding and vectors.get(item.claim.pk) is None:
            wanted[item.claim.pk] = item.claim
        wanted.update({c.pk: c for c in item.lazy if vectors.get(c.pk) is None})
    vectors.update(claims_encode(claims=list(wanted.values())))
    return sum(
        _rank_and_store(item, vectors[item.claim.pk], vectors)
        for item in found
        if item is not None and item.worth_encoding
    )


def claim_match(*, claim: Claim, vector: np.ndarray | None = None, prune: bool = False) -> int:
    """Find, rank and store one claim's matches (fact-checks and other articles' claims).

    A match a reviewer rejected keeps its rejection: it is never offered again.
    """
    if vector is None:
        vector = claims_index(claims=[claim], encode=False)[claim.pk]
    item = _candidates_of(claim, prune=prune)
    if item is None or not item.worth_encoding:
        return 0
    missing = [c for c in item.lazy if c.pk != claim.pk]
    if vector is None:
        missing.append(claim)
    vectors = claims_encode(claims=missing)
    if vector is None:
        vector = vectors[claim.pk]
    return _rank_and_store(item, vector, vectors)


def _candidates_of(claim: Claim, *, prune: bool) -> _Candidates | None:
    words = _search_words(claim.text)
    fc_ids = fulltext.search("factcheck", words, limit=CANDIDATES_PER_SOURCE)
    claim_ids = fulltext.search("claim", words, limit=CANDIDATES_PER_SOURCE + 10)
    fact_checks = {
        fc.pk: fc
        for fc in FactCheck.objects.filter(pk__in=fc_ids).only(
            "pk", "text", "title", "vector", "date"
        )
    }
    others = {
        c.pk: c
        for c in Claim.objects.select_related("article", "match_vector")
        .filter(pk__in=claim_ids, is_orphaned=False)
        .exclude(article_id=claim.article_id)
    }
    candidates = []
    for fc in fact_checks.values():
        text = matching.document_text(fc.text, fc.title)
        candidates.append(
            matching.Candidate(
                f"f{fc.pk}", text, vector_from_bytes(fc.vector), terms=matching.terms(text)
            )
        )
    for c in others.values():
        text = matching.document_text(c.text)
        candidates.append(
            matching.Candidate(
                f"c{c.pk}",
                text,
                _claim_vector(c),
                terms=matching.terms(text),
                quantities=c.quantities,
                times=c.times,
            )
        )
    if not candidates:
        return None
    query = matching.MatchQuery(
        claim.text, quantities=claim.quantities, times=claim.times, speaker=claim.speaker
    )
    q_terms = matching.terms(claim.text)
    all_terms = set(q_terms)
    for candidate in candidates:
        all_terms.update(candidate.terms)
    stats = lexical_stats(terms=all_terms)
    item = _Candidates(claim, query, candidates, fact_checks, others, stats)
    for candidate in candidates:
        # Candidates come best first (the full-text rank): once one is reachable the query
        # is encoded anyway, and only candidates still without a vector need the bound.
        lazy = (
            candidate.vector is None
            and candidate.id.startswith("c")
            and _has_vector_row(others[int(candidate.id[1:])])
        )
        if item.worth_encoding and not lazy:
            continue
        if prune and not _reachable(item, candidate, q_terms):
            continue
        item.worth_encoding = True
        if lazy:
            item.lazy.append(others[int(candidate.id[1:])])
    return item


def _has_vector_row(claim: Claim) -> bool:
    """Whether the claim is indexed (counted, with a row that may wait for its vector). A
    claim whose own matching has not run yet is not: it scores a cosine of 0 until then,
    and is matched against this one, both ways, when it runs."""
    try:
        return claim.match_vector is not None
    except ClaimVector.DoesNotExist:
        return False


def _search_words(text: str) -> list[str]:
    """The words to ask the full-text index for: the claim's, without those in more than
    COMMON_WORD_SHARE of the archive (at least the MIN_SEARCH_WORDS rarest kept). A common
    word weighs little in the ranking but makes the index score a large part of the
    archive: at a million claims, 390 ms of FTS5 per query with every word, 94 ms without
    those in more than 1% of the documents (docs/benchmarks.md)."""
    words = fulltext.query_words(text)
    if COMMON_WORD_SHARE >= 1 or len(words) <= MIN_SEARCH_WORDS:
        return words
    stems = {w: (matching.terms(w) or [w])[0][:100] for w in words}
    stats = lexical_stats(terms=stems.values())
    documents = {w: stats.doc_freq.get(stem, 0) for w, stem in stems.items()}
    common = max(COMMON_WORD_SHARE * stats.doc_count, MIN_COMMON_DOCUMENTS)
    rarest = sorted(words, key=lambda w: documents[w])
    kept = set(rarest[:MIN_SEARCH_WORDS]) | {w for w in words if documents[w] <= common}
    return [w for w in words if w in kept]


def _reachable(item: _Candidates, candidate: matching.Candidate, q_terms: list[str]) -> bool:
    """Whether some pair of vectors could make ``_rank_and_store`` store this candidate: a
    ``topic`` of SUGGEST or more (``topic_ceiling``), and then, if the two clash on figures
    or dates (which no vector changes), figures that conflict, since a clashing pair's score
    is ``topic × CLASH_FACTOR``, below SUGGEST, and it is stored only for its conflict."""
    ceiling = matching.topic_ceiling(item.query, candidate, item.stats, q_terms)
    if ceiling < matching.SUGGEST:
        return False
    clash = matching.clashes(item.query, candidate)
    if not clash or ceiling * matching.CLASH_FACTOR >= matching.SUGGEST:
        return True
    return "figures" in clash and bool(_candidate_conflicts(item, candidate.id))


def _candidate_conflicts(item: _Candidates, candidate_id: str) -> list[dict]:
    pk = int(candidate_id[1:])
    if candidate_id.startswith("c"):
        return _conflicts(item.claim, item.others[pk])
    return _fact_check_conflicts(item.claim, item.fact_checks[pk])


def _rank_and_store(
    item: _Candidates, vector: np.ndarray, encoded: dict[int, np.ndarray | None]
) -> int:
    claim, others, fact_checks = item.claim, item.others, item.fact_checks
    candidates = [
        dataclasses.replace(c, vector=encoded.get(int(c.id[1:])))
        if c.vector is None and c.id.startswith("c")
        else c
        for c in item.candidates
    ]
    stored = 0
    for match in matching.rank(item.query, vector, candidates, item.stats):
        conflicts = []
        if match.topic >= matching.SUGGEST and "figures" in match.clashes:
            conflicts = _candidate_conflicts(item, match.id)
        if match.score < matching.SUGGEST and not conflicts:
            continue
        if match.id.startswith("f"):
            _store(
                claim=claim,
                fact_check=fact_checks[int(match.id[1:])],
                match=match,
                conflicts=conflicts,
            )
        else:
            other = others[int(match.id[1:])]
            _store(claim=claim, other_claim=other, match=match, conflicts=conflicts)
            # The other article's reviewer sees it too, with the figures the other way round.
            _store(claim=other, other_claim=claim, match=match, conflicts=_swap(conflicts))
        stored += 1
    return stored


def _claim_vector(claim: Claim) -> np.ndarray | None:
    try:
        return vector_from_bytes(claim.match_vector.vector)
    except ClaimVector.DoesNotExist:
        return None


def _figures(claim: Claim) -> matching.ClaimFigures:
    as_of = claim.article.reference_date
    return matching.ClaimFigures(
        claim.text, claim.quantities, claim.times, as_of.isoformat() if as_of else None
    )


def _conflicts(claim: Claim, other: Claim) -> list[dict]:
    return [
        {
            "ours": str(c.a.get("text") or c.a.get("value")),
            "theirs": str(c.b.get("text") or c.b.get("value")),
            "reason": c.reason,
        }
        for c in matching.figures_conflict(_figures(claim), _figures(other))
    ]


def _fact_check_conflicts(claim: Claim, fact_check: FactCheck) -> list[dict]:
    """The claim's figures against a fact-check's, read from its text now: a fact-check
    stores no quantities (it was never through the pipeline), and the check runs only for
    the few matches that share a topic and state other figures."""
    quantities, times = read_figures(fact_check.text, fact_check.date)
    theirs = matching.ClaimFigures(
        fact_check.text,
        quantities,
        times,
        fact_check.date.isoformat() if fact_check.date else None,
    )
    return [
        {
            "ours": str(c.a.get("text") or c.a.get("value")),
            "theirs": str(c.b.get("text") or c.b.get("value")),
            "reason": c.reason,
        }
        for c in matching.figures_conflict(_figures(claim), theirs)
    ]


def _swap(conflicts: list[dict]) -> list[dict]:
    return [{**c, "ours": c["theirs"], "theirs": c["ours"]} for c in conflicts]


def _store(
    *,
    claim: Claim,
    match: matching.Match,
    fact_check: FactCheck | None = None,
    other_claim: Claim | None = None,
    conflicts: list[dict] | None = None,
) -> None:
    conflicts = conflicts or []
    values = {
        "score": match.score,
        "topic": match.topic,
        "clashes": list(match.clashes),
        "conflicts": conflicts,
        "has_conflict": bool(conflicts),
    }
    target = {"fact_check": fact_check} if fact_check else {"other_claim": other_claim}
    # A rejected match keeps its rejection (update_or_create never clears rejected_at).
    ClaimMatch.objects.update_or_create(claim=claim, **target, defaults=values)


def matching_send_pending() -> int:
    """The sweeper's part for matching: resend articles whose extraction finished a while
    ago but whose claims were never indexed (the follow-on task was refused by a broker
    that was down, or lost). Only when the broker's queue is empty: a backlog is not a loss.
    Returns how many articles were sent."""
    try:
        if broker.waiting_messages():
            return 0
    except Exception as exc:  # any broker error means "don't know": try next round
        logger.warning("Cannot read the broker's queue length: %s", exc)
        return 0
    stale = timezone.now() - datetime.timedelta(seconds=settings.NEWSFACTS_STUCK_JOB_SECONDS)
    pending = list(
        Claim.objects.filter(
            is_orphaned=False,
            match_vector__isnull=True,
            article__jobs__state=ExtractionJob.State.DONE,
            article__jobs__finished_at__lt=stale,
        )
        .values_list("article_id", flat=True)
        .order_by("article_id")
        .distinct()[:RESEND_MAX]
    )
    sent = 0
    for start in range(0, len(pending), RESEND_BATCH):
        batch = pending[start : start + RESEND_BATCH]
        try:
            broker.send_matching(article_ids=batch)
        except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
            logger.warning("Articles %s were not sent for matching (%s)", batch, exc)
            break
        sent += len(batch)
    return sent
