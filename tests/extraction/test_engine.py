"""Behaviour of the engine on small articles: types, speakers, quotes, traps."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from claims.extraction import (
    checkworthiness,
    engine,
    extract_claims,
    extract_claims_many,
    parse_article,
    scoring,
)
from claims.extraction.calibration import get_calibration
from claims.extraction.cli import run

from .conftest import MODEL


def claims_of(nlp, body, ref=None):
    claims = extract_claims(nlp, body, reference_date=ref)
    for c in claims:
        assert body[c.start : c.end] == c.text
        assert c.summary
        assert 0.0 <= c.score <= 1.0
    return claims


def claim_at(claims, body, fragment):
    lo = body.index(fragment)
    hi = lo + len(fragment)
    hits = [c for c in claims if c.start < hi and lo < c.end]
    assert hits, f"no claim over {fragment!r}: {[c.text for c in claims]}"
    return hits[0]


def test_a_pronoun_speaker_is_the_person_last_named(nlp):
    body = (
        "Finance minister Jeremy Hunt spoke in London on Tuesday.\n\n"
        '"Inflation has fallen to 3.4 percent," he said.'
    )
    claim = claim_at(claims_of(nlp, body), body, "Inflation has fallen")
    assert claim.type == "quote"
    assert claim.speaker == "Jeremy Hunt"
    assert claim.cue == "say"


def test_a_quote_continued_in_the_next_paragraph_keeps_its_speaker(nlp):
    body = (
        "Union president Maria Santos addressed members on Friday.\n\n"
        '"Our members kept this city running and 130 of them died doing it.\n\n'
        '"Now the authority offers them a raise of 1 percent a year," she said.'
    )
    claims = claims_of(nlp, body)
    first = claim_at(claims, body, "130 of them died")
    second = claim_at(claims, body, "raise of 1 percent")
    assert first.type == second.type == "quote"
    assert first.speaker == second.speaker == "Maria Santos"


def test_according_to_names_the_source(nlp):
    body = "According to diplomatic sources, the conference may take place in mid-June."
    (claim,) = claims_of(nlp, body)
    assert (claim.type, claim.speaker, claim.cue) == (
        "prediction",
        "diplomatic sources",
        "according to",
    )


def test_one_sentence_can_hold_two_statistics(nlp):
    body = "At least 3,900 people have been killed and more than 4 million have fled since April."
    claims = claims_of(nlp, body)
    assert [c.type for c in claims] == ["statistic", "statistic"]
    assert claims[0].quantities[0].value == 3900
    assert claims[1].quantities[0].value == 4_000_000
    assert claims[0].times[0].relation == "since"


@pytest.mark.parametrize(
    "body",
    [
        "Why did so many buildings fail?",
        "Silva is a brilliant player and fans will love him.",
        "What a night it was for the fans at Stamford Bridge!",
        "Parents said they were frustrated and tired.",
        "Leave a comment",
        "Share this article",
        "Read more: How the strike affects your child",
        "Subscribe to our daily newsletter for more stories.",
        "Follow us on Twitter",
        "Click here to read the full report.",
    ],
)
def test_questions_opinions_and_boilerplate_are_not_claims(nlp, body):
    assert claims_of(nlp, body) == []


def test_a_quoted_question_is_not_check_worthy_but_its_neighbour_is(nlp):
    # The question stays a quote with its speaker (every quotation is kept), scored under
    # the check-worthy bar, so it never reaches the desk's queue.
    body = '"Why should we pay more?" asked Ana Ruiz. The city raised fares by 12 percent in 2023.'
    claims = claims_of(nlp, body)
    assert [c.type for c in claims] == ["quote", "statistic"]
    question, fares = claims
    assert question.speaker == "Ana Ruiz"
    assert question.score < 0.5 <= fares.score


def test_the_dateline_is_never_part_of_a_claim(nlp):
    body = "PARIS, May 28 (RIA Novosti) – Lavrov met Kerry in Paris on Monday."
    (claim,) = claims_of(nlp, body)
    assert claim.text == "Lavrov met Kerry in Paris on Monday."
    assert claim.type == "event"


def test_dates_resolve_against_the_reference_date(nlp):
    body = "Lavrov and Kerry met in Moscow on Monday and announced the talks on May 7."
    (claim,) = claims_of(nlp, body, datetime.date(2013, 5, 28))
    assert [t.value for t in claim.times] == ["2013-05-27", "2013-05-07"]


def test_a_claim_scores_its_sentence_and_lists_its_own_signals(nlp):
    body = (
        "More than 80,000 people have died since March 2011.\n\n"
        '"We are committed to this," Kerry told reporters.'
    )
    stat, quote = claims_of(nlp, body)
    doc = nlp(body)
    # The sentences as the engine reads them: without the paragraph break.
    sentences = [doc.char_span(0, body.index(".") + 1), doc.char_span(body.index('"'), len(body))]
    [(stat_score, stat_reasons), (quote_score, _)] = checkworthiness.score_docs(sentences)
    # The sentence's model score, through the engine's last calibration step.
    calibrate = get_calibration()
    assert calibrate is not None
    assert stat.score == round(calibrate(stat_score), 3) >= 0.5
    assert quote.score == round(calibrate(quote_score), 3)
    assert stat.reasons[0] == stat_reasons[0]  # "model: 0.98"
    assert "has a quantity" in stat.reasons and "has a date" in stat.reasons
    assert "attributed to a named speaker" in quote.reasons


def _model_says(monkeypatch, score):
    """Replace the model with one that rates every sentence `score`, and take away the
    calibration fitted to the real one, so a claim's score is exactly `score`."""
    monkeypatch.setattr(
        scoring, "_model_scores", lambda spans: [(score, [f"model: {score:.2f}"]) for _ in spans]
    )
    monkeypatch.setattr(scoring, "get_calibration", lambda: None)


