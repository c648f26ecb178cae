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
``--claimbuster DIR`` does the same for ClaimBuster's five held-out debates, each sentence
scored by the same command (``training.checkthat_command.scores_through_command``), so
the calibration target is measured on the path the desk runs, not the model's alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from training.checkthat_command import scores_through_command
from training.datasets import load_claimbuster, validation_debates
from training.metrics import average_precision, ece, prf, reliability


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


def report(label: str, scores: list[float], labels: list[int], table: bool = False) -> None:
    s, y = np.array(scores, dtype=float), np.array(labels, dtype=int)
    p, r, f = prf(y, (s >= 0.5).astype(int))
    print(f"{label}: {len(y)} items, {int(y.sum())} positive; AP {average_precision(y, s):.3f}; "
          f"at 0.5: P {p:.3f} R {r:.3f} F1 {f:.3f}; ECE {ece(y, s):.3f}")  # fmt: skip
    if table:
        print("\n".join(reliability(y, s)))


def held_out_debates(claimbuster: Path) -> tuple[list[float], list[int]]:
    """ClaimBuster's five held-out debates (never trained on), each sentence a document of
    the shipped command: the ECE target's data, on the desk's own path."""
    data = load_claimbuster(claimbuster)
    held_out = validation_debates(data)
    docs, labels = [], []
    rows = zip(data.texts, data.labels, data.groups, strict=True)
    for n, (text, label, group) in enumerate(rows):
        if group in held_out:
            docs.append((str(n), text))
            labels.append(int(label))
    scores = scores_through_command(docs)
    return [scores[doc_id] for doc_id, _ in docs], labels


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", nargs="*", type=Path)
    ap.add_argument("--texts", type=Path, help="the folder of the gold files' articles")
    ap.add_argument("--claimbuster", type=Path, help="also ClaimBuster's held-out debates")
    args = ap.parse_args(argv)
    if args.gold and not args.texts:
        ap.error("--texts is needed with gold files")
    every_score, every_label = [], []
    for gold in args.gold:
        scores, labels = items(gold, args.texts)
        report(gold.name, scores, labels)
        every_score += scores
        every_label += labels
    if args.gold:
        report("all news gold", every_score, every_label, table=True)
    if args.claimbuster:
        scores, labels = held_out_debates(args.claimbuster)
        report("held-out debates (sentences)", scores, labels, table=True)


if __name__ == "__main__":
    main()
