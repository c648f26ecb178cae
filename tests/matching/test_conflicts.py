"""Conflicting figures: the gold set with a floor, and the rules' edges one at a time."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from claims.matching import ClaimFigures, figures_conflict
from claims.matching.conflicts import interval
from training.evaluate_conflicts import load_gold, precision_recall

GOLD = Path(__file__).with_name("conflict_gold.jsonl")
SINCE_2011 = [{"text": "since March 2011", "value": "2011-03", "relation": "since"}]


def _q(text, value, qualifier=None, unit="people", low=None, high=None):
    return {"text": text, "value": value, "low": low, "high": high, "qualifier": qualifier, "unit": unit}  # fmt: skip


def test_the_gold_set_is_big_enough_and_its_pairs_are_well_formed():
    gold = load_gold(GOLD)
    assert len(gold) >= 60
    assert sum(p["conflict"] for p in gold) >= 25 and sum(not p["conflict"] for p in gold) >= 25
    assert {p["split"] for p in gold} == {"dev", "test", "fresh"}
    for pair in gold:
        assert pair["a"]["quantities"] and pair["b"]["quantities"], pair["id"]


def test_precision_and_recall_on_the_gold_stay_above_their_floor():
    # Measured 1.00 and 1.00 on all 100 pairs, and on the 24 written after the rules
    # (docs/matching.md); the floor leaves room for a rule change that trades a pair.
    precision, recall, *_ = precision_recall(load_gold(GOLD))
    assert precision >= 0.9 and recall >= 0.9
    fresh = [p for p in load_gold(GOLD) if p["split"] == "fresh"]
    precision, recall, *_ = precision_recall(fresh)
    assert precision >= 0.85 and recall >= 0.85


def test_the_yardstick_80000_against_70000_conflicts_and_names_both_figures():
    a = ClaimFigures("More than 80,000 people have died since March 2011.", [_q("More than 80,000", 80000.0, "more than", low=80000.0)], SINCE_2011)  # fmt: skip
    b = ClaimFigures("70,000 people have died since March 2011.", [_q("70,000", 70000.0)], SINCE_2011)  # fmt: skip
    (conflict,) = figures_conflict(a, b)
    assert conflict.a["text"] == "More than 80,000" and conflict.b["text"] == "70,000"
    assert "die" in conflict.counted
    # Symmetric: the same conflict whichever claim comes first.
    assert len(figures_conflict(b, a)) == 1


def test_qualifiers_and_ranges_make_intervals():
    assert interval(_q("more than 80,000", 80000.0, "more than")) == (80000.0, math.inf)
    assert interval(_q("about 85,000", 85000.0, "about")) == pytest.approx((76500.0, 93500.0))
    assert interval(_q("nearly 2 million", 2e6, "nearly")) == pytest.approx((1.8e6, 2e6))
    assert interval(_q("up to 200", 200.0, "up to")) == (0.0, 200.0)
    assert interval(_q("hundreds of thousands", None, "vague", low=2e5, high=9e5)) == (2e5, 9e5)
    # As precise as written: a round figure has room, an exact one none.
    assert interval(_q("80,000", 80000.0)) == (76000.0, 84000.0)
    assert interval(_q("80,312", 80312.0)) == (80311.5, 80312.5)
    assert interval(_q("$4.2bn", 4.2e9, unit="USD")) == pytest.approx((4.15e9, 4.25e9))


def test_no_conflict_across_units_measures_scopes_or_times():
    def claim(text, q, times=()):
        return ClaimFigures(text, [q], list(times))

    killed = claim("The quake killed 73,000 people.", _q("73,000", 73000.0))
    injured = claim("The quake injured 69,000 people.", _q("69,000", 69000.0))
    assert figures_conflict(killed, injured) == []
    pounds = claim("It cost £12bn.", _q("£12bn", 12e9, unit="GBP"))
    dollars = claim("It cost $20bn.", _q("$20bn", 20e9, unit="USD"))
    assert figures_conflict(pounds, dollars) == []
    march = claim("Unemployment was 5.1% in March.", _q("5.1%", 5.1, unit="percent"), [{"value": "--03", "relation": "at"}])  # fmt: skip
    june = claim("Unemployment was 7.3% in June.", _q("7.3%", 7.3, unit="percent"), [{"value": "--06", "relation": "at"}])  # fmt: skip
    assert figures_conflict(march, june) == []
    march_again = claim("Unemployment was 7.3% in March.", _q("7.3%", 7.3, unit="percent"), [{"value": "2013-03", "relation": "at"}])  # fmt: skip
    assert len(figures_conflict(march, march_again)) == 1


def test_a_count_since_a_date_may_grow_between_reports_but_not_fall():
    def report(value, as_of):
        text = f"About {value:,} people have died since March 2011."
        return ClaimFigures(
            text, [_q(f"About {value:,}", float(value), "about")], SINCE_2011, as_of
        )

    assert figures_conflict(report(70000, "2013-02-12"), report(90000, "2013-06-13")) == []
    assert len(figures_conflict(report(100000, "2013-01-10"), report(80000, "2013-06-13"))) == 1
    assert len(figures_conflict(report(90000, "2013-06-13"), report(70000, "2013-06-14"))) == 1


def test_claims_without_figures_never_conflict():
    assert figures_conflict(ClaimFigures("No figure here."), ClaimFigures("Nor here.")) == []
