"""The distillation's building blocks (no ClaimBuster, no corpus: small data made here)."""

from __future__ import annotations

import numpy as np
import pytest

from claims.extraction import train_checkworthiness as train


def _data(groups: list[str]) -> train.Data:
    texts = [
        "Unemployment fell to 3.5 percent in 2019 across the whole country.",
        "I think we are doing a great job for the people of this nation.",
        "The deficit tripled since this administration took office in January.",
        "Thank you very much, it is a pleasure to be here with you tonight.",
    ]
    return train.Data(texts, np.array([1, 0, 1, 0], dtype=np.int8), groups, ["t"] * 4)


def test_teacher_logits_round_trip_and_lookup(tmp_path) -> None:
    path = tmp_path / "teacher.npz"
    train.save_teacher_logits(path, ["a b c", "d e f", "a b c"], np.array([2.0, -1.0, 9.0]))
    table = train.load_teacher_logits(path)
    assert len(table) == 2  # a repeated sentence keeps its first logit
    probs = train.teacher_probabilities(["d e f", "a b c"], table)
    assert probs == pytest.approx([1 / (1 + np.exp(1.0)), 1 / (1 + np.exp(-2.0))])
    with pytest.raises(SystemExit, match="1 sentences have no teacher logit"):
        train.teacher_probabilities(["a b c", "never labelled"], table)


def test_shipped_teacher_file_is_a_clean_table() -> None:
    with np.load(train.TEACHER_PATH, allow_pickle=False) as z:
        keys, logits = z["keys"], z["logits"]
    assert len(keys) == len(logits) > 100_000
    assert np.all(keys[1:] > keys[:-1])  # sorted, unique
    assert np.isfinite(logits).all()
    # Both classes are represented: a teacher that says one thing teaches nothing.
    assert 0.2 < float((logits > 0).mean()) < 0.8


def test_held_out_debates_leave_no_variant_and_do_not_change_the_others(nlp) -> None:
    data = _data(["d1", "d2", "d1", "d3"])
    tagged, by_pos = train._tagged(data, nlp)
    everything = train.augment(data, tagged, by_pos, seed=7, held_out=set())
    without_d1 = train.augment(data, tagged, by_pos, seed=7, held_out={"d1"})
    assert everything == train.augment(data, tagged, by_pos, seed=7, held_out=set())
    assert set(without_d1) < set(everything)
    assert len(everything) - len(without_d1) == 4  # two variants of each d1 sentence
    assert train.augment(data, tagged, by_pos, seed=8, held_out=set()) != everything


def test_the_student_follows_its_soft_targets() -> None:
    texts = ["the mill closed in march", "we love this great country"] * 20
    cfg = train.Config(min_df_word=1, min_df_char=1)

    def p_first(target_first: float) -> float:
        target = np.array([target_first, 0.1] * 20)
        feat = train.Featurizer(cfg)
        clf = train.fit_student(feat, texts, target, cfg)
        return float(clf.predict_proba(feat.transform(texts[:1]))[0, 1])

    assert p_first(0.9) > 0.8 > 0.2 > p_first(0.1)
