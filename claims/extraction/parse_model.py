"""The check-worthiness *parse model*: a small convolutional network over what spaCy already
computed for each token of a sentence (no Django; numpy only at run time).

The lexical model in ``checkworthiness.py`` sees words and characters. This one sees the
parse: spaCy's contextual token vectors (``doc.tensor``), part of speech, fine tag,
dependency label, entity type and position, four lexical flags and a hashed embedding of the
word's norm. It adds what n-grams miss -- who does what to whom, whether a figure is the
object of a claim or the number of a bill -- at the cost of a few matrix products per
article, because the expensive part, the parse, is already paid for by extraction.

Architecture (trained in torch by ``train_parse_model.py``, exported as plain arrays):
token features -> linear + ReLU (width ``H``) -> residual 3-wide convolutions (+ ReLU) ->
max and mean over the sentence's tokens -> linear + ReLU -> one logit. The embedding tables
are multiplied into the first layer's weights at load time, so the first layer is a lookup
and a sum per token.

All the sentences given in one call are run together: their tokens are stacked into one
matrix, the convolution's neighbours are zeroed at each sentence's edges (as the padding
was in training), and pooling uses ``reduceat``. A Doc whose pipeline has no token vectors of
the trained width (a transformer pipeline, say) gets ``None`` and the lexical model alone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

MODEL_PATH = Path(__file__).resolve().parent / "models" / "checkworthiness-parse.npz"

# Token attributes read with Doc.to_array, in this order. The first five index embedding
# tables (their labels are stored in the model); the flags are 0/1 inputs.
LABELLED = ("POS", "TAG", "DEP", "ENT_TYPE", "ENT_IOB")
FLAGS = ("LIKE_NUM", "IS_PUNCT", "IS_TITLE", "IS_QUOTE")
IOB_LABELS = ("", "I", "O", "B")  # ENT_IOB's integer codes 0..3


@dataclass(frozen=True)
class ParseModel:
    labels: dict[str, list[str]]  # per LABELLED attribute, index 1.. (0 = unseen)
    lookups: dict[str, tuple[np.ndarray, np.ndarray]]  # per LABELLED attribute: _label_rows
    first: dict[str, np.ndarray]  # per LABELLED attribute and "word": (vocab, H), pre-projected
    w_tensor: np.ndarray  # (tensor width, H)
    w_flags: np.ndarray  # (len(FLAGS), H)
    b_first: np.ndarray  # (H,)
    convs: list[tuple[np.ndarray, np.ndarray]]  # per layer (3, H, H), (H,)
    w_hidden: np.ndarray  # (2H, h)
    b_hidden: np.ndarray
    w_out: np.ndarray  # (h,)
    b_out: float
    word_buckets: int
    max_tokens: int
    meta: dict[str, Any]

    @property
    def tensor_width(self) -> int:
        return self.w_tensor.shape[0]


def load_parse_model(path: Path | str = MODEL_PATH) -> ParseModel:
    """Load an exported parse model (plain arrays only: ``allow_pickle=False``)."""
    _one_blas_thread()
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        w_first = z["w_first"].astype(np.float32)  # rows: tensor, embeddings..., flags, word
        dims = meta["embedding_dims"]
        labels = {a: z[f"labels_{a}"].tolist() for a in LABELLED}
        row = 0
        w_tensor = w_first[row : row + meta["tensor_width"]]
        row += meta["tensor_width"]
        first = {}
        for a in LABELLED:
            emb = z[f"emb_{a}"].astype(np.float32)
            first[a] = emb @ w_first[row : row + dims[a]]
            row += dims[a]
        w_flags = w_first[row : row + len(FLAGS)]
        row += len(FLAGS)
        word = z["emb_word"].astype(np.float32)
        first["word"] = word @ w_first[row : row + word.shape[1]]
        row += word.shape[1]
        assert row == w_first.shape[0], "parse model layout does not match its meta"
        convs = [
            (z[f"conv{i}_w"].astype(np.float32), z[f"conv{i}_b"].astype(np.float32))
            for i in range(meta["layers"])
        ]
        return ParseModel(
            labels=labels,
            lookups={a: _label_rows(labels[a], a) for a in LABELLED},
            first=first,
            w_tensor=w_tensor,
            w_flags=w_flags,
            b_first=z["b_first"].astype(np.float32),
            convs=convs,
            w_hidden=z["w_hidden"].astype(np.float32),
            b_hidden=z["b_hidden"].astype(np.float32),
            w_out=z["w_out"].astype(np.float32),
            b_out=float(meta["b_out"]),
            word_buckets=int(meta["word_buckets"]),
            max_tokens=int(meta["max_tokens"]),
            meta=meta,
        )


_lock = threading.Lock()
_model: ParseModel | None = None


def get_parse_model() -> ParseModel:
    """The shipped parse model, loaded once per process."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_parse_model()
    return _model


