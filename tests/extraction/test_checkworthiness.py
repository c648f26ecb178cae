"""Tests for the shipped check-worthiness model (no Django, no data outside the repository)."""

from __future__ import annotations

import math

import pytest

from claims.extraction import checkworthiness as cw

# Written for these tests (not from CheckThat or ClaimBuster): 1 = a check-worthy factual
# claim a fact-checker could verify, 0 = opinion, courtesy, procedure, vague or personal talk.
SAMPLE: list[tuple[str, int]] = [
    ("Unemployment rose to 7.2 percent last year, the highest level since 1992.", 1),
    ("The federal deficit has tripled since this administration took office.", 1),
    ("Our state spends $12,000 per student, more than any other state in the region.", 1),
    ("Crime in our cities went down by 20 percent over the last four years.", 1),
    ("The senator voted against the minimum wage increase three times.", 1),
    ("Forty million Americans have no health insurance today.", 1),
    ("We have lost 300,000 manufacturing jobs since 2008.", 1),
    ("According to the Census Bureau, median household income fell by 4 percent.", 1),
    ("The new law cut taxes for 95 percent of working families.", 1),
    ("China now holds over a trillion dollars of our national debt.", 1),
    ("My opponent raised property taxes 14 times when he was governor.", 1),
    ("Half of all new jobs created last year were part-time positions.", 1),
    ("The Pentagon's budget is larger than the next ten countries combined.", 1),
    ("Gas prices have doubled in the past two years.", 1),
    ("The plan would add $3 trillion to the deficit over ten years.", 1),
    ("I think we're doing great.", 0),
    ("Thank you very much.", 0),
    ("Thank you all for being here tonight.", 0),
    ("I believe in the American people.", 0),
    ("Let me finish, please.", 0),
    ("What would you do about it?", 0),
    ("That's a good question.", 0),
    ("We're going to make this country great again.", 0),
    ("I love this country and I love its people.", 0),
    ("I'm very proud of my record.", 0),
    ("You know, it's really a matter of values.", 0),
    ("Well, I'm glad you asked me that.", 0),
    ("I hope we can work together on this.", 0),
    ("Good evening, everyone.", 0),
    ("He doesn't know what he's talking about.", 0),
    ("We need to do better for our children.", 0),
    ("Folks, let's be honest with each other.", 0),
]


def test_model_file_is_small_plain_arrays() -> None:
    assert cw.MODEL_PATH.exists()
    assert cw.MODEL_PATH.stat().st_size < 10_000_000
    model = cw.load_model()  # allow_pickle=False inside: raises if the file needed pickle
    assert 0.0 < model.threshold < 1.0


def test_clear_cases() -> None:
    stat = "Unemployment fell to 3.5 percent in 2019, according to the Bureau of Labor Statistics."
    (s_stat, r_stat), (s_op, r_op), (s_thx, _) = cw.score_sentences(
        [stat, "I think we're doing great.", "Thank you very much."]
    )
    assert s_stat >= 0.5
    assert s_op < 0.5
    assert s_thx < 0.5
    assert any("percent" in r for r in r_stat)
    assert any("Bureau of Labor Statistics" in r for r in r_stat)
    assert any("opinion marker 'I think'" in r for r in r_op)


def test_scores_in_range_and_reasons_present() -> None:
    texts = [t for t, _ in SAMPLE] + ["", "   ", "?", "1", "x" * 5000, "Ünïcödé — “quotes” 50 %"]
    results = cw.score_sentences(texts)
    assert len(results) == len(texts)
    for score, reasons in results:
        assert 0.0 <= score <= 1.0 and not math.isnan(score)
        assert reasons and reasons[0].startswith("model: ")


def test_order_stable_and_batch_equals_single() -> None:
    texts = [t for t, _ in SAMPLE]
    batch = cw.score_sentences(texts)
    assert cw.score_sentences(texts) == batch
    single = [cw.score_sentences([t])[0] for t in texts]
    assert single == batch
    rev = cw.score_sentences(texts[::-1])
    assert rev[::-1] == batch


def test_rescale_maps_threshold_to_half_monotonically() -> None:
    t = cw.get_model().threshold
    assert cw.rescale(t, t) == pytest.approx(0.5)
    assert cw.rescale(0.0, t) == 0.0 and cw.rescale(1.0, t) == pytest.approx(1.0)
    grid = [i / 100 for i in range(101)]
    out = [cw.rescale(p, t) for p in grid]
    assert out == sorted(out)


def test_embedded_sample_accuracy_floor() -> None:
    scores = [s for s, _ in cw.score_sentences([t for t, _ in SAMPLE])]
    correct = sum((s >= 0.5) == bool(y) for s, (_, y) in zip(scores, SAMPLE, strict=True))
    acc = correct / len(SAMPLE)
    # The model scored 1.00 here when written; 0.85 leaves room for retraining noise.
    assert acc >= 0.85, acc


def test_score_docs_reasons_name_entities_and_lexical_scores_match_text(nlp) -> None:
    text = "Exxon paid $2 billion in taxes, the Treasury said."
    doc = nlp(text)
    [(score, reasons)] = cw.score_docs([doc[:]], ensemble=None)
    assert score == cw.score_sentences([text])[0][0]
    [(_, both_reasons)] = cw.score_docs([doc[:]])
    assert "names an organisation 'Exxon'" in both_reasons
    assert "names an organisation 'Exxon'" in reasons
    assert "contains a figure '$2 billion'" in reasons


def test_a_money_reason_names_the_whole_amount():
    [(_, reasons)] = cw.score_sentences(["The council approved a $310 million plan."])
    assert "mentions money '$310 million'" in reasons
