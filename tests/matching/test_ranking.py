"""The one ranking function, the encoder behind it, and the in-memory index that feeds it."""

from __future__ import annotations

import numpy as np
import pytest

from claims.matching import (
    CONFIRM,
    DIMENSION,
    SUGGEST,
    ArchiveIndex,
    Candidate,
    LexicalStats,
    MatchQuery,
    document_text,
    rank,
    terms,
)
from claims.matching.ranking import FEATURES, Reranker, clashes, default_reranker, pair_features

ARCHIVE = {
    "syria": "More than 80,000 people have died in Syria since fighting broke out in March 2011.",
    "syria-70": "More than 70,000 people have died in Syria since fighting broke out in March 2011.",
    "tesco": "Tesco reported a pre-tax profit of £2.2bn for the year to February.",
    "jobs": "UK unemployment fell to 4.2% in the three months to March.",
    "essien": "Chelsea paid £24m to sign Michael Essien from Lyon.",
}
QUERY = "The war in Syria has killed over 80,000 people since it began in March 2011."


@pytest.fixture(scope="module")
def index(encoder):
    texts = list(ARCHIVE.values())
    return ArchiveIndex(list(ARCHIVE), texts, encoder.encode(texts))


def test_encoder_gives_unit_float32_vectors_and_a_zero_row_for_nothing(encoder):
    vectors = encoder.encode(["Inflation rose to 2.5% in May.", "", "   "])
    assert vectors.shape == (3, DIMENSION) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-3)
    assert not vectors[1].any() and not vectors[2].any()


def test_encoder_vectors_do_not_depend_on_the_batch(encoder):
    texts = list(ARCHIVE.values())
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(encoder.encode(texts, batch_size=2), alone, atol=1e-4)


def test_a_rewording_is_nearer_than_another_topic(encoder):
    query, same, other = encoder.encode([QUERY, ARCHIVE["syria"], ARCHIVE["tesco"]])
    assert float(query @ same) > float(query @ other) + 0.3


def test_search_puts_the_same_claim_first_and_its_near_miss_below(index, encoder):
    vector = encoder.encode([QUERY])[0]
    matches = index.search(MatchQuery(QUERY), vector, top=5)
    assert [m.id for m in matches[:2]] == ["syria", "syria-70"]
    best, near_miss = matches[0], matches[1]
    assert best.score >= SUGGEST and best.suggested and best.clashes == ()
    # Same words, another figure: the same topic, not the same claim.
    assert near_miss.clashes == ("figures",) and near_miss.score < SUGGEST <= near_miss.topic
    assert all(m.score < SUGGEST for m in matches[2:])


def test_search_is_rank_over_the_candidates_the_index_finds(index, encoder):
    # match_claims (index.search) and the desk (rank over its own candidates) share rank().
    vector = encoder.encode([QUERY])[0]
    candidates = index.candidates(MatchQuery(QUERY), vector)
    assert index.search(MatchQuery(QUERY), vector, top=10) == rank(
        MatchQuery(QUERY), vector, candidates, index.stats
    )


def test_a_pairs_score_does_not_depend_on_the_other_candidates(index, encoder):
    vector = encoder.encode([QUERY])[0]
    everything = index.candidates(MatchQuery(QUERY), vector)
    alone = [c for c in everything if c.id == "syria"]
    assert rank(MatchQuery(QUERY), vector, alone, index.stats)[0] == next(
        m for m in rank(MatchQuery(QUERY), vector, everything, index.stats) if m.id == "syria"
    )


def test_rank_counts_a_candidate_given_twice_once_and_breaks_ties_by_id():
    stats = LexicalStats.from_documents([terms(t) for t in ARCHIVE.values()])
    flat = Reranker(weights=(0.0,) * len(FEATURES), bias=0.0)
    twice = [Candidate("b", "x"), Candidate("a", "x"), Candidate("b", "x")]
    matches = rank(MatchQuery("x"), None, twice, stats, flat)
    assert [m.id for m in matches] == ["a", "b"]
    assert all(m.score == 0.5 for m in matches)


