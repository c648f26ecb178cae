"""The data the check-worthiness models learn from and are judged on, read one way by every
script: ClaimBuster and CheckThat, the held-out debates, the transfer set, and the teacher's
logits (``data/checkworthiness-teacher.npz``).

Everything here is deterministic (fixed seeds), so the lexical student, the parse model and
the teacher see the same split and the same transfer sentences.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TEACHER_PATH = Path(__file__).resolve().parent / "data" / "checkworthiness-teacher.npz"

# Target for a labelled sentence: ALPHA * label + (1 - ALPHA) * teacher probability.
# Chosen on the held-out debates of ClaimBuster only (see docs/checkworthiness.md).
ALPHA = 0.5


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


def load_checkthat(path: Path | str) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            texts.append(row["Text"].strip())
            labels.append(1 if row["class_label"].strip().lower() == "yes" else 0)
    return texts, np.array(labels, dtype=np.int8)


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
            "rebuild the teacher file with `python -m training.train_teacher`"
        )
    z = np.array([table[text_key(t)] for t in texts])
    return 1.0 / (1.0 + np.exp(-z))
