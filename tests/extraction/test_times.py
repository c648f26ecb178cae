from __future__ import annotations

import datetime

import pytest

from claims.extraction.times import describe, find_times

WED_28_MAY_2013 = datetime.date(2013, 5, 29)


def only(text, ref=None, future=False):
    found = find_times(text, ref, future=future)
    assert len(found) == 1, [f.time for f in found]
    return found[0].time


@pytest.mark.parametrize(
    ("text", "value", "relation"),
    [
        ("since March 2011", "2011-03", "since"),
        ("by 2030", "2030", "by"),
        ("until January 16", "--01-16", "until"),
        ("on May 7", "--05-07", "at"),
        ("on 7 May 2013", "2013-05-07", "at"),
        ("Jan. 5, 2024", "2024-01-05", "at"),
        ("during the 1990s", "199", "during"),
        ("in mid-June", "--06", "at"),
        ("since 1750", "1750", "since"),
        ("on Monday", None, "at"),
        ("last year", None, "at"),
    ],
)
def test_it_normalises_dates_without_a_reference(text, value, relation):
    t = only(text)
    assert (t.value, t.relation) == (value, relation)


@pytest.mark.parametrize(
    ("text", "future", "value"),
    [
        ("on Monday", False, "2013-05-27"),
        ("on Wednesday", False, "2013-05-29"),
        ("on Monday", True, "2013-06-03"),
        ("last year", False, "2012"),
        ("next year", True, "2014"),
        ("last month", False, "2013-04"),
        ("yesterday", False, "2013-05-28"),
        ("May 7", False, "2013-05-07"),
        ("December 12", False, "2012-12-12"),
        ("December 12", True, "2013-12-12"),
        ("in mid-June", True, "2013-06"),
    ],
)
def test_it_resolves_against_the_article_date(text, future, value):
    assert only(text, WED_28_MAY_2013, future).value == value


@pytest.mark.parametrize("text", ["it may rain", "Theresa May said", "in 1500 boats"])
def test_it_ignores_what_is_not_a_date(text):
    assert find_times(text) == []


def test_summary_wording_keeps_the_relation():
    assert describe(only("since March 2011")) == "since March 2011"
    assert describe(only("by 2030")) == "by 2030"