def test_extracted_quantities_and_times_count_as_the_querys_figures_and_dates():
    candidate = Candidate("c", "Deaths in Syria: 80,000 in 2013.")
    assert clashes(MatchQuery("Deaths in Syria"), candidate) == ()
    assert clashes(MatchQuery("Deaths in Syria", quantities=[{"value": 70000.0}]), candidate) == (
        "figures",
    )
    assert clashes(
        MatchQuery("Deaths in Syria", times=[{"value": "2012-05", "relation": "at"}]), candidate
    ) == ("years",)
    assert clashes(MatchQuery("Deaths in Syria: 80,000 in 2013"), candidate) == ()


def test_a_clash_keeps_even_a_certain_topic_below_suggest():
    stats = LexicalStats.from_documents([terms(t) for t in ARCHIVE.values()])
    certain = Reranker(weights=(0.0,) * len(FEATURES), bias=20.0)
    query = MatchQuery("Prices rose 0.4% in August.")
    same, other_month = (
        Candidate("a", "Prices rose 0.4% in August."),
        Candidate("b", "Prices rose 0.4% in September."),
    )
    by_id = {m.id: m for m in rank(query, None, [same, other_month], stats, certain)}
    assert by_id["a"].score > CONFIRM
    assert by_id["b"].clashes == ("months",) and by_id["b"].score < SUGGEST < by_id["b"].topic


def test_a_vector_missing_scores_a_cosine_of_zero():
    stats = LexicalStats.from_documents([terms(t) for t in ARCHIVE.values()])
    features = pair_features(MatchQuery(QUERY), None, Candidate("syria", ARCHIVE["syria"]), stats)
    assert features[0] == 0.0 and features[1] > 0


def test_thresholds_and_the_shipped_reranker():
    assert 0 < SUGGEST < CONFIRM < 1
    reranker = default_reranker()
    assert len(reranker.weights) == len(FEATURES)
    # More of the same evidence never lowers the score.
    low = reranker.probability((0.5, 0.2, 0.5, 0.5, 0.0))
    assert reranker.probability((0.9, 0.2, 0.5, 0.5, 0.0)) > low
    assert reranker.probability((0.5, 0.6, 0.5, 0.5, 0.0)) > low


def test_a_reranker_fitted_on_other_features_is_refused(tmp_path):
    path = tmp_path / "reranker.json"
    path.write_text('{"features": ["cosine"], "weights": [1.0], "bias": 0.0}')
    with pytest.raises(ValueError, match="other features"):
        Reranker.load(path)


def test_document_text_joins_a_title_once():
    assert document_text("Claim.", "Title") == "Claim. Title"
    assert document_text("Claim.", "") == document_text("Claim.", "Claim.") == "Claim."


def test_topic_ceiling_bounds_the_topic_whatever_the_vectors(encoder, index):
    from claims.matching import topic_ceiling

    query = MatchQuery(QUERY)
    rng = np.random.default_rng(1)
    vectors = [encoder.encode([QUERY])[0]] + [
        v / np.linalg.norm(v) for v in rng.standard_normal((5, DIMENSION)).astype(np.float32)
    ]
    for candidate in index.candidates(query, vectors[0]):
        ceiling = topic_ceiling(query, candidate, index.stats)
        for vector in vectors + [candidate.vector]:  # the candidate's own: a cosine of 1
            (match,) = rank(query, vector, [candidate], index.stats)
            assert match.topic <= ceiling
    # An unrelated claim sharing no word cannot reach SUGGEST even with identical vectors.
    stranger = Candidate("x", "Chelsea paid £24m to sign Michael Essien from Lyon.")
    assert topic_ceiling(query, stranger, index.stats) < SUGGEST


def test_batched_and_lone_vectors_agree(encoder):
    texts = [
        "Inflation rose to 2.5% in May.",
        "More than 80,000 people have died in Syria since fighting broke out in March 2011.",
        "Tesco reported a pre-tax profit of £2.2bn.",
    ]
    lone = np.vstack([encoder.encode([t]) for t in texts])
    batched = encoder.encode(texts, batch_size=32)
    assert np.min(np.sum(lone * batched, axis=1)) > 0.9999