def test_a_sentence_the_model_rates_check_worthy_becomes_a_claim(nlp, monkeypatch):
    body = (
        "We took away the individual mandate.\n\n"
        "The company never paid its workers.\n\n"
        "Parents said they were frustrated and tired.\n\n"
        "Did we take away the individual mandate?\n\n"
        "Share this article\n\n"
        "We took it away!"
    )
    _model_says(monkeypatch, 0.6)
    claims = claims_of(nlp, body)
    assert [(c.text, c.type, c.score) for c in claims] == [
        ("We took away the individual mandate.", "event", 0.6),
        ("The company never paid its workers.", "event", 0.6),
    ]  # a feeling needs the model to be sure
    _model_says(monkeypatch, 0.9)
    claims = claims_of(nlp, body)
    assert [(c.text, c.type) for c in claims] == [
        ("We took away the individual mandate.", "event"),
        ("The company never paid its workers.", "event"),
        ("Parents said they were frustrated and tired.", "attribution"),
    ]  # never a question, boilerplate or an exclamation, however sure
    _model_says(monkeypatch, 0.4)
    assert claims_of(nlp, body) == []


def test_words_of_judgement_need_the_model_to_be_sure(nlp, monkeypatch):
    body = "The bank had a terrible year.\n\nThe council should reopen the library."
    for score in (0.5, engine.OPINION_BAR - 0.01):
        _model_says(monkeypatch, score)
        assert claims_of(nlp, body) == []
    _model_says(monkeypatch, engine.OPINION_BAR)
    claims = claims_of(nlp, body)
    assert [c.text for c in claims] == [
        "The bank had a terrible year.",
        "The council should reopen the library.",
    ]


def test_the_real_model_keeps_a_judgement_out_and_a_checkable_superlative_in(nlp):
    body = (
        "The new governor inherited the worst financial crisis since the Great Depression.\n\n"
        "Silva is the best player in the league.\n\n"
        "It was the worst thing that could have happened."
    )
    (claim,) = claims_of(nlp, body)
    assert claim.text.startswith("The new governor inherited the worst financial crisis")
    assert claim.score >= engine.OPINION_BAR


def test_a_statement_before_a_question_is_still_a_claim(nlp, monkeypatch):
    _model_says(monkeypatch, 0.9)
    body = (
        "Unemployment rose to 7.1 percent in March – so why is the minister celebrating?\n\n"
        "The council closed three libraries last year; who will pay to reopen them?\n\n"
        "Why did unemployment rise to 7.1 percent in March?\n\n"
        "Did the council close three libraries – and who decided it?\n\n"
        "Unemployment, jobs, wages - who can tell?"
    )
    claims = claims_of(nlp, body)
    assert [(c.text, c.type) for c in claims] == [
        ("Unemployment rose to 7.1 percent in March", "statistic"),
        ("The council closed three libraries last year", "statistic"),
    ]  # the questions themselves, and a question's opening words, are never claims
    assert claims[0].quantities[0].value == 7.1


def test_best_and_worst_against_a_record_are_checkable(nlp, monkeypatch):
    _model_says(monkeypatch, 0.6)  # check-worthy, but under the bar for opinion
    body = (
        "The port had its best year in its history.\n\n"
        "Exporters saw the worst harvest on record.\n\n"
        "Silva is the best player in the league.\n\n"
        "It was the worst thing that could have happened."
    )
    claims = claims_of(nlp, body)
    assert [c.text for c in claims] == [
        "The port had its best year in its history.",
        "Exporters saw the worst harvest on record.",
    ]  # a superlative with no record to check it against stays an opinion


def test_an_exclamation_with_a_figure_is_still_a_claim(nlp, monkeypatch):
    _model_says(monkeypatch, 0.9)
    (claim,) = claims_of(nlp, "Sales at the firm rose 50% last year!\n\nWe did it!")
    assert claim.type == "statistic" and claim.text.startswith("Sales at the firm rose 50%")


def test_a_model_found_claim_keeps_its_source_and_tense(nlp, monkeypatch):
    _model_says(monkeypatch, 0.8)
    (said,) = claims_of(nlp, "The senator said the mill closed.")
    assert (said.type, said.speaker, said.cue) == ("attribution", "The senator", "say")
    (ahead,) = claims_of(nlp, "The mill will close.")
    assert ahead.type == "prediction"


