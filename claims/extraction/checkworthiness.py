"""Sentence-level check-worthiness scorer (no Django).

``score_docs(spans)`` -- the engine's call -- returns, for each spaCy Span or Doc,
``(score, reasons)`` from two models: the *lexical model* here (word + character n-gram
TF-IDF and surface cues, logistic regression, distilled from a fine-tuned MiniLM teacher:
see training/train_checkworthiness.py) on the sentence's text, and the *parse model*
(``parse_model.py``) on the tokens spaCy already parsed. Their logits are added with a
weight chosen on held-out ClaimBuster debates. ``score_sentences(["..."])`` scores plain
text with the lexical model alone (no spaCy needed).

* ``score`` is in ``[0, 1]``: a calibrated probability, held to 0.5 at the decision
  threshold chosen on the held-out debates ("score >= 0.5 means check-worthy"): Platt
  scaling anchored there (``calibrated``; numbers in each model file's meta, fitted by
  ``training/calibrate_checkworthiness.py``). Ranking is the raw probability's.
* ``reasons`` are short human-readable strings: ``"model: 0.83"`` first, then the surface cues
  found in the sentence ("contains a figure '7 million'", "opinion marker 'I think'", ...)
  and, from a parse, the entities spaCy found. They are explanations for a reader; the score
  comes from the models.

Each model is a single ``.npz`` of plain arrays loaded with ``allow_pickle=False``, so
loading it executes no code. The featurisation below is the one training uses (it passes
these functions to scikit-learn: ``training/lexical.py``), so training and inference cannot
drift apart; scikit-learn is NOT needed at run time, only numpy.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from .cues import Scan as _Scan
from .cues import cue_features_from_scan as _cue_features_from_scan
from .cues import scan as _scan
from .parse_model import MODEL_PATH as PARSE_MODEL_PATH
from .parse_model import ParseModel, load_parse_model
from .parse_model import logits as parse_logits

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "models" / "checkworthiness.npz"

# --------------------------------------------------------------------------------------------
# Featurisation (shared with training/lexical.py)
# --------------------------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")
# Words keep inner apostrophes ("don't", "we've") because contractions are strong
# non-factual cues in spoken text; %, $ and ? are kept as tokens because they carry signal.
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[%$£€?]")


def normalise(text: str) -> str:
    """Lower-case and map every digit to 0, so "7 million" and "9 million" share features."""
    return _DIGIT.sub("0", text.lower()).replace("’", "'")


def word_features(text: str) -> list[str]:
    """Word unigrams and bigrams of the normalised text."""
    toks = _WORD.findall(normalise(text))
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def char_features(text: str, lo: int = 2, hi: int = 5) -> list[str]:
    """Character n-grams inside word boundaries (like scikit-learn's ``char_wb``)."""
    out: list[str] = []
    for w in normalise(text).split():
        w = f" {w} "
        n_w = len(w)
        for n in range(lo, min(hi, n_w) + 1):
            out.extend(w[i : i + n] for i in range(n_w - n + 1))
    return out


BLOCKS = ("word", "char", "cue")

# --------------------------------------------------------------------------------------------
# Model loading and scoring
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    index: dict[str, int]
    idf: np.ndarray  # float64, per feature
    coef: np.ndarray  # float64, per feature
    sublinear: bool
    norm: bool
    # Feature indices of each word's character n-grams, filled as words are met: words
    # repeat (Zipf), and cutting a word into n-grams was most of the scorer's time.
    word_ids: dict[str, np.ndarray] = field(default_factory=dict, compare=False)


# Bounds the cache's memory (a few MB) so a worker's RSS stays flat over thousands of
# articles; the frequent words, which are most of the hits, come back at once after a clear.
_WORD_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class _Model:
    blocks: dict[str, _Block]
    intercept: float
    threshold: float
    meta: dict[str, Any]


_lock = threading.Lock()
_model: _Model | None = None


def load_model(path: Path | str = MODEL_PATH) -> _Model:
    """Load a model file (plain arrays only: ``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        blocks = {}
        for name in BLOCKS:
            vocab = z[f"{name}_vocab"].tolist()
            cfg = meta["blocks"][name]
            blocks[name] = _Block(
                index={f: i for i, f in enumerate(vocab)},
                idf=z[f"{name}_idf"].astype(np.float64),
                coef=z[f"{name}_coef"].astype(np.float64),
                sublinear=bool(cfg["sublinear_tf"]),
                norm=bool(cfg["l2_norm"]),
            )
    return _Model(blocks, float(meta["intercept"]), float(meta["threshold"]), meta)


def get_model() -> _Model:
    """The shipped model, loaded once per process (thread-safe, lazy)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_model()
    return _model


def word_cache() -> dict[str, np.ndarray]:
    """The loaded model's per-word n-gram cache, for benchmarks that must start each
    measurement from the same cache (a word scored once is cheaper the next time)."""
    return get_model().blocks["char"].word_ids


def _block_margin(block: _Block, feats: Iterable[str]) -> float:
    counts: dict[int, int] = {}
    index = block.index
    for f in feats:
        i = index.get(f)
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    n = len(counts)
    ix = np.fromiter(counts.keys(), dtype=np.intp, count=n)
    return _margin(block, ix, np.fromiter(counts.values(), dtype=np.float64, count=n))


def _char_margin(block: _Block, text: str) -> float:
    """``_block_margin(block, char_features(text))``: each word's n-grams are looked up once
    (cached), and a sentence's are counted by numpy, not one by one."""
    cache = block.word_ids
    arrays = []
    for word in normalise(text).split():
        ids = cache.get(word)
        if ids is None:
            ids = _word_ids(block.index, word)
            if len(cache) >= _WORD_CACHE_LIMIT:
                cache.clear()
            cache[word] = ids
        arrays.append(ids)
    if not arrays:
        return 0.0
    ix, tf = np.unique(np.concatenate(arrays), return_counts=True)
    return _margin(block, ix, tf.astype(np.float64))


def _word_ids(index: dict[str, int], word: str) -> np.ndarray:
    """Feature indices of ``char_features(word)`` for one normalised word (n = 2 to 5)."""
    w = f" {word} "
    grams = [w[i : i + n] for n in range(2, 6) for i in range(len(w) - n + 1)]
    ids = np.fromiter(map(index.get, grams, repeat(-1)), dtype=np.intp, count=len(grams))
    return ids[ids >= 0]


def _margin(block: _Block, ix: np.ndarray, tf: np.ndarray) -> float:
    """The block's share of the logit for features ``ix`` seen ``tf`` times each."""
    if not len(ix):
        return 0.0
    if block.sublinear:
        tf = 1.0 + np.log(tf)
    w = tf * block.idf[ix]
    s = float(w @ block.coef[ix])
    if block.norm:
        n = math.sqrt(float(w @ w))
        s = s / n if n else 0.0
    return s


def _logit(m: _Model, text: str, scan: _Scan) -> float:
    z = m.intercept
    z += _block_margin(m.blocks["word"], word_features(text))
    z += _char_margin(m.blocks["char"], text)
    z += _block_margin(m.blocks["cue"], _cue_features_from_scan(text, scan))
    return z


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _probability(m: _Model, text: str, scan: _Scan) -> float:
    return _sigmoid(_logit(m, text, scan))


def calibrated(z: float, calibration: dict[str, Any] | None, threshold: float) -> float:
    """``sigmoid(slope * (z - z0))``, one slope below the threshold's logit ``z0`` and one
    above: ``score >= 0.5`` exactly when the probability reaches the threshold. A model file
    without a calibration keeps the older piecewise-linear ``rescale``."""
    if not calibration:
        return rescale(_sigmoid(z), threshold)
    x = z - float(calibration["z0"])
    return _sigmoid(x * float(calibration["below"] if x < 0 else calibration["above"]))


def rescale(p: float, threshold: float) -> float:
    """Monotone piecewise-linear map with ``threshold -> 0.5`` (documented in the module doc)."""
    if p < threshold:
        return 0.5 * p / threshold
    return min(1.0, 0.5 + 0.5 * (p - threshold) / (1.0 - threshold))


def _reasons(score: float, scan: _Scan) -> list[str]:
    hits, names = scan
    reasons = [f"model: {score:.2f}"]
    reasons.extend(t.format(found) if "{}" in t else t for _, t, found in hits)
    if names:
        reasons.append("names " + ", ".join(f"'{n}'" for n in names[:3]))
    return reasons


def score_sentences(
    sentences: Sequence[str], model: _Model | None = None
) -> list[tuple[float, list[str]]]:
    """Score sentences: ``(probability rescaled so 0.5 = threshold, reasons)`` for each.

    ``model`` defaults to the shipped one (loaded once per process)."""
    m = model or get_model()
    out = []
    for text in sentences:
        scan = _scan(text)
        score = calibrated(_logit(m, text, scan), m.meta.get("calibration"), m.threshold)
        out.append((score, _reasons(score, scan)))
    return out


_ENT_REASONS = {
    "ORG": "names an organisation",
    "PERSON": "names a person",
    "GPE": "names a place",
    "LOC": "names a place",
    "NORP": "names a group",
    "LAW": "names a law",
    "EVENT": "names an event",
}
_NUM_ENTS = {"CARDINAL", "PERCENT", "MONEY", "QUANTITY"}


@dataclass(frozen=True)
class _Ensemble:
    parse: ParseModel
    weight: float  # of the parse model's logit; the lexical model's gets 1 - weight
    threshold: float  # on the combined probability: the score's 0.5
    calibration: dict[str, Any] | None = None  # see ``calibrated``


_ensemble: _Ensemble | None = None
_ensemble_loaded = False


def get_ensemble() -> _Ensemble | None:
    """The parse model and how it is combined with the lexical one, loaded once per process;
    ``None`` (the lexical model alone) when its file is missing or was fitted to another
    lexical model -- its weight and threshold would then be wrong."""
    global _ensemble, _ensemble_loaded
    if not _ensemble_loaded:
        lexical = get_model()  # outside the lock: get_model takes it too
        with _lock:
            if not _ensemble_loaded:
                _ensemble = _load_ensemble(lexical)
                _ensemble_loaded = True
    return _ensemble


def _load_ensemble(lexical: _Model, path: Path | str = PARSE_MODEL_PATH) -> _Ensemble | None:
    if not Path(path).exists():
        logger.warning("no parse model at %s; scoring with the lexical model alone", path)
        return None
    try:
        parse = load_parse_model(path)
    except Exception:  # a damaged or older file: the lexical model still scores
        logger.exception("cannot load the parse model at %s; using the lexical model alone", path)
        return None
    fitted_to = parse.meta.get("lexical_model", {})
    if not (
        math.isclose(fitted_to.get("intercept", math.nan), lexical.intercept, rel_tol=1e-6)
        and math.isclose(fitted_to.get("threshold", math.nan), lexical.threshold, rel_tol=1e-6)
    ):
        logger.warning("parse model was fitted to another lexical model; not using it")
        return None
    ens = parse.meta["ensemble"]
    return _Ensemble(
        parse, float(ens["weight"]), float(ens["threshold"]), parse.meta.get("calibration")
    )


def score_docs(
    docs: Sequence[Any], ensemble: _Ensemble | None | bool = True
) -> list[tuple[float, list[str]]]:
    """Score spaCy Docs or Spans with both models: the lexical model on their text and the
    parse model on what spaCy computed for their tokens. The reasons also name the entities
    spaCy found. A sentence the parse model cannot read (a Doc of another pipeline, or no
    token vectors) is scored as ``score_sentences`` scores its text.

    ``ensemble``: ``True`` for the shipped one, ``None``/``False`` for the lexical model
    alone, or an ensemble to use."""
    m = get_model()
    ens = get_ensemble() if ensemble is True else (ensemble or None)
    texts = [d.text for d in docs]
    scans = [_scan(t) for t in texts]
    logits = [_logit(m, t, scan) for t, scan in zip(texts, scans, strict=True)]
    lexical_calibration = m.meta.get("calibration")
    scores = [calibrated(z, lexical_calibration, m.threshold) for z in logits]
    if ens is not None:
        try:
            parse = parse_logits(docs, ens.parse)
        except Exception:  # the lexical scores stand; extraction must not stop
            logger.exception("parse model failed; scoring with the lexical model alone")
            parse = [None] * len(docs)
        w = ens.weight
        for k, z in enumerate(parse):
            if z is not None:
                scores[k] = calibrated(w * z + (1 - w) * logits[k], ens.calibration, ens.threshold)
    out = []
    for doc, score, scan in zip(docs, scores, scans, strict=True):
        reasons = _reasons(score, scan)
        extra: list[str] = []
        seen: set[str] = set()
        for label, ent_text in _entities_of(doc):
            if label in _NUM_ENTS:
                msg = f"contains a figure '{ent_text}'"
            elif label in _ENT_REASONS:
                msg = f"{_ENT_REASONS[label]} '{ent_text}'"
            else:
                continue
            if label not in seen:
                seen.add(label)
                extra.append(msg)
        if extra:
            # Entity reasons are more precise than the regex ones they duplicate.
            reasons = [reasons[0], *extra] + [
                r for r in reasons[1:] if not r.startswith(("contains a figure", "names '"))
            ]
        out.append((score, reasons))
    return out


def _entities_of(doc: Any) -> list[tuple[str, str]]:
    """(label, text) of the named entities inside a Doc or Span, read off its own tokens:
    ``Span.ents`` walks every entity of the whole Doc, which made scoring each sentence of a
    long article quadratic."""
    out: list[tuple[str, str]] = []
    current: list[Any] = []
    for token in doc:
        if token.ent_iob_ == "B" or (token.ent_iob_ == "I" and not current):
            if current:
                out.append(_entity(current))
            current = [token]
        elif token.ent_iob_ == "I":
            current.append(token)
        elif current:
            out.append(_entity(current))
            current = []
    if current:
        out.append(_entity(current))
    return out


def _entity(tokens: list[Any]) -> tuple[str, str]:
    text = "".join(t.text_with_ws for t in tokens[:-1]) + tokens[-1].text
    return tokens[0].ent_type_, text
