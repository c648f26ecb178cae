"""Issue 14, second pass of the engine: relative dates read for the tense of their own clause,
tallies and ages, dated happenings typed as events, quotes that assert nothing, one claim per
fact. Every example here was written for these tests, not taken from a gold set."""

from __future__ import annotations

import datetime

import pytest

from claims.extraction import extract_claims
from claims.extraction.article import _year_of, find_dateline
from claims.extraction.times import find_times

SAT_3_AUG_2024 = datetime.date(2024, 8, 3)
THU_5_SEP_2024 = datetime.date(2024, 9, 5)


def claims_of(nlp, body, ref=None):
    claims = extract_claims(nlp, body, reference_date=ref)
    for c in claims:
        assert body[c.start : c.end] == c.text
    return claims


def claim_at(claims, body, fragment):
    lo = body.index(fragment)
    hi = lo + len(fragment)
    hits = [c for c in claims if c.start < hi and lo < c.end]
    assert hits, f"no claim over {fragment!r}: {[c.text for c in claims]}"
    return hits[0]


def time_values(claim):
    return [t.value for t in claim.times]


# --- relative dates ----------------------------------------------------------------------


def test_a_weekday_in_a_past_report_is_the_latest_one_including_the_dateline_day(nlp):
    body = "The farm ministry said on Saturday that the wheat harvest fell 14 percent this year."
    claim = claim_at(claims_of(nlp, body, SAT_3_AUG_2024), body, "wheat harvest")
    assert "2024-08-03" in time_values(claim)
    assert "2024-08-10" not in time_values(claim)


def test_a_weekday_in_a_forecast_is_the_next_one(nlp):
    body = "Forecasters expect winds of up to 120 mph to reach the coast on Friday."
    claim = claim_at(claims_of(nlp, body, THU_5_SEP_2024), body, "120 mph")
    assert time_values(claim) == ["2024-09-06"]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Talks between the unions and the port are scheduled to resume on Friday.", "2024-09-06"),
        ("The ministry said it would pay 120 million dollars in aid from Monday.", "2024-09-09"),
        ("The ministry said on Monday it had paid 120 million dollars in aid.", "2024-09-02"),
        ("The Interior Department has until Tuesday to respond to the court.", "2024-09-10"),
        ("The union called a protest for Monday against the closure of the plant.", "2024-09-09"),
        # The sentence holds "will", but the report's own day is read as past.
        ("The agency said on Thursday that 300 schools will stay closed.", "2024-09-05"),
    ],
)
def test_each_date_is_read_for_the_tense_of_its_own_clause(nlp, sentence, value):
    claims = claims_of(nlp, sentence, THU_5_SEP_2024)
    assert any(value in time_values(c) for c in claims), [(c.text, c.times) for c in claims]


@pytest.mark.parametrize(
    ("text", "ref", "future", "value"),
    [
        ("next spring", datetime.date(2024, 12, 12), True, "2025-21"),
        ("last summer", datetime.date(2025, 4, 3), False, "2024-22"),
        ("last summer", datetime.date(2024, 10, 19), False, "2024-22"),
        ("this summer", datetime.date(2024, 2, 28), True, "2024-22"),
        ("this winter", datetime.date(2025, 1, 10), False, "2024-24"),
        ("since July last year", datetime.date(2025, 11, 24), False, "2024-07"),
        ("on May 5 next year", datetime.date(2025, 11, 24), True, "2026-05-05"),
        ("last month", datetime.date(2024, 1, 9), False, "2023-12"),
        ("next week", datetime.date(2024, 6, 13), True, "2024-W25"),
        ("this year", datetime.date(2024, 8, 3), False, "2024"),
    ],
)
def test_seasons_and_relative_periods_resolve_against_the_article_date(text, ref, future, value):
    found = find_times(text, ref, future=future)
    assert [f.time.value for f in found] == [value]


