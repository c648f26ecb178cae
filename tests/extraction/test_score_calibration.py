"""The engine's last calibration step: what ships, the promises it keeps, and its fit."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from claims.extraction import calibration
from claims.extraction.calibration import ScoreCalibration, load_calibration
from training.calibrate_claim_scores import fit
from training.metrics import ece

GRID = [i / 2000 for i in range(2001)]  # every score the engine can round to, and between


def test_the_shipped_calibration_belongs_to_the_shipped_models():
    # Retraining a model without refitting the map would silently switch it off: this fails
    # first, and says which script to run.
    shipped = json.loads(calibration.CALIBRATION_PATH.read_text(encoding="utf-8"))
    assert shipped["fitted_to"] == calibration.fingerprint(), (
        "run training/calibrate_claim_scores.py --write after retraining a model"
    )
    assert load_calibration() is not None


@pytest.mark.parametrize("rounding", [None, 3])
def test_the_shipped_map_keeps_every_decision_and_the_order(rounding):
    mapping = load_calibration()
    out = [mapping(s) if rounding is None else round(mapping(s), rounding) for s in GRID]
    for s, mapped in zip(GRID, out, strict=True):
        assert (mapped >= 0.5) == (s >= 0.5), s
    if rounding is None:
        assert all(b > a for a, b in zip(out, out[1:], strict=False))  # strictly increasing


def test_it_lowers_the_scores_that_read_high_on_debates():
    # The fit's reason to exist (docs/checkworthiness.md): claims scored 0.55-0.7 were
    # check-worthy less often than their score said; those over 0.9 more often.
    mapping = load_calibration()
    assert mapping(0.65) < 0.6 and mapping(0.95) > 0.95


def test_a_map_fitted_to_other_models_is_not_used(tmp_path, caplog):
    models = tmp_path / "models"
    models.mkdir()
    for name in calibration.MODEL_FILES:
        (models / name).write_bytes(b"another model")
    path = tmp_path / "map.json"
    good = {"xs": [0, 0.5, 1], "ys": [0.1, 0.5, 0.9], "mix": 0.02}
    path.write_text(json.dumps({**good, "fitted_to": {"checkworthiness.npz": "0" * 64}}))
    with caplog.at_level(logging.WARNING):
        assert load_calibration(path, models) is None
    assert "fitted to other model files" in caplog.text
    path.write_text(json.dumps({**good, "fitted_to": calibration.fingerprint(models)}))
    assert load_calibration(path, models)(0.5) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"xs": [0, 1]}),
        json.dumps({"xs": [0, 1], "ys": [0.9, 0.1], "mix": 0.02}),
    ],
)
def test_an_unreadable_or_broken_map_is_not_used(tmp_path, content):
    path = tmp_path / "map.json"
    path.write_text(content)
    assert load_calibration(path, tmp_path) is None


def test_a_map_that_would_move_the_decision_is_held_on_its_side_of_the_line():
    # Knots that ignore the line (a badly edited file) still cannot make a claim under
    # 0.5 check-worthy, or one over it not.
    high = ScoreCalibration((0.0, 0.4, 0.6, 1.0), (0.0, 0.8, 0.9, 1.0), 0.02)
    assert high(0.45) < 0.5 and round(high(0.4999), 3) < 0.5
    low = ScoreCalibration((0.0, 0.4, 0.6, 1.0), (0.0, 0.1, 0.2, 1.0), 0.02)
    assert low(0.55) >= 0.5 and low(0.5) >= 0.5


def test_the_fit_learns_the_rates_and_pins_the_line():
    # Scores that read high above the line and low near the top, as on the debates.
    rng = np.random.RandomState(0)
    scores = rng.uniform(0, 1, 30000)
    truth = np.clip(np.where(scores < 0.5, scores * 0.6, 0.3 + 0.7 * (scores - 0.5) * 2), 0, 1)
    labels = (rng.uniform(size=scores.size) < truth).astype(int)
    mapping = fit(scores, labels)
    assert mapping(0.5) == pytest.approx(0.5, abs=1e-9)
    mapped = np.array([mapping(s) for s in scores])
    assert ece(labels, mapped) < 0.03 < ece(labels, scores)
    assert ((mapped >= 0.5) == (scores >= 0.5)).all()
