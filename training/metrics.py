"""The figures every training and evaluation script reports, computed one way."""

from __future__ import annotations

import numpy as np


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = int(((pred == 1) & (y == 1)).sum())
    p = tp / max(int(pred.sum()), 1)
    r = tp / max(int(y.sum()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Threshold maximising positive-class F1 over the distinct predicted probabilities."""
    order = np.argsort(-p, kind="stable")
    ys, ps = y[order], p[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ys) + 1)
    f1 = 2 * tp / (k + ys.sum())
    # Only cut between distinct scores.
    valid = np.r_[ps[1:] < ps[:-1], True]
    i = int(np.argmax(np.where(valid, f1, -1)))
    nxt = ps[i + 1] if i + 1 < len(ps) else 0.0
    return float((ps[i] + nxt) / 2), float(f1[i])
