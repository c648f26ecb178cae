"""The last step of a claim's score: the engine's own calibration (no Django).

The check-worthiness models are calibrated on their own (``checkworthiness.calibrated``),
but the score a claim carries is not quite the models' sentence score: the engine scores
the units it cuts a sentence into, keeps only sentences where it finds a claim, and lowers
quotations that assert nothing. Measured through ``manage.py extract_claims`` on debates
the models never learned from, claims scored 0.5–0.7 were check-worthy about a tenth less
often than their score said, and those above 0.8 more often. This map corrects that.

It is a monotone piecewise-linear map of the engine's score, fitted by
``training/calibrate_claim_scores.py`` (binned rates made monotone, leave-one-debate-out
figures in ``docs/checkworthiness.md``) and stored as plain JSON beside the models. Two
promises hold whatever the fit:

* **The decision stays**: a score under 0.5 stays under 0.5 and one at or over stays at or
  over, so "check-worthy" means what it meant and CheckThat's figure cannot move.
* **The order stays**: the map is strictly increasing (a small share of the identity is
  mixed in), so the queue's "highest score first" ranks claims as before.

The file names the model files it was fitted to (sha256); beside any other models it is
not used (a warning is logged) and scores are the models' own. It was fitted with the
shipped spaCy pipeline; with another one (``NEWSFACTS_SPACY_MODEL``) the lexical model
scores alone, and the map still keeps every decision and the order, but how well its
probabilities hold there was not measured.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent / "models"
CALIBRATION_PATH = MODELS_DIR / "claim-score-calibration.json"
# The files a calibration is only valid beside (checkworthiness.MODEL_PATH and the parse
# model's): named here rather than imported so this module loads without numpy.
MODEL_FILES = ("checkworthiness.npz", "checkworthiness-parse.npz")
LINE = 0.5  # scoring.CHECK_WORTHY; a score under it must stay under it
# The highest score a claim under the line may get once rounded to three places (the
# engine rounds): 0.4996 would read as 0.5.
_UNDER_LINE = 0.4994


@dataclass(frozen=True)
class ScoreCalibration:
    """``score -> (1 - mix) * interp(score, xs, ys) + mix * score``, held on its side of
    the line. ``xs`` run from 0 to 1 and pass through (0.5, 0.5); ``ys`` never decrease."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    mix: float

    def __post_init__(self) -> None:
        if len(self.xs) != len(self.ys) or len(self.xs) < 2:
            raise ValueError("a calibration needs as many ys as xs, at least two")
        if list(self.xs) != sorted(self.xs) or self.xs[0] != 0.0 or self.xs[-1] != 1.0:
            raise ValueError("calibration xs must rise from 0 to 1")
        if any(b < a for a, b in zip(self.ys, self.ys[1:], strict=False)):
            raise ValueError("calibration ys must never decrease")
        if not 0.0 < self.mix <= 1.0:
            raise ValueError("calibration mix must be in (0, 1]")

    def __call__(self, score: float) -> float:
        score = min(1.0, max(0.0, score))
        k = min(bisect_right(self.xs, score), len(self.xs) - 1)
        x0, x1, y0, y1 = self.xs[k - 1], self.xs[k], self.ys[k - 1], self.ys[k]
        mapped = y0 + (y1 - y0) * (score - x0) / (x1 - x0) if x1 > x0 else y1
        out = (1.0 - self.mix) * mapped + self.mix * score
        return min(out, _UNDER_LINE) if score < LINE else max(out, LINE)


def fingerprint(models_dir: Path = MODELS_DIR) -> dict[str, str]:
    """sha256 of each model file a calibration is fitted to (missing files are left out)."""
    out = {}
    for name in MODEL_FILES:
        path = models_dir / name
        if path.exists():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def load_calibration(
    path: Path = CALIBRATION_PATH, models_dir: Path = MODELS_DIR
) -> ScoreCalibration | None:
    """The calibration in ``path``, or ``None`` (scores left as the models give them) when
    there is none, it cannot be read, or it was fitted to other model files."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        calibration = ScoreCalibration(
            tuple(map(float, data["xs"])), tuple(map(float, data["ys"])), float(data["mix"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        logger.exception("cannot read the claim score calibration at %s; not using it", path)
        return None
    if data.get("fitted_to") != fingerprint(models_dir):
        logger.warning(
            "the claim score calibration at %s was fitted to other model files; not using it "
            "(run training/calibrate_claim_scores.py --write)",
            path,
        )
        return None
    return calibration


_lock = threading.Lock()
_loaded = False
_calibration: ScoreCalibration | None = None


def get_calibration() -> ScoreCalibration | None:
    """The shipped calibration, loaded once per process (thread-safe, lazy)."""
    global _calibration, _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                _calibration = load_calibration()
                _loaded = True
    return _calibration


def use_calibration(calibration: ScoreCalibration | None) -> None:
    """Replace the process's calibration: ``None`` gives the engine's score before it, which
    is what the fitting script learns from."""
    global _calibration, _loaded
    with _lock:
        _calibration, _loaded = calibration, True
