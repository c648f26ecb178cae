"""MAP@k of a TREC run against TREC qrels, the measure of CLEF CheckThat! claim retrieval.

    python manage.py match_claims --archive A --queries Q > run.txt
    python -m training.score_trec --qrels dev/tweet-vclaim-pairs.qrels --run run.txt

Average precision at k for one query: the precision at each rank (up to k) where a relevant
claim stands, summed, over the number of relevant claims (at most k); a query with no line
in the run scores 0. The mean runs over the queries of the qrels.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from training.matching_data import read_qrels


def read_run(path: Path | str) -> dict[str, list[str]]:
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 6:
                raise ValueError(f"{path}:{number}: expected 6 columns of a TREC run")
            ranked[parts[0]].append((int(parts[3]), parts[2]))
    return {q: [doc for _, doc in sorted(rows)] for q, rows in ranked.items()}


def average_precision(ranked: list[str], relevant: set[str], k: int) -> float:
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranked[:k], 1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


def mean_average_precision(run: dict[str, list[str]], qrels: dict[str, set[str]], k: int = 5):
    if not qrels:
        return 0.0
    return sum(average_precision(run.get(q, []), rel, k) for q, rel in qrels.items()) / len(qrels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qrels", required=True)
    parser.add_argument("--run", required=True, help="a TREC run file, or - for stdin")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    run_path = "/dev/stdin" if args.run == "-" else args.run
    qrels = read_qrels(args.qrels)
    run = read_run(run_path)
    score = mean_average_precision(run, qrels, args.k)
    print(f"MAP@{args.k} {score:.4f} over {len(qrels)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
