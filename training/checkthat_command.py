"""CheckThat! 2024 through the shipped command, as the desk runs it.

Each sentence of the TSV is one document of ``manage.py extract_claims --docs-jsonl``; a
sentence counts as check-worthy when a claim in it scores 0.5 or more. Nothing here is fitted:

    python -m training.checkthat_command /work/shared/data/checkthat2024/dev-test.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile

import numpy as np

from training.metrics import prf


def scores_through_command(docs: list[tuple[str, str]]) -> dict[str, float]:
    """Each document's highest claim score as ``manage.py extract_claims --docs-jsonl``
    gives it (0 for a document with no claim): the desk's own path, nothing fitted."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for doc_id, text in docs:
            out.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    cmd = [sys.executable, "manage.py", "extract_claims", "--docs-jsonl", out.name]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    best = dict.fromkeys((doc_id for doc_id, _ in docs), 0.0)
    for line in proc.stdout.splitlines():
        claim = json.loads(line)
        doc = str(claim["doc"])
        best[doc] = max(best[doc], claim["score"])
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tsv")
    args = ap.parse_args(argv)
    docs, labels = [], []
    with open(args.tsv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            docs.append((str(row["Sentence_id"]), row["Text"].strip()))
            labels.append(1 if row["class_label"].strip().lower() == "yes" else 0)
    scores = scores_through_command(docs)
    y = np.array(labels)
    pred = np.array([int(scores[doc_id] >= 0.5) for doc_id, _ in docs])
    p, r, f = prf(y, pred)
    print(f"CheckThat through extract_claims: {len(docs)} sentences, {int(y.sum())} Yes: "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
