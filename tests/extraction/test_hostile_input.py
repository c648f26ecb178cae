"""Odd and hostile input must never crash the engine nor break an offset."""

from __future__ import annotations

import random
import time

import pytest

from claims.extraction import extract_claims, extract_claims_many, parse_article


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


def test_ten_thousand_paragraphs_are_fast(nlp):
    # Short paragraphs keep spaCy's share small: this is about the engine's own bookkeeping.
    body = "\n\n".join(f"{i} fled." for i in range(10_000))
    started = time.perf_counter()
    (claims,) = list(extract_claims_many(nlp, [(body, None)]))
    elapsed = time.perf_counter() - started
    assert len(claims) >= 9_000
    assert all(body[c.start : c.end] == c.text for c in claims)
    assert elapsed < 30, elapsed  # a few seconds normally; spaCy needs most of it


def test_binary_junk_decoded_as_text(nlp):
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20_000)).decode("utf-8", errors="replace")
    check(nlp, junk)
    check(nlp, junk.replace("\ufffd", '"'))


def test_a_very_long_sentence(nlp):
    body = "The ministry said " + ", and ".join(f"{i} people fled" for i in range(3_000)) + "."
    claims = check(nlp, body)
    assert claims and all(len(c.text) <= 1500 for c in claims)


def test_control_characters_and_odd_whitespace(nlp):
    body = "Prices\u00a0rose 3\u202fpercent\x00 in 2023.\r\n\r\nShare this article\x0c"
    check(nlp, body)
