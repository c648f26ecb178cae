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


def _tiny_clef(root):
    """A CLEF-shaped folder: five archive claims, train queries each with its claim."""
    (root / "train").mkdir()
    (root / "verified_claims.docs.tsv").write_text(
        "\tvclaim\ttitle\n"
        "0\tMore than 80,000 people have died in Syria since March 2011.\tSyria toll\n"
        "1\tTesco reported a pre-tax profit of £2.2bn.\tTesco profit\n"
        "2\tUK unemployment fell to 4.2% in March.\tJobless rate\n"
        "3\tChelsea paid £24m to sign Michael Essien.\tEssien fee\n"
        "4\tSyria's refugees number 1.5 million.\tRefugees\n"
    )
    queries = {
        str(i): text
        for i, text in enumerate(
            ["80,000 dead in Syria", "Tesco profit of 2.2bn", "jobless rate 4.2%", "Essien £24m",
             "1.5 million Syrian refugees", "Syria death toll 80000", "Tesco made £2.2bn",
             "Essien cost Chelsea 24m", "UK unemployment 4.2", "refugees from Syria"]
        )
    }  # fmt: skip
    answers = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 0, "6": 1, "7": 3, "8": 2, "9": 4}
    (root / "train" / "tweets.queries.tsv").write_text(
        "\ttweet_content\n" + "".join(f"{i}\t{t}\n" for i, t in queries.items())
    )
    (root / "train" / "tweet-vclaim-pairs.qrels").write_text(
        "".join(f"{q}\t0\t{d}\t1\n" for q, d in answers.items())
    )
    return answers


def test_training_pairs_take_a_hard_negative_that_is_not_the_answer(tmp_path):
    from training.train_matcher import training_pairs

    answers = _tiny_clef(tmp_path)
    pairs = training_pairs(tmp_path, hard_negatives=1)
    assert pairs and len(pairs) <= len(answers)
    for _query, positive, negatives in pairs:
        assert len(negatives) <= 1 and positive not in negatives


def test_train_reranker_fits_and_writes_the_runtime_features(tmp_path, capsys, monkeypatch):
    import json

    from claims.matching.ranking import FEATURES, Reranker
    from training import matching_data, train_reranker

    _tiny_clef(tmp_path)
    # Every query a tuning query, so the tiny set has some to fit on.
    monkeypatch.setattr(train_reranker, "is_tune_query", lambda query_id: True)
    out = tmp_path / "reranker.json"
    train_reranker.main(["--clef", str(tmp_path), "--out", str(out)])
    saved = json.loads(out.read_text())
    assert tuple(saved["features"]) == FEATURES and len(saved["weights"]) == len(FEATURES)
    assert Reranker.load(out).weights[0] > 0  # a closer vector means more likely the claim
    assert "MAP@5 by the score" in capsys.readouterr().out
    assert matching_data.TUNE_SHARE == 0.2
