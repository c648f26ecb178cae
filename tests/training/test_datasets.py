"""The data every script shares (no ClaimBuster, no corpus: small data made here)."""

from __future__ import annotations

import numpy as np
import pytest

from training import datasets


def _data(groups: list[str]) -> datasets.Data:
    texts = [
        "Unemployment fell to 3.5 percent in 2019 across the whole country.",
        "I think we are doing a great job for the people of this nation.",
        "The deficit tripled since this administration took office in January.",
        "Thank you very much, it is a pleasure to be here with you tonight.",
    ]
    return datasets.Data(texts, np.array([1, 0, 1, 0], dtype=np.int8), groups, ["t"] * 4)


def test_teacher_logits_round_trip_and_lookup(tmp_path) -> None:
    path = tmp_path / "teacher.npz"
    datasets.save_teacher_logits(path, ["a b c", "d e f", "a b c"], np.array([2.0, -1.0, 9.0]))
    table = datasets.load_teacher_logits(path)
    assert len(table) == 2  # a repeated sentence keeps its first logit
    probs = datasets.teacher_probabilities(["d e f", "a b c"], table)
    assert probs == pytest.approx([1 / (1 + np.exp(1.0)), 1 / (1 + np.exp(-2.0))])
    with pytest.raises(SystemExit, match="1 sentences have no teacher logit"):
        datasets.teacher_probabilities(["a b c", "never labelled"], table)


def test_shipped_teacher_file_is_a_clean_table() -> None:
    with np.load(datasets.TEACHER_PATH, allow_pickle=False) as z:
        keys, logits = z["keys"], z["logits"]
    assert len(keys) == len(logits) > 100_000
    assert np.all(keys[1:] > keys[:-1])  # sorted, unique
    assert np.isfinite(logits).all()
    # Both classes are represented: a teacher that says one thing teaches nothing.
    assert 0.2 < float((logits > 0).mean()) < 0.8


def test_held_out_debates_leave_no_variant_and_do_not_change_the_others(nlp) -> None:
    data = _data(["d1", "d2", "d1", "d3"])
    tagged, by_pos = datasets._tagged(data, nlp)
    everything = datasets.augment(data, tagged, by_pos, seed=7, held_out=set())
    without_d1 = datasets.augment(data, tagged, by_pos, seed=7, held_out={"d1"})
    assert everything == datasets.augment(data, tagged, by_pos, seed=7, held_out=set())
    assert set(without_d1) < set(everything)
    assert len(everything) - len(without_d1) == 4  # two variants of each d1 sentence
    assert datasets.augment(data, tagged, by_pos, seed=8, held_out=set()) != everything


def test_the_validation_split_is_five_whole_debates_and_fixed() -> None:
    groups = [f"debate{i}" for i in range(12) for _ in range(3)]
    data = datasets.Data(["x"] * len(groups), np.zeros(len(groups), np.int8), groups, ["t"] * 36)
    held_out = datasets.validation_debates(data)
    assert len(held_out) == datasets.VALIDATION_DEBATES and held_out < set(groups)
    assert datasets.validation_debates(data) == held_out


def test_both_labelled_files_are_read_with_their_debate_and_verdict(tmp_path) -> None:
    for name, rows in {
        "groundtruth": [("Taxes rose 4 percent.", "1", "d1")],
        "crowdsourced": [("Thank you.", "-1", "d2"), ("I believe in us.", "0", "d2")],
    }.items():
        lines = [
            "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"
        ]
        lines += [f'{i},"{t}",S,,,{f},0,0,0,{v}' for i, (t, v, f) in enumerate(rows)]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = datasets.load_claimbuster(tmp_path)
    assert data.texts == ["Taxes rose 4 percent.", "Thank you.", "I believe in us."]
    assert data.labels.tolist() == [1, 0, 0]  # only Verdict 1 is check-worthy
    assert data.groups == ["d1", "d2", "d2"]
    assert data.source == ["groundtruth", "crowdsourced", "crowdsourced"]
