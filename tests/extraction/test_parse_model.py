"""The parse model (a small network over spaCy's token vectors and tags) and how the scorer
combines it with the lexical model. No data outside the repository."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import spacy

from claims.extraction import checkworthiness as cw
from claims.extraction import parse_model as pm

from .conftest import MODEL
from .test_checkworthiness import SAMPLE

ARTICLE = (
    "More than 80,000 people have died since March 2011, the UN said. "
    "I think we're doing great. "
    "Unemployment fell to 3.5 percent in 2019, according to the Bureau of Labor Statistics. "
    "Thank you very much."
)


def _tiny_net(rng, width: int, labels: dict[str, list[str]], buckets: int) -> pm.Net:
    h, head = 5, 3
    first = {a: rng.normal(size=(len(v) + 1, h)).astype(np.float32) for a, v in labels.items()}
    return pm.Net(
        first=first,
        word=rng.normal(size=(buckets, 4)).astype(np.float32),
        w_word=rng.normal(size=(4, h)).astype(np.float32),
        w_tensor=rng.normal(size=(width, h)).astype(np.float32) * 0.1,
        w_flags=rng.normal(size=(len(pm.FLAGS), h)).astype(np.float32),
        b_first=rng.normal(size=h).astype(np.float32),
        convs=[
            (
                pm._stacked(rng.normal(size=(3, h, h)).astype(np.float32)),
                rng.normal(size=h).astype(np.float32),
            )
            for _ in range(2)
        ],
        w_hidden=rng.normal(size=(2 * h, head)).astype(np.float32),
        b_hidden=rng.normal(size=head).astype(np.float32),
        w_out=rng.normal(size=head).astype(np.float32),
        b_out=float(rng.normal()),
    )


def _tiny_model(width: int, seed: int = 0) -> pm.ParseModel:
    """A random two-net parse model small enough to check by hand, with a few known labels."""
    rng = np.random.default_rng(seed)
    buckets = 11
    labels = {
        "POS": ["NOUN", "VERB", "NUM", "PROPN", "PUNCT"],
        "TAG": ["NN", "VBD", "CD", "NNP"],
        "DEP": ["nsubj", "ROOT", "nummod", "punct"],
        "ENT_TYPE": ["", "CARDINAL", "ORG", "DATE"],
        "ENT_IOB": ["O", "B", "I"],
    }
    return pm.ParseModel(
        labels=labels,
        lookups={a: pm._label_rows(v, a) for a, v in labels.items()},
        nets=[_tiny_net(rng, width, labels, buckets) for _ in range(2)],
        word_buckets=buckets,
        max_tokens=12,
        meta={"spacy_model": MODEL},
    )


def _reference_logit(m: pm.ParseModel, span) -> float:
    """The nets written out token by token, reading spaCy's string attributes (not the hash
    lookups the fast code uses), and averaged."""
    return float(np.mean([_reference_net_logit(m, net, span) for net in m.nets]))


def _reference_net_logit(m: pm.ParseModel, net: pm.Net, span) -> float:
    tokens = list(span)[: m.max_tokens]
    rows = []
    for t in tokens:
        x = span.doc.tensor[t.i].astype(np.float32) @ net.w_tensor + net.b_first
        for attr, value in zip(
            pm.LABELLED, (t.pos_, t.tag_, t.dep_, t.ent_type_, t.ent_iob_), strict=True
        ):
            names = m.labels[attr]
            x = x + net.first[attr][names.index(value) + 1 if value in names else 0]
        flags = np.array([t.like_num, t.is_punct, t.is_title, t.is_quote], dtype=np.float32)
        x = x + flags @ net.w_flags + net.word[t.norm % m.word_buckets] @ net.w_word
        rows.append(np.maximum(x, 0))
    h = np.array(rows)
    for stacked, b in net.convs:
        w = stacked.reshape(3, -1, stacked.shape[1])  # previous, token, next
        padded = np.vstack([np.zeros_like(h[:1]), h, np.zeros_like(h[:1])])
        y = np.array(
            [
                padded[i] @ w[0] + padded[i + 1] @ w[1] + padded[i + 2] @ w[2] + b
                for i in range(len(h))
            ]
        )
        h = h + np.maximum(y, 0)
    pooled = np.concatenate([h.max(axis=0), h.mean(axis=0)])
    return float(np.maximum(pooled @ net.w_hidden + net.b_hidden, 0) @ net.w_out + net.b_out)


def test_fast_code_matches_the_network_written_out(nlp) -> None:
    doc = nlp(ARTICLE)
    other = nlp("Exxon paid $2 billion in taxes in 2019, the Treasury said.")
    spans = [*doc.sents, other[:], other[2:5], other]  # several docs, a Doc, a short span
    model = _tiny_model(doc.tensor.shape[1])
    fast = pm.logits(spans, model)
    slow = [_reference_logit(model, s) for s in spans]
    assert fast == pytest.approx(slow, rel=1e-4, abs=1e-4)
    # A sentence longer than max_tokens is read up to max_tokens, as in training.
    assert len(doc) > model.max_tokens
    assert pm.logits([doc], model)[0] == pytest.approx(_reference_logit(model, doc[:]), abs=1e-4)


def test_no_token_vectors_means_no_parse_score(nlp) -> None:
    blank = spacy.blank("en")("Unemployment fell to 3.5 percent in 2019.")
    model = _tiny_model(nlp("x").tensor.shape[1])
    empty = nlp("Unemployment fell.")[0:0]
    assert pm.logits([blank, empty], model) == [None, None]
    # Such a sentence is scored by the lexical model alone.
    [(score, _)] = cw.score_docs([blank])
    assert score == cw.score_sentences([blank.text])[0][0]


def test_docs_of_another_pipeline_get_the_lexical_model_alone(nlp, monkeypatch) -> None:
    doc = nlp("Unemployment fell to 3.5 percent in 2019.")
    model = _tiny_model(doc.tensor.shape[1])
    assert pm.logits([doc], model)[0] is not None
    # Same tensor width, other vectors: en_core_web_md's tok2vec is 96 wide too.
    monkeypatch.setitem(pm._pipelines, id(nlp.vocab), "en_core_web_md")
    assert pm.logits([doc], model) == [None]
    [(score, _)] = cw.score_docs([doc])
    assert score == cw.score_sentences([doc.text])[0][0]


def test_shipped_parse_model_is_small_and_matches_the_lexical_model(nlp) -> None:
    assert pm.MODEL_PATH.stat().st_size < 16_000_000
    model = pm.load_parse_model()  # allow_pickle=False inside
    assert model.tensor_width == nlp("x").tensor.shape[1]
    ensemble = cw.get_ensemble()
    assert ensemble is not None, "the parse model was fitted to another lexical model"
    assert 0.0 < ensemble.weight <= 1.0 and 0.0 < ensemble.threshold < 1.0


def test_batch_equals_one_at_a_time(nlp) -> None:
    shipped = cw.get_ensemble().parse
    sents = list(nlp(ARTICLE).sents)
    together = pm.logits(sents, shipped)
    alone = [pm.logits([s], shipped)[0] for s in sents]
    assert together == pytest.approx(alone, abs=1e-5)
    assert pm.logits(sents[::-1], shipped)[::-1] == pytest.approx(together, abs=1e-5)


def test_both_models_score_the_embedded_sample(nlp) -> None:
    docs = list(nlp.pipe([t for t, _ in SAMPLE]))
    scores = [s for s, _ in cw.score_docs(docs)]
    lexical = [s for s, _ in cw.score_docs(docs, ensemble=None)]
    assert scores != lexical  # the parse model takes part
    correct = sum((s >= 0.5) == bool(y) for s, (_, y) in zip(scores, SAMPLE, strict=True))
    # 1.00 when written; 0.85 leaves room for retraining noise.
    assert correct / len(SAMPLE) >= 0.85


def test_a_failing_parse_model_leaves_the_lexical_score(nlp, monkeypatch) -> None:
    def broken(spans, model):
        raise ValueError("broken parse model")

    monkeypatch.setattr(cw, "parse_logits", broken)
    doc = nlp("Exxon paid $2 billion in taxes, the Treasury said.")
    [(score, reasons)] = cw.score_docs([doc[:]])
    assert score == cw.score_sentences([doc.text])[0][0]
    assert reasons[0].startswith("model: ")


def test_parse_model_fitted_to_another_lexical_model_is_not_used(tmp_path) -> None:
    lexical = cw.get_model()
    assert cw._load_ensemble(lexical) is not None
    retrained = dataclasses.replace(lexical, intercept=lexical.intercept + 0.5)
    assert cw._load_ensemble(retrained) is None
    assert cw._load_ensemble(lexical, tmp_path / "missing.npz") is None
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(pm.MODEL_PATH.read_bytes()[:5000])
    assert cw._load_ensemble(lexical, damaged) is None


def test_asking_for_the_ensemble_first_loads_both_models(monkeypatch) -> None:
    """The worker asks for the ensemble first; that must load the lexical model too, and
    must not wait on itself for the lock."""
    import threading

    monkeypatch.setattr(cw, "_model", None)
    monkeypatch.setattr(cw, "_ensemble", None)
    monkeypatch.setattr(cw, "_ensemble_loaded", False)
    found = []
    loader = threading.Thread(target=lambda: found.append(cw.get_ensemble()), daemon=True)
    loader.start()
    loader.join(timeout=60)
    assert not loader.is_alive(), "get_ensemble() deadlocked"
    assert found[0] is not None and cw._model is not None
