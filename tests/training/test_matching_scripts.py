"""The matching evaluation's own arithmetic: MAP@k, the qrels and the tuning split."""

from __future__ import annotations

import pytest

from training.matching_data import is_tune_query, read_qrels
from training.score_trec import average_precision, main, mean_average_precision, read_run


def test_average_precision_at_k():
    assert average_precision(["a", "b"], {"a"}, 5) == 1.0
    assert average_precision(["x", "a"], {"a"}, 5) == 0.5
    assert average_precision(["x", "x2", "x3", "x4", "x5", "a"], {"a"}, 5) == 0.0
    # Two relevant, found at 1 and 3: (1/1 + 2/3) / 2.
    assert average_precision(["a", "x", "b"], {"a", "b"}, 5) == pytest.approx((1 + 2 / 3) / 2)


def test_map_counts_a_query_missing_from_the_run_as_zero():
    qrels = {"q1": {"a"}, "q2": {"b"}}
    assert mean_average_precision({"q1": ["a"]}, qrels) == 0.5


def test_it_scores_a_trec_run_file_against_qrels(tmp_path, capsys):
    (tmp_path / "qrels").write_text("q1\t0\ta\t1\nq2\t0\tb\t1\nq2\t0\tc\t0\n")
    (tmp_path / "run").write_text("q1 Q0 x 1 0.9 t\nq1 Q0 a 2 0.8 t\nq2 Q0 b 1 0.7 t\n")
    assert read_qrels(tmp_path / "qrels") == {"q1": {"a"}, "q2": {"b"}}
    assert read_run(tmp_path / "run") == {"q1": ["x", "a"], "q2": ["b"]}
    main(["--qrels", str(tmp_path / "qrels"), "--run", str(tmp_path / "run")])
    assert capsys.readouterr().out.startswith("MAP@5 0.7500 over 2 queries")


def test_a_malformed_run_line_is_named(tmp_path):
    (tmp_path / "run").write_text("q1 Q0 a 1 0.9 t\nq1 a\n")
    with pytest.raises(ValueError, match=":2: expected 6 columns"):
        read_run(tmp_path / "run")


def test_the_tuning_fifth_is_fixed_and_about_a_fifth():
    ids = [str(i) for i in range(2000)]
    share = sum(map(is_tune_query, ids)) / len(ids)
    assert 0.17 < share < 0.23
    assert [is_tune_query(i) for i in ids[:50]] == [is_tune_query(i) for i in ids[:50]]