_blas_limited = False


def _one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread in a process that runs the parse model: extraction
    scales by processes (one Celery pool child per core), and BLAS threads in each child
    fight over the same cores and spin -- two workers ran 1.30-1.34 x one worker with them."""
    global _blas_limited
    if not _blas_limited:
        threadpool_limits(limits=1, user_api="blas")
        _blas_limited = True


def _label_rows(labels: list[str], attr: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted ids, their rows in the table) for the integer ids Doc.to_array gives: the
    string's hash, or its symbol id for spaCy's built-in labels -- what ``get_string_id``
    computes, with no Vocab needed."""
    from spacy.strings import get_string_id

    if attr == "ENT_IOB":
        ids = np.array([IOB_LABELS.index(n) for n in labels], dtype=np.uint64)
    else:
        ids = np.array([get_string_id(n) for n in labels], dtype=np.uint64)
    order = np.argsort(ids)
    return ids[order], (order + 1).astype(np.intp)


def _rows(keys: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Row of each value in a lookup (0 for a label the model never saw)."""
    pos = np.searchsorted(keys, values)
    pos = np.minimum(pos, len(keys) - 1)
    return np.where(keys[pos] == values, rows[pos], 0)


def _doc_and_bounds(span: Any) -> tuple[Any, int, int]:
    doc = getattr(span, "doc", span)  # a Span has .doc; a Doc is its own
    if doc is span:
        return doc, 0, len(doc)
    return doc, span.start, span.end


def logits(spans: Sequence[Any], model: ParseModel | None = None) -> list[float | None]:
    """The parse model's logit for each Span or Doc; ``None`` where it cannot run (no tokens,
    or no token vectors of the trained width)."""
    from spacy.attrs import IDS

    m = model or get_parse_model()
    attrs = [IDS[a] for a in (*LABELLED, *FLAGS, "NORM")]
    out: list[float | None] = [None] * len(spans)
    pieces: list[tuple[int, np.ndarray, np.ndarray]] = []  # (span number, tensor, attrs)
    arrays: dict[int, np.ndarray] = {}
    for k, span in enumerate(spans):
        doc, start, end = _doc_and_bounds(span)
        end = min(end, start + m.max_tokens)
        tensor = getattr(doc, "tensor", None)
        if end <= start or tensor is None or tensor.ndim != 2 or tensor.shape[1] != m.tensor_width:
            continue
        if tensor.shape[0] != len(doc):
            continue
        arr = arrays.get(id(doc))
        if arr is None:
            arr = arrays[id(doc)] = doc.to_array(attrs).astype(np.uint64).reshape(len(doc), -1)
        pieces.append((k, tensor[start:end], arr[start:end]))
    if not pieces:
        return out
    tensor = np.concatenate([p[1] for p in pieces]).astype(np.float32, copy=False)
    att = np.concatenate([p[2] for p in pieces])
    lengths = np.array([len(p[1]) for p in pieces])
    starts = np.r_[0, np.cumsum(lengths)[:-1]]

    h = tensor @ m.w_tensor + m.b_first
    for j, attr in enumerate(LABELLED):
        keys, rows = m.lookups[attr]
        h += m.first[attr][_rows(keys, rows, att[:, j])]
    n_lab = len(LABELLED)
    h += att[:, n_lab : n_lab + len(FLAGS)].astype(np.float32) @ m.w_flags
    h += m.first["word"][(att[:, -1] % np.uint64(m.word_buckets)).astype(np.intp)]
    np.maximum(h, 0, out=h)

    # Neighbours across a sentence edge are zero, as the padding was in training.
    first_tok = np.zeros(len(h), dtype=bool)
    first_tok[starts] = True
    last_tok = np.zeros(len(h), dtype=bool)
    last_tok[starts + lengths - 1] = True
    for w, b in m.convs:
        prev = np.zeros_like(h)
        prev[1:] = h[:-1]
        prev[first_tok] = 0
        nxt = np.zeros_like(h)
        nxt[:-1] = h[1:]
        nxt[last_tok] = 0
        y = prev @ w[0] + h @ w[1] + nxt @ w[2] + b
        h = h + np.maximum(y, 0)

    pooled = np.concatenate(
        [
            np.maximum.reduceat(h, starts, axis=0),
            np.add.reduceat(h, starts, axis=0) / lengths[:, None],
        ],
        axis=1,
    )
    hidden = np.maximum(pooled @ m.w_hidden + m.b_hidden, 0)
    z = hidden @ m.w_out + m.b_out
    for (k, _, _), value in zip(pieces, z.tolist(), strict=True):
        out[k] = value
    return out
