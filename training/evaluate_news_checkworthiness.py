"""Check-worthiness on news: a model trained on debates, scored on the desk's own news gold.

The shipped scorer learned from US presidential debates (ClaimBuster's human labels; news
sentences only through a debate-trained teacher's guesses). This asks how its scores carry
over to wire copy nobody labelled for it: our gold sets, written by hand before any tuning.
Every gold claim is a check-worthy item, every gold non-claim (headlines, feelings, appeals,
questions, boilerplate) a not-check-worthy one. An item's score is the highest score of the
claims the shipped command (`manage.py extract_claims`, as the desk runs it) finds
overlapping it, 0 when none does. Nothing here is fitted.

    python -m training.evaluate_news_checkworthiness tests/extraction/gold/wire-gold.json \\
        tests/extraction/gold/holdout-gold.json tests/extraction/gold/fresh-gold.json \\
        --texts tests/extraction/gold

Prints, per gold file and for all together: items, average precision, F1 at 0.5 (the
queue's line), expected calibration error (ten equal-width bins) and a reliability table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from training.metrics import prf


def _claims(path: Path) -> list[dict]:
    cmd = [sys.executable, "manage.py", "extract_claims", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _score(text: str, snippet: str, claims: list[dict]) -> float:
    start = text.find(snippet)
    if start < 0:
        raise SystemExit(f"gold snippet not in its text: {snippet[:80]!r}")
    end = start + len(snippet)
    found = [c["score"] for c in claims if c["start"] < end and c["end"] > start]
    return max(found, default=0.0)


def items(gold_path: Path, texts: Path) -> tuple[list[float], list[int]]:
    scores, labels = [], []
    for name, gold in json.loads(gold_path.read_text(encoding="utf-8")).items():
        path = texts / name
        text = path.read_text(encoding="utf-8")
        claims = _claims(path)
        for claim in gold.get("claims", []):
            scores.append(_score(text, claim["in"], claims))
            labels.append(1)
        for snippet in gold.get("non_claims", []):
            scores.append(_score(text, snippet, claims))
            labels.append(0)
    return scores, labels


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = labels[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / max(hits.sum(), 1))


def reliability(scores: np.ndarray, labels: np.ndarray, bins: int = 10):
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            mean, rate = float(scores[mask].mean()), float(labels[mask].mean())
            ece += mask.mean() * abs(mean - rate)
            rows.append((edges[b], edges[b + 1], int(mask.sum()), mean, rate))
    return ece, rows


def report(label: str, scores: list[float], labels: list[int], table: bool = False) -> None:
    s, y = np.array(scores, dtype=float), np.array(labels, dtype=int)
    p, r, f = prf(y, (s >= 0.5).astype(int))
    ece, rows = reliability(s, y)
    print(f"{label}: {len(y)} items, {int(y.sum())} claims; AP {average_precision(s, y):.3f}; "
          f"at 0.5: P {p:.3f} R {r:.3f} F1 {f:.3f}; ECE {ece:.3f}")  # fmt: skip
    if table:
        print("| scores | items | mean score | share that are claims |")
        print("| --- | ---: | ---: | ---: |")
        for lo, hi, n, mean, rate in rows:
            print(f"| {lo:.1f}–{hi:.1f} | {n} | {mean:.2f} | {rate:.2f} |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="+", type=Path)
    ap.add_argument("--texts", required=True, type=Path)
    args = ap.parse_args(argv)
    every_score, every_label = [], []
    for gold in args.gold:
        scores, labels = items(gold, args.texts)
        report(gold.name, scores, labels)
        every_score += scores
        every_label += labels
    report("all", every_score, every_label, table=True)


if __name__ == "__main__":
    main()
