"""Matching's index: the encoder, claims' and fact-checks' vectors stored with their rows,
and the BM25 statistics (``LexicalTerm``) that every worker reads from the database."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import F

from claims import matching
from claims.models import Claim, ClaimVector, FactCheck, LexicalTerm

# Claims per onnxruntime call. One: with the shipped weights-only int8 model a batch costs
# more CPU per claim than one claim at a time (padding to the longest, and MatMulNBits'
# batched path): 21 ms one by one, 24 ms in fours, 48 ms in 32s, same vectors (cosine
# 0.999999); docs/matching.md.
ENCODE_BATCH = 1


@functools.cache
def encoder() -> matching.Encoder:
    """The sentence encoder, loaded once per process."""
    return matching.Encoder()


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype="<f4")


# --- BM25 statistics ----------------------------------------------------------------------


def lexical_count(*, added: Iterable[list[str]] = (), removed: Iterable[list[str]] = ()) -> None:
    """Count documents (given as their ``terms()``) into the statistics, or out of them.

    Increments are relative (``F() + n``), so concurrent workers never overwrite each
    other's counts.
    """
    change: Counter[str] = Counter()
    documents = length = 0
    for sign, docs in ((1, added), (-1, removed)):
        for doc_terms in docs:
            documents += sign
            length += sign * len(doc_terms)
            for term in set(doc_terms):
                change[term[:100]] += sign
    change[LexicalTerm.TOTAL_DOCUMENTS] += documents
    change[LexicalTerm.TOTAL_LENGTH] += length
    change = Counter({term: n for term, n in change.items() if n})
    if not change:
        return
    LexicalTerm.objects.bulk_create(
        [LexicalTerm(term=term, documents=0) for term in change], ignore_conflicts=True
    )
    by_step: dict[int, list[str]] = {}
    for term, n in change.items():
        by_step.setdefault(n, []).append(term)
    for n, terms in sorted(by_step.items()):
        for start in range(0, len(terms), 500):
            LexicalTerm.objects.filter(term__in=sorted(terms[start : start + 500])).update(
                documents=F("documents") + n
            )


def lexical_stats(*, terms: Iterable[str]) -> matching.LexicalStats:
    """The statistics BM25 needs for these terms (and the totals), read from the table."""
    wanted = sorted(
        {t[:100] for t in terms} | {LexicalTerm.TOTAL_DOCUMENTS, LexicalTerm.TOTAL_LENGTH}
    )
    # A few hundred terms per claim: plain SQL, since the ORM's per-parameter preparation of
    # a long IN list cost more than the query itself (a third of a match's Python, measured).
    table = connection.ops.quote_name(LexicalTerm._meta.db_table)
    rows = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 900):  # under SQLite's 999 parameters
            chunk = wanted[start : start + 900]
            cursor.execute(
                f"SELECT term, documents FROM {table} WHERE term IN "
                f"({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            rows.update(cursor.fetchall())
    count = max(rows.pop(LexicalTerm.TOTAL_DOCUMENTS, 0), 0)
    length = max(rows.pop(LexicalTerm.TOTAL_LENGTH, 0), 0)
    return matching.LexicalStats(count, length / count if count else 1.0, rows)


# --- the archive and the claims, encoded ---------------------------------------------------


def fact_checks_index(*, fact_check_ids: list[int] | None = None) -> int:
    """Encode the fact-checks (these, or all) that have no vector yet and count them into
    the statistics."""
    pending = FactCheck.objects.filter(vector__isnull=True).only("pk", "text", "title")
    if fact_check_ids is not None:
        pending = pending.filter(pk__in=fact_check_ids)
    pending = list(pending.order_by("pk"))
    for start in range(0, len(pending), 256):
        batch = pending[start : start + 256]
        documents = [matching.document_text(fc.text, fc.title) for fc in batch]
        vectors = encoder().encode(documents, batch_size=ENCODE_BATCH)
        with transaction.atomic():
            for fc, vector in zip(batch, vectors, strict=True):
                fc.vector = vector_to_bytes(vector)
            FactCheck.objects.bulk_update(batch, ["vector"])
            lexical_count(added=[matching.terms(d) for d in documents])
    return len(pending)


def claims_index(*, claims: list[Claim], encode: bool = True) -> dict[int, np.ndarray | None]:
    """Each claim's vector (None when not encoded yet); returns claim id → vector.

    Claims with no row, or whose text changed since, are counted into the statistics now
    and given a row: with their vector when ``encode``, empty otherwise (the desk encodes a
    claim only when some query needs its vector: ``articles_match``). ``encode`` also
    encodes rows left empty before.
    """
    stored = {cv.claim_id: cv for cv in ClaimVector.objects.filter(claim__in=claims)}
    vectors: dict[int, np.ndarray | None] = {}
    stale, empty = [], []
    for claim in claims:
        cv = stored.get(claim.pk)
        if cv is not None and cv.text == claim.text:
            vectors[claim.pk] = vector_from_bytes(cv.vector)
            if vectors[claim.pk] is None:
                empty.append(claim)
        else:
            stale.append(claim)
    if stale:
        encoded = (
            list(
                encoder().encode(
                    [matching.document_text(c.text) for c in stale], batch_size=ENCODE_BATCH
                )
            )
            if encode
            else [None] * len(stale)
        )
        with transaction.atomic():
            old = [stored[c.pk].text for c in stale if c.pk in stored]
            ClaimVector.objects.filter(claim__in=stale).delete()
            ClaimVector.objects.bulk_create(
                [
                    ClaimVector(
                        claim=c, vector=b"" if v is None else vector_to_bytes(v), text=c.text
                    )
                    for c, v in zip(stale, encoded, strict=True)
                ]
            )
            lexical_count(
                added=[matching.terms(c.text) for c in stale],
                removed=[matching.terms(t) for t in old],
            )
        vectors.update({c.pk: v for c, v in zip(stale, encoded, strict=True)})
    if encode and empty:
        vectors.update(claims_encode(claims=empty))
    return vectors


def claims_encode(*, claims: list[Claim]) -> dict[int, np.ndarray]:
    """Encode claims (``ENCODE_BATCH`` per onnxruntime call) and store each vector on its
    row, if the row is still for the same text (a re-extraction meanwhile re-indexes the
    claim itself)."""
    if not claims:
        return {}
    encoded = encoder().encode(
        [matching.document_text(c.text) for c in claims], batch_size=ENCODE_BATCH
    )
    for claim, vector in zip(claims, encoded, strict=True):
        ClaimVector.objects.filter(claim_id=claim.pk, text=claim.text).update(
            vector=vector_to_bytes(vector)
        )
    return {c.pk: v for c, v in zip(claims, encoded, strict=True)}
