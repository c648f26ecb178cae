"""The words and figures a claim is matched on, and BM25 the same in memory and per pair."""

from __future__ import annotations

import math

import pytest

from claims.matching.index import LexicalIndex
from claims.matching.lexical import LexicalStats, bm25, bm25_ceiling, weighted_overlap
from claims.matching.text import clean, figures, quantity_values, terms

DOCS = [
    "More than 80,000 people have died in Syria since March 2011.",
    "Tesco reported a pre-tax profit of £2.2bn for the year to February.",
    "The death toll in Syria passed 80000, activists said.",
    "UK unemployment fell to 4.2% in the three months to March.",
    "",
]


def test_terms_read_one_figure_one_way_and_drop_links_and_function_words():
    assert terms("80,000 people DIED https://t.co/abc") == terms("80000 people dies")
    assert "the" not in terms("The toll of the war")
    # Negation and direction carry a claim's meaning: they stay.
    assert {"not", "more"} <= set(terms("did not rise more"))
    assert clean("a  pic.twitter.com/x1  b\u00a0c") == "a b c"


def test_figures_scale_amounts_and_leave_years_to_the_words():
    assert figures("$4.2bn and 1.5 million, 5% and 12 per cent") == {4.2e9, 1.5e6, 5.0, 12.0}
    assert figures("since March 2011") == frozenset()
    assert figures("80,000 or 80000") == {80000.0}
    assert quantity_values([{"value": None, "low": 2e5, "high": 9e5}, {"value": 3}]) == {
        2e5,
        9e5,
        3.0,
    }


def test_bm25_of_a_pair_is_the_in_memory_index_score():
    # The desk scores pairs from its database with bm25(); match_claims finds candidates
    # with LexicalIndex. The two must agree to the float, or the scores would differ.
    term_lists = [terms(d) for d in DOCS]
    index = LexicalIndex(term_lists)
    query = terms("How many have died in Syria since 2011? Over 80,000")
    scores = index.scores(query)
    for doc, doc_terms in enumerate(term_lists):
        assert scores[doc] == pytest.approx(bm25(query, doc_terms, index.stats), rel=1e-5)
    assert list(index.top(query, 2)) == [0, 2]
    assert 0 < bm25(query, term_lists[0], index.stats) < bm25_ceiling(query, index.stats)


def test_lexical_stats_round_trip_and_rare_words_weigh_more():
    stats = LexicalStats.from_documents(terms(d) for d in DOCS)
    assert stats.doc_count == 5
    assert LexicalStats.from_json(stats.to_json()) == stats
    assert stats.idf("syria") < stats.idf("tesco") < stats.idf("never-seen")
    assert math.isfinite(stats.idf("syria")) and stats.idf("syria") > 0


def test_weighted_overlap_is_asymmetric():
    stats = LexicalStats.from_documents(terms(d) for d in DOCS)
    short, long = terms("Syria deaths"), terms("Syria deaths in Iraq and Tesco")
    assert weighted_overlap(short, long, stats) == 1.0
    assert 0 < weighted_overlap(long, short, stats) < 1.0
    assert weighted_overlap([], long, stats) == 0.0
