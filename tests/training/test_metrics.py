from __future__ import annotations

import numpy as np
import pytest

from training.metrics import best_f1_threshold, prf


def test_prf_counts_the_positive_class_only() -> None:
    y = np.array([1, 1, 1, 0, 0])
    pred = np.array([1, 1, 0, 1, 0])
    assert prf(y, pred) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert prf(y, np.zeros(5, dtype=int)) == (0.0, 0.0, 0.0)  # no prediction: no division error


def test_best_threshold_never_cuts_between_equal_scores() -> None:
    y = np.array([1, 1, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.6, 0.6, 0.2])
    # F1 would be 1.0 between the two 0.6s, but no threshold separates them.
    threshold, f1 = best_f1_threshold(y, p)
    assert threshold == pytest.approx(0.4)
    assert f1 == pytest.approx(6 / 7) == pytest.approx(prf(y, (p >= threshold).astype(int))[2])
