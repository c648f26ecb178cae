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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tsv")
    args = ap.parse_args(argv)
    ids, labels = [], []
    with (
        open(args.tsv, newline="", encoding="utf-8") as fh,
        tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out,
    ):
        for row in csv.DictReader(fh, delimiter="\t"):
            ids.append(str(row["Sentence_id"]))
            labels.append(1 if row["class_label"].strip().lower() == "yes" else 0)
            out.write(json.dumps({"id": ids[-1], "text": row["Text"].strip()}) + "\n")
    cmd = [sys.executable, "manage.py", "extract_claims", "--docs-jsonl", out.name]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    worthy = set()
    for line in proc.stdout.splitlines():
        claim = json.loads(line)
        if claim["score"] >= 0.5:
            worthy.add(str(claim["doc"]))
    y = np.array(labels)
    pred = np.array([int(i in worthy) for i in ids])
    p, r, f = prf(y, pred)
    print(f"CheckThat through extract_claims: {len(ids)} sentences, {int(y.sum())} Yes: "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
