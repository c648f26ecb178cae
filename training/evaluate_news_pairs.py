"""How the matching engine ranks the desk's own news pairs, through ``manage.py match_claims``.

    python -m training.evaluate_news_pairs --pairs tests/matching/news_pairs.jsonl

The pairs (written before any tuning) are groups: a query claim, the same claim reworded
(``match``), the same topic with another figure, period, place or entity (``near_miss``),
and unrelated claims. Every candidate text becomes one archive claim and every query one
query; the command ranks the whole archive for each query, and this script reads its run:

- match at rank 1: the rewording ranked first among all archive claims;
- match above near-miss: for each near-miss, its group's rewording scores higher;
- at or above SUGGEST / CONFIRM: the share of matches, near-misses and unrelated pairs that
  the desk would show (or treat as the same claim).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from claims.matching import CONFIRM, SUGGEST

ROOT = Path(__file__).resolve().parent.parent


def load_pairs(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_command(pairs: list[dict]) -> tuple[dict[str, str], dict[str, str], dict]:
    """Archive and query ids by text, and the run as {(query id, doc id): (rank, score)}."""
    docs = {text: f"c{i}" for i, text in enumerate(dict.fromkeys(p["candidate"] for p in pairs))}
    queries = {text: f"q{i}" for i, text in enumerate(dict.fromkeys(p["query"] for p in pairs))}
    with tempfile.TemporaryDirectory() as scratch:
        archive, query_file = Path(scratch) / "archive.jsonl", Path(scratch) / "queries.jsonl"
        archive.write_text(
            "".join(json.dumps({"id": i, "text": t}) + "\n" for t, i in docs.items())
        )
        query_file.write_text(
            "".join(json.dumps({"id": i, "text": t}) + "\n" for t, i in queries.items())
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "match_claims", "--archive", str(archive),
             "--queries", str(query_file), "--top", str(len(docs))],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
    run = {}
    for line in result.stdout.splitlines():
        query, _, doc, rank, score, _ = line.split("\t")
        run[(query, doc)] = (int(rank), float(score))
    return docs, queries, run


def measure(pairs: list[dict]) -> dict[str, float]:
    docs, queries, run = run_command(pairs)

    def found(pair):
        return run.get((queries[pair["query"]], docs[pair["candidate"]]), (10**9, 0.0))

    matches = [p for p in pairs if p["label"] == "match"]
    near = [p for p in pairs if p["label"] == "near_miss"]
    unrelated = [p for p in pairs if p["label"] == "unrelated"]
    match_of = {p["query"]: found(p)[1] for p in matches}
    figures = {
        "match at rank 1": sum(found(p)[0] == 1 for p in matches) / len(matches),
        "match above near-miss": sum(
            match_of[p["query"]] > found(p)[1] for p in near if p["query"] in match_of
        )
        / len(near),
    }
    for name, threshold in (("SUGGEST", SUGGEST), ("CONFIRM", CONFIRM)):
        for label, group in (("match", matches), ("near-miss", near), ("unrelated", unrelated)):
            share = sum(found(p)[1] >= threshold for p in group) / len(group)
            figures[f"{label} >= {name}"] = share
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", required=True)
    args = parser.parse_args(argv)
    pairs = load_pairs(args.pairs)
    counts = {
        label: sum(p["label"] == label for p in pairs)
        for label in ("match", "near_miss", "unrelated")
    }
    print(f"{len(pairs)} pairs: {counts}")
    for name, value in measure(pairs).items():
        print(f"{name:>24}: {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
