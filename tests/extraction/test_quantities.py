from __future__ import annotations

import pytest

from claims.extraction.quantities import compact, find_quantities, words_to_number


def only(text):
    found = find_quantities(text)
    assert len(found) == 1, [f.quantity for f in found]
    return found[0].quantity


@pytest.mark.parametrize(
    ("text", "value", "low", "high", "qualifier", "unit"),
    [
        ("More than 80,000 people", 80000, 80000, None, "more than", None),
        ("at least 1,200 bodies", 1200, 1200, None, "at least", None),
        ("up to 3,000 troops", 3000, None, 3000, "up to", None),
        ("nearly 40,000 people", 40000, None, 40000, "nearly", None),
        ("about 15.9 million tonnes", 15900000, None, None, "about", None),
        ("$4.2 billion", 4200000000, None, None, None, "USD"),
        ("£600m in cash", 600000000, None, None, None, "GBP"),
        ("€12.5bn", 12500000000, None, None, None, "EUR"),
        ("A$13,000", 13000, None, None, None, "AUD"),
        ("1.1 billion euros", 1100000000, None, None, None, "EUR"),
        ("3.4 percent", 3.4, None, None, None, "percent"),
        ("5.5 per cent", 5.5, None, None, None, "percent"),
        ("76%", 76, None, None, None, "percent"),
        ("his eight-day trip", 8, None, None, None, "day"),
        ("a seven-year contract", 7, None, None, None, "year"),
        ("two dozen aftershocks", 24, None, None, None, None),
        ("twenty-five people", 25, None, None, None, None),
        ("cut costs by a third.", 1 / 3, None, None, None, "fraction"),
        ("three-quarters of their stock", 0.75, None, None, None, "fraction"),
    ],
)
def test_it_reads_a_single_figure(text, value, low, high, qualifier, unit):
    q = only(text)
    assert q.value == pytest.approx(value)
    assert q.low == (pytest.approx(low) if low is not None else None)
    assert q.high == (pytest.approx(high) if high is not None else None)
    assert q.qualifier == qualifier
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("between 90 and 95 percent", 90, 95, "percent"),
        ("from 5% to 7%", 5, 7, "percent"),
        ("between 2 and 3 million", 2_000_000, 3_000_000, None),
        ("hundreds of thousands", 200_000, 900_000, None),
        ("tens of thousands", 20_000, 90_000, None),
    ],
)
def test_it_reads_ranges_and_vague_magnitudes(text, low, high, unit):
    q = only(text)
    assert q.value is None
    assert (q.low, q.high, q.unit) == (low, high, unit)


@pytest.mark.parametrize(
    "text",
    [
        "the Geneva-2 conference",
        "at 5pm",
        "in 2004",
        "one of the biggest",
        "the G8 summit",
        "emerged from Chapter 11 protection",
        "before triggering Article 50",
    ],
)
def test_it_ignores_what_is_not_a_figure(text):
    assert find_quantities(text) == []


def test_a_change_and_a_level_are_two_figures_not_a_range():
    found = find_quantities("profits jumped 76% to $1.13bn")
    assert [(f.quantity.value, f.quantity.unit) for f in found] == [
        (76, "percent"),
        (1130000000, "USD"),
    ]


def test_offsets_point_at_the_figure():
    text = "Officials said more than 80,000 people died."
    (found,) = find_quantities(text)
    assert text[found.start : found.end] == "more than 80,000"


@pytest.mark.parametrize(
    ("words", "number"),
    [("two hundred thousand", 200000), ("forty-two", 42), ("two dozen", 24), ("a million", 1e6)],
)
def test_number_words(words, number):
    assert words_to_number(words) == number


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("more than 80,000", "80,000+"),
        ("about 22.1 million", "~22,100,000"),
        ("$4.2 billion", "$4.2bn"),
        ("between 90 and 95 percent", "90–95%"),
        ("up to 3,000", "up to 3,000"),
    ],
)
def test_compact_reading(text, reading):
    assert compact(only(text)) == reading
