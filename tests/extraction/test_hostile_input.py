"""Odd and hostile input must never crash the engine nor break an offset."""

from __future__ import annotations

import random
import time

import pytest

from claims.extraction import extract_claims, parse_article
from claims.extraction.engine import claims_from_doc


def check(nlp, body):
    claims = extract_claims(nlp, body)
    for c in claims:
        assert body[c.start : c.end] == c.text
        assert c.summary
    return claims


@pytest.mark.parametrize("body", ["", " ", "\n\n\t  \n", "\ufeff", "“", '"', "”“”“"])
def test_empty_and_blank_input(nlp, body):
    assert check(nlp, body) == []
    parse_article(body)


@pytest.mark.parametrize(
    "body",
    [
        '"More than 80,000 people have died, the minister said.',
        "“We are committed to this,” Kerry said. “And to peace",
        "The minister” said 40 people died” on Monday.",
        '"""Triple quotes""" and 5,000 people on "Monday.',
        "“Nested “quotes” inside “quotes, 300 of them,” he said.",
    ],
)
def test_unbalanced_quotes(nlp, body):
    check(nlp, body)


def test_ten_thousand_paragraphs_cost_the_engine_little_over_spacy(nlp):
    # Short paragraphs keep spaCy's share small; the bound is relative to spaCy's own time
    # so that a busy machine does not fail the test, while quadratic bookkeeping would.
    body = "\n\n".join(f"{i} fled." for i in range(10_000))
    started = time.perf_counter()
    doc = nlp(body)
    parsed = time.perf_counter()
    claims = claims_from_doc(doc)
    engine = time.perf_counter() - parsed
    assert len(claims) >= 9_000
    assert all(body[c.start : c.end] == c.text for c in claims)
    assert engine < 0.5 * (parsed - started) + 0.5, (engine, parsed - started)


def test_thousands_of_quote_paragraphs_cost_the_engine_little_over_spacy(nlp):
    body = "\n\n".join(f'"We sent {i} trucks today," he said.' for i in range(2_000))
    started = time.perf_counter()
    doc = nlp(body)
    parsed = time.perf_counter()
    claims = claims_from_doc(doc)
    engine = time.perf_counter() - parsed
    assert sum(c.type == "quote" for c in claims) >= 1_900
    assert engine < 0.5 * (parsed - started) + 0.5, (engine, parsed - started)


def test_binary_junk_decoded_as_text(nlp):
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(6_000)).decode("utf-8", errors="replace")
    check(nlp, junk)
    check(nlp, junk.replace("\ufffd", '"'))


def test_a_very_long_sentence(nlp):
    body = "The ministry said " + ", and ".join(f"{i} people fled" for i in range(800)) + "."
    claims = check(nlp, body)
    assert claims and all(len(c.text) <= 1500 for c in claims)


def test_control_characters_and_odd_whitespace(nlp):
    body = "Prices\u00a0rose 3\u202fpercent\x00 in 2023.\r\n\r\nShare this article\x0c"
    check(nlp, body)


def test_thousands_of_lines_without_a_full_stop(nlp):
    body = "\n".join(["and 5 more said Kerry"] * 3_000)
    started = time.perf_counter()
    doc = nlp(body)
    parsed = time.perf_counter()
    claims = claims_from_doc(doc)
    engine = time.perf_counter() - parsed
    assert all(body[c.start : c.end] == c.text for c in claims)
    assert engine < 0.5 * (parsed - started) + 0.5, (engine, parsed - started)
