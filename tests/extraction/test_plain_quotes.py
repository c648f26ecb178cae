"""Issue 14: quotations that assert nothing checkable (feelings, appeals, questions, short
utterances) stay `quote` claims with their speaker, scored under the check-worthy bar;
quotations with something to check keep their score. Every example was written for these
tests, not taken from a gold or evaluation set."""

from __future__ import annotations

import pytest

from claims.extraction import extract_claims
from claims.extraction.scoring import CHECK_WORTHY, NOTHING_CHECKABLE


def quote_over(nlp, body, fragment):
    claims = extract_claims(nlp, body)
    for c in claims:
        assert body[c.start : c.end] == c.text
    lo = body.index(fragment)
    hits = [c for c in claims if c.start < lo + len(fragment) and lo < c.end]
    assert hits, f"no claim over {fragment!r}: {[c.text for c in claims]}"
    assert all(c.type == "quote" for c in hits), [(c.type, c.text) for c in hits]
    return hits[0]


@pytest.mark.parametrize(
    ("body", "fragment", "speaker"),
    [
        (
            '"We have lost nothing but we fear everything," said Tomas Berg, a fisherman.',
            "fear everything",
            "Tomas Berg",
        ),
        (
            'The river rose overnight in Dunmore. "It felt like the sky had fallen," said Ines Ruiz.',
            "sky had fallen",
            "Ines Ruiz",
        ),
        (
            '"Stay indoors and keep your children close," the mayor, Dara Quinn, said.',
            "Stay indoors",
            "Dara Quinn",
        ),
        (
            '"We need to stay calm and look after each other," said Lucia Perez.',
            "stay calm",
            "Lucia Perez",
        ),
        (
            '"Our nurses are working around the clock," said Omar Haddad, a hospital director.',
            "around the clock",
            "Omar Haddad",
        ),
        (
            'The verdict came after a long trial. "At last the truth is out," said Hanna Olsen.',
            "truth is out",
            "Hanna Olsen",
        ),
    ],
)
def test_a_quote_of_feeling_or_appeal_is_kept_but_not_check_worthy(nlp, body, fragment, speaker):
    claim = quote_over(nlp, body, fragment)
    assert claim.speaker == speaker
    assert NOTHING_CHECKABLE in claim.reasons
    assert claim.score < CHECK_WORTHY


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        # A figure, a date or a name gives the checker something to look up.
        ('"We lost everything: 300 homes are gone," said Tomas Berg.', "300 homes"),
        ('"Nobody from Brussels has visited the valley," said Ines Ruiz.', "Brussels"),
        ('"We need 40 more ambulances by March," said Omar Haddad.', "40 more ambulances"),
    ],
)
def test_a_quote_with_something_to_check_is_not_marked(nlp, body, fragment):
    claim = quote_over(nlp, body, fragment)
    assert NOTHING_CHECKABLE not in claim.reasons


@pytest.mark.parametrize(
    ("body", "fragment", "speaker"),
    [
        ('"Who pays for this?" asked Marta Lind, a shopkeeper.', "Who pays", "Marta Lind"),
        ('"Never again," said Peter Nyberg.', "Never again", "Peter Nyberg"),
        ('Jonas Falk was blunt: "Not today."', "Not today", "Jonas Falk"),
    ],
)
def test_a_short_utterance_or_question_is_a_low_scored_quote(nlp, body, fragment, speaker):
    claim = quote_over(nlp, body, fragment)
    assert claim.speaker == speaker
    assert claim.score < CHECK_WORTHY


def test_a_phrase_quoted_inside_a_sentence_is_not_an_utterance(nlp):
    body = 'The senator called the audit "a whitewash" and left the chamber on Monday.'
    claims = extract_claims(nlp, body)
    assert not any(c.type == "quote" for c in claims)


def test_a_short_quote_does_not_make_its_frame_a_claim(nlp):
    # The frame around a feeling ("…," he said.) is not a statement of its own.
    body = '"We are finished," said Karl Ames, 61.'
    claims = extract_claims(nlp, body)
    assert [c.type for c in claims] == ["quote"]
    assert claims[0].score < CHECK_WORTHY
