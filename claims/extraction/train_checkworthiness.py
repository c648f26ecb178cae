"""Train the check-worthiness model shipped in ``claims/extraction/models/``.

    python -m claims.extraction.train_checkworthiness \
        --claimbuster /work/shared/data/claimbuster --out claims/extraction/models/

Data: ClaimBuster ``groundtruth.csv`` + ``crowdsourced.csv`` (US presidential debates
1960-2016). Label: ``Verdict == 1`` (check-worthy factual sentence) vs the rest. Sentences whose
normalised text occurs with both labels are kept (the crowd disagreed; the model should see it).

Model: word 1-2-gram TF-IDF + character 2-5-gram TF-IDF + binary surface cues (all analyzers
are imported from ``checkworthiness`` so inference featurises identically), logistic
regression. The decision threshold is the one that maximises positive-class F1 on out-of-fold
predictions of a 5-fold cross-validation grouped by debate (so a debate never feeds both sides);
it is stored in the model and folded into the scores by ``checkworthiness.rescale``.

Deterministic: no randomness beyond the fixed ``SEED`` (liblinear/lbfgs are deterministic; the
grouped folds depend only on the data). The CheckThat test file is never read here.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from claims.extraction import checkworthiness as cw

SEED = 20240611


@dataclass
class Data:
    texts: list[str]
    labels: np.ndarray
    groups: list[str]
    source: list[str]


def load_claimbuster(
    directory: Path | str, files: tuple[str, ...] = ("groundtruth", "crowdsourced")
) -> Data:
    texts, labels, groups, source = [], [], [], []
    for name in files:
        with open(Path(directory) / f"{name}.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                texts.append(row["Text"].strip())
                labels.append(1 if int(row["Verdict"]) == 1 else 0)
                groups.append(row["File_id"])
                source.append(name)
    return Data(texts, np.array(labels, dtype=np.int8), groups, source)


@dataclass
class Config:
    # Chosen by grouped cross-validation on ClaimBuster only (see docs/checkworthiness.md).
    C: float = 4.0
    class_weight: str | None = None
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
                    analyzer=cw.cue_features, use_idf=False, norm=None, lowercase=False
                )
            else:
                v = TfidfVectorizer(
                    analyzer=cw.ANALYZERS[name],
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


def cross_validate(data: Data, cfg: Config, n_splits: int = 5) -> np.ndarray:
    """Out-of-fold probabilities, folds grouped by debate."""
    oof = np.zeros(len(data.texts))
    for tr, te in GroupKFold(n_splits=n_splits).split(data.texts, data.labels, data.groups):
        feat = Featurizer(cfg)
        x_tr = feat.fit_transform([data.texts[i] for i in tr])
        clf = make_clf(cfg).fit(x_tr, data.labels[tr])
        oof[te] = clf.predict_proba(feat.transform([data.texts[i] for i in te]))[:, 1]
    return oof


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = int(((pred == 1) & (y == 1)).sum())
    p = tp / max(int(pred.sum()), 1)
    r = tp / max(int(y.sum()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


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
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)
    np.random.seed(SEED)
    cfg = Config()
    data = load_claimbuster(args.claimbuster)
    print(f"{len(data.texts)} sentences, {int(data.labels.sum())} positive")

    t0 = time.perf_counter()
    oof = cross_validate(data, cfg)
    threshold, cv_f1 = best_f1_threshold(data.labels, oof)
    p, r, f = prf(data.labels, (oof >= threshold).astype(int))
    secs = time.perf_counter() - t0
    print(f"grouped 5-fold CV: thr {threshold:.4f}  P {p:.3f} R {r:.3f} F1 {f:.3f} ({secs:.0f}s)")

    feat = Featurizer(cfg)
    x = feat.fit_transform(data.texts)
    clf = make_clf(cfg).fit(x, data.labels)
    meta = {
        "trained_on": "ClaimBuster groundtruth.csv + crowdsourced.csv, label Verdict==1",
        "n_train": len(data.texts),
        "n_positive": int(data.labels.sum()),
        "config": {
            "C": cfg.C,
            "class_weight": cfg.class_weight,
            "min_df_word": cfg.min_df_word,
            "min_df_char": cfg.min_df_char,
            "block_weight": cfg.block_weight,
        },
        "cv": {"folds": 5, "grouped_by": "File_id", "precision": p, "recall": r, "f1": f},
        "seed": SEED,
    }
    path = export(feat, clf, threshold, meta, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")

    # Parity: our numpy scorer must reproduce scikit-learn's probabilities.
    sample = data.texts[:: max(1, len(data.texts) // 500)]
    ref = clf.predict_proba(feat.transform(sample))[:, 1]
    ours = np.array(cw.raw_probabilities(sample, cw.load_model(path)))
    err = float(np.abs(ref - ours).max())
    print(f"parity with scikit-learn on {len(sample)} sentences: max |dp| = {err:.2e}")
    assert err < 1e-4, err


if __name__ == "__main__":
    main()
