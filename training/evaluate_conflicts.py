"""Precision and recall of ``claims.matching.figures_conflict`` on the conflict gold.

    python -m training.evaluate_conflicts --gold tests/matching/conflict_gold.jsonl

The gold (written before the rules) holds pairs of claims with the quantities and times
``extract_claims`` gives them, each labelled conflict or not. ``split``: ``dev`` and
``test`` were labelled before the rules were written, but the rules' author had read both;
``fresh`` was written and labelled after the rules and scored once, unchanged. Prints
precision and recall of "conflict" per split and overall, and every pair the rules get wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from claims.matching.conflicts import ClaimFigures, figures_conflict


def load_gold(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _claim(side: dict) -> ClaimFigures:
    return ClaimFigures(side["text"], side["quantities"], side["times"], side.get("as_of"))


def predict(pair: dict) -> bool:
    return bool(figures_conflict(_claim(pair["a"]), _claim(pair["b"])))


def precision_recall(pairs: list[dict]) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for pair in pairs:
        said, truth = predict(pair), pair["conflict"]
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", required=True)
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    for name in ("dev", "test", "fresh", "all"):
        pairs = [p for p in gold if name == "all" or p["split"] == name]
        precision, recall, tp, fp, fn = precision_recall(pairs)
        print(
            f"{name:>4}: {len(pairs)} pairs, {sum(p['conflict'] for p in pairs)} conflicts; "
            f"precision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})"
        )
    for pair in gold:
        if predict(pair) != pair["conflict"]:
            print(
                f"  wrong on {pair['id']} ({pair['split']}): {pair['a']['text']!r} / "
                f"{pair['b']['text']!r}, gold {pair['conflict']}, {pair['why']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
