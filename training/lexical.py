"""What training needs of the run-time lexical scorer (``claims/extraction/checkworthiness.py``).

Training fits scikit-learn on the scorer's own featurisation and checks the exported model
against the scorer's own arithmetic, so both reach into the scorer rather than copy it: a
copy could drift from what the engine runs, and the parity checks would then prove nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from claims.extraction import checkworthiness as cw


def cue_features(text: str) -> list[str]:
    """Binary surface cues (the same ones that produce the human-readable reasons)."""
    return cw._cue_features_from_scan(text, cw._scan(text))


# The analyzer scikit-learn's TfidfVectorizer runs for each block of cw.BLOCKS.
ANALYZERS = {"word": cw.word_features, "char": cw.char_features, "cue": cue_features}


def raw_probabilities(sentences: Sequence[str], model: cw._Model | None = None) -> list[float]:
    """Un-rescaled logistic-regression probabilities (for evaluation and calibration)."""
    m = model or cw.get_model()
    return [cw._probability(m, text, cw._scan(text)) for text in sentences]