# --- tallies and ages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "tally", "value", "low"),
    [
        ("The city council voted 9-2 on Tuesday to approve the plan.", "9-2", 9, 2),
        ("In a 6-3 decision, the court struck down the ban.", "6-3", 6, 3),
        ("The justices ruled 9-0 that the doctors had no standing.", "9-0", 9, 0),
        ("The bill passed by 172 votes to 161 after a long debate.", "172 votes to 161", 172, 161),
        ("The jury convicted him by a 10-2 majority.", "10-2", 10, 2),
    ],
)
def test_a_tally_is_one_quantity_with_two_values(sentence, tally, value, low):
    from claims.extraction.quantities import find_quantities

    found = [q.quantity for q in find_quantities(sentence)]
    assert [(q.text, q.value, q.low, q.high, q.qualifier) for q in found] == [
        (tally, value, low, value, "tally")
    ]


@pytest.mark.parametrize(
    "text", ["Arsenal won 2-1 on Saturday.", "Prices rose 3-5 percent after the vote."]
)
def test_a_score_or_a_range_is_not_a_tally(text):
    from claims.extraction.quantities import find_quantities

    assert all(q.quantity.qualifier != "tally" for q in find_quantities(text))


def test_an_age_after_a_name_is_not_a_figure(nlp):
    body = (
        "Ayse Yilmaz, 42, a shopkeeper in the town, stood outside her home.\n\n"
        "Officials said 42 people had died in the floods."
    )
    claims = claims_of(nlp, body, THU_5_SEP_2024)
    assert not [c for c in claims if "Yilmaz" in c.text and c.quantities]
    died = claim_at(claims, body, "42 people had died")
    assert [q.value for q in died.quantities] == [42]


# --- dated happenings are events ---------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Dock workers began a 48-hour strike on Tuesday over pay.",
        "The prime minister called a snap general election for July 23.",
        "The governor declared a state of emergency in 23 counties on Wednesday.",
        "The city council voted 9-2 on Tuesday to approve the budget.",
    ],
)
def test_a_dated_happening_is_an_event_even_with_a_number(nlp, sentence):
    claims = claims_of(nlp, sentence, THU_5_SEP_2024)
    assert [c.type for c in claims] == ["event"], [(c.text, c.type) for c in claims]


@pytest.mark.parametrize(
    "sentence",
    [
        "The storm killed at least 11 people in Cuba on Tuesday.",
        "Shares in the company rose 3.2 percent on Thursday.",
        "Two dozen aftershocks shook the region on Monday.",
    ],
)
def test_a_dated_count_or_change_stays_a_statistic(nlp, sentence):
    claims = claims_of(nlp, sentence, THU_5_SEP_2024)
    assert [c.type for c in claims] == ["statistic"], [(c.text, c.type) for c in claims]


# --- one claim per fact ------------------------------------------------------------------


def test_a_fact_set_off_by_a_comma_is_its_own_claim_with_the_shared_source(nlp):
    body = (
        "The city council voted 9-2 on Tuesday to approve a $310 million plan to expand the"
        " light-rail network, after ridership rose by 18 percent last year to 42.6 million"
        " trips, according to the regional transit authority."
    )
    claims = claims_of(nlp, body, datetime.date(2025, 3, 14))
    vote = claim_at(claims, body, "voted 9-2")
    rise = claim_at(claims, body, "ridership rose")
    assert vote is not rise
    assert vote.type == "event" and "2025-03-11" in time_values(vote)
    assert rise.type == "statistic" and time_values(rise) == ["2024"]
    assert [q.value for q in rise.quantities] == [18, 42600000]
    assert rise.speaker and "transit authority" in rise.speaker


def typed(claims, body, fragment):
    return claim_at(claims, body, fragment).type


def test_a_relative_clause_with_its_own_dated_vote_is_its_own_event_with_the_source(nlp):
    body = (
        "The mayor said the city would not repeal the parking levy, which the council passed"
        " on Monday by 31 votes to 12."
    )
    claims = claims_of(nlp, body, THU_5_SEP_2024)
    levy = claim_at(claims, body, "would not repeal")
    vote = claim_at(claims, body, "31 votes to 12")
    assert levy is not vote
    assert vote.type == "event" and vote.speaker == "The mayor"
    assert "2024-09-02" in time_values(vote)


