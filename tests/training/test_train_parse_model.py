"""The parse model's training inputs (numpy only: torch is not needed to test them)."""

from __future__ import annotations

import numpy as np

from claims.extraction import parse_model as pm
from training import train_parse_model as train

from .conftest import MODEL


def test_sentences_are_encoded_as_the_run_time_code_reads_them(nlp) -> None:
    texts = [
        "Unemployment fell to 3.5 percent in 2019, the Bureau of Labor Statistics said.",
        "Thank you.",
    ]
    parsed = train._parse_chunk((MODEL, texts))
    cfg = train.Config(max_tokens=6, word_buckets=101)
    enc = train.Encoded(parsed, [1], cfg)  # labels learnt from the second sentence only
    tensor, ids, flags, words = enc.items[0]
    doc = nlp(texts[0])
    assert len(tensor) == len(ids) == len(flags) == len(words) == 6  # cut at max_tokens
    assert np.allclose(tensor, doc.tensor[:6], atol=1e-2)  # stored as float16
    seen_pos = enc.vocabs[pm.LABELLED.index("POS")]
    assert set(seen_pos) == {t.pos_ for t in nlp(texts[1])}
    for token, row in zip(doc[:6], ids, strict=True):
        known = seen_pos.get(token.pos_, 0)
        assert row[pm.LABELLED.index("POS")] == known  # an unseen label is row 0
    assert flags[3].tolist() == [1.0, 0.0, 0.0, 0.0]  # "3.5" is like a number
    assert words.tolist() == [t.norm % 101 for t in doc[:6]]
    # Encoding with the training vocabularies, as the parity check does, gives the same rows.
    again = train.Encoded(parsed, [], cfg, enc.vocabs)
    assert all(np.array_equal(a, b) for a, b in zip(again.items[0], enc.items[0], strict=True))