def test_extraction_survives_a_failing_model(nlp, monkeypatch):
    def broken(spans):
        raise RuntimeError("model file damaged")

    monkeypatch.setattr(scoring, "_model_scores", broken)
    (claim,) = claims_of(nlp, "More than 80,000 people have died since March 2011.")
    # The rule score: a quantity and a date keep the claim on the desk.
    assert claim.score >= 0.5 and claim.reasons[:2] == ["has a quantity", "has a date"]


def test_many_gives_the_same_claims_in_order(nlp):
    bodies = [
        ("More than 80,000 people have died since March 2011.", None),
        ("", None),
        ("Kerry said on Monday that diplomats will meet again.", datetime.date(2013, 5, 28)),
    ]
    many = list(extract_claims_many(nlp, bodies, batch_size=2))
    one = [extract_claims(nlp, b, reference_date=r) for b, r in bodies]
    assert [[c.as_dict() for c in cs] for cs in many] == [[c.as_dict() for c in cs] for cs in one]
    assert many[1] == []


@pytest.mark.parametrize(
    ("raw", "title", "place", "date", "outlet"),
    [
        (
            "Headline\n\nPARIS, May 28 (RIA Novosti) – Text.",
            "Headline",
            "Paris",
            "--05-28",
            "RIA Novosti",
        ),
        ("H\n\nLONDON (Reuters) - Text.", "H", "London", None, "Reuters"),
        ("H\n\nWASHINGTON, Jan. 5, 2024 (AP) — Text.", "H", "Washington", "2024-01-05", "AP"),
        ("H\n\nNEW YORK — Text.", "H", "New York", None, None),
        ("No headline here.\nSecond line.", "", None, None, None),
        ("LONDON (Reuters) - A lead with no headline.\n\nMore.", "", "London", None, "Reuters"),
        ("# A Markdown Headline\n\nBody text.", "A Markdown Headline", None, None, None),
    ],
)
def test_parse_article(raw, title, place, date, outlet):
    parts = parse_article(raw)
    assert parts.title == title
    assert raw[parts.body_offset : parts.body_offset + len(parts.body)] == parts.body
    assert (parts.dateline_place, parts.dateline_date, parts.outlet) == (place, date, outlet)


def test_cli_offsets_index_the_raw_file(nlp, tmp_path):
    raw = "Toll Rises\n\nANKARA, Oct. 25, 2011 (AP) — At least 1,200 people died on Sunday.\n"
    path = tmp_path / "a.txt"
    path.write_text(raw, encoding="utf-8")
    out = io.StringIO()
    assert run([str(path)], None, MODEL, out) == 0
    (row,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert raw[row["start"] : row["end"]] == row["text"]
    assert row["times"][0]["value"] == "2011-10-23"


def test_cli_reads_docs_jsonl_and_survives_bad_bytes(nlp, tmp_path, capsys):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        json.dumps({"id": "d1", "text": "Prices rose 3 percent in 2023."}) + "\nnot json\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Fares rose 12 percent in 2023 \xff\xfe.")
    out = io.StringIO()
    status = run([str(bad)], str(docs), MODEL, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r.get("doc") for r in rows} == {None, "d1"}
    assert status == 1  # the broken JSONL line is reported, not fatal
    assert "not valid UTF-8" in capsys.readouterr().err


def test_a_statistic_summary_never_drops_the_object_of_its_verb(nlp):
    body = "Ten former directors at WorldCom have agreed to pay $54m to investors."
    (claim,) = claims_of(nlp, body)
    assert claim.type == "statistic"
    assert "$54m" in claim.summary


def test_a_described_speaker_stops_at_the_comma(nlp):
    body = (
        "A spokesman for the prosecutor, New York State Comptroller Alan Hevesi, said the "
        "payments were required by the settlement."
    )
    (claim,) = claims_of(nlp, body)
    assert claim.speaker in ("A spokesman for the prosecutor", "Alan Hevesi")


def test_a_lost_paragraph_break_between_quotes_does_not_invert_them(nlp):
    body = (
        'In an interview Mr Howard said: "I believe the law should be changed. "In the past I '
        'voted for a restriction to 22 weeks." All three main parties say the issue is one for '
        "each MP's conscience. Mr Howard stressed his views were his personal views."
    )
    claims = claims_of(nlp, body)
    assert claim_at(claims, body, "voted for a restriction").type == "quote"
    assert claim_at(claims, body, "All three main parties").type != "quote"
    assert claim_at(claims, body, "stressed his views").type != "quote"


def test_two_figures_under_one_source_become_two_claims_with_that_source(nlp):
    body = (
        "More than 4 million people have fled and at least 3,900 have been killed since "
        "April, the United Nations said."
    )
    claims = claims_of(nlp, body)
    assert [c.type for c in claims] == ["statistic", "statistic"]
    assert [c.speaker for c in claims] == ["United Nations", "United Nations"]
    assert "United Nations" not in claims[1].text
