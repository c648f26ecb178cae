"""The figures every training and evaluation script reports, computed one way."""

from __future__ import annotations

import numpy as np

# Reliability bins: ten of equal width.
BINS = 10


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


def ece(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: equal-width bins, weighted by their share of sentences."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        m = idx == k
        if m.any():
            total += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(total)


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[str]:
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows = [
        "| score | sentences | mean score | share check-worthy |",
        "| --- | ---: | ---: | ---: |",
    ]
    for k in range(bins):
        m = idx == k
        if m.any():
            rows.append(
                f"| {k / bins:.1f}–{(k + 1) / bins:.1f} | {int(m.sum())} | {p[m].mean():.3f} "
                f"| {y[m].mean():.3f} |"
            )
    return rows


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Mean precision at each positive, ranked by score (ties in their given order)."""
    order = np.argsort(-p, kind="stable")
    hits = y[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / max(hits.sum(), 1))