def test_a_relative_clause_whose_subject_is_the_relative_word_stays_in_its_sentence(nlp):
    body = "Rescuers reached the village, which lost 40 homes in the storm, on Tuesday."
    claims = claims_of(nlp, body, THU_5_SEP_2024)
    assert len(claims) == 1


def test_an_act_and_what_its_doer_then_said_are_two_claims(nlp):
    body = (
        "The central bank raised its main rate to 5.5 percent on Thursday and said it"
        " expected inflation to ease next year."
    )
    claims = claims_of(nlp, body, THU_5_SEP_2024)
    assert typed(claims, body, "raised its main rate") == "statistic"
    assert typed(claims, body, "expected inflation") == "prediction"
    assert all(c.speaker == "The central bank" for c in claims)


@pytest.mark.parametrize(
    ("body", "fragment", "kind"),
    [
        # A figure in a clause describing a noun does not make the happening a statistic.
        (
            "A Madrid court on Tuesday jailed a former mayor for a bribe that cost the city"
            " 3 million euros.",
            "jailed",
            "event",
        ),
        # What the doer did comes first; "saying" gives its reason.
        (
            "The regulator fined the airline on Monday, saying it had misled passengers.",
            "fined",
            "event",
        ),
        # "would have" + participle is a past that did not happen, not a forecast.
        (
            "The bridge would have carried 20,000 vehicles a day, the ministry said.",
            "20,000 vehicles",
            "statistic",
        ),
        # "is due to", "is scheduled to": a fixed future.
        (
            "The new terminal is due to open next month, airport director Lea Hart said.",
            "due to open",
            "prediction",
        ),
        # A change of its own after "after" is a second fact even without a comma.
        (
            "The brewer said it would close two plants after its sales fell 12 percent in 2023.",
            "sales fell",
            "statistic",
        ),
    ],
)
def test_types_of_multi_part_sentences(nlp, body, fragment, kind):
    claims = claims_of(nlp, body, THU_5_SEP_2024)
    assert typed(claims, body, fragment) == kind, [(c.text, c.type) for c in claims]


# --- a weekday in the dateline -----------------------------------------------------------


@pytest.mark.parametrize(
    ("dateline", "date", "weekday"),
    [
        ("WASHINGTON, Saturday 3 August 2024 — ", "2024-08-03", 5),
        ("MIAMI, Thursday, Sept. 5, 2024 (AP) — ", "2024-09-05", 3),
        ("OSLO, Tues. Nov. 12, 2024 — ", "2024-11-12", 1),
        ("CAIRO, Friday — ", None, 4),
    ],
)
def test_a_weekday_in_the_dateline_is_read(dateline, date, weekday):
    found = find_dateline(dateline + "The ministry said on Monday that exports rose.")
    assert found is not None
    assert (found.date, found.weekday) == (date, weekday)
    assert found.end == len(dateline)


def test_a_weekday_names_the_year_of_a_year_less_dateline():
    # 5 September was a Thursday in 2024 and in 2019; the latest up to this year is taken.
    assert _year_of(9, 5, 3, today=datetime.date(2026, 1, 10)) == 2024
    assert _year_of(9, 5, 3, today=datetime.date(2023, 1, 10)) == 2019


def test_relative_dates_are_read_from_a_dateline_with_a_weekday(nlp):
    body = (
        "LISBON, Saturday 3 August 2024 — The farm ministry said on Saturday that the wheat"
        " harvest fell 14 percent, and forecasters expect rain to return on Tuesday."
    )
    claims = claims_of(nlp, body)
    assert not any(c.start < len("LISBON, Saturday 3 August 2024 —") for c in claims)
    harvest = claim_at(claims, body, "wheat")
    assert "2024-08-03" in time_values(harvest)
