"""The distillation's building blocks (no ClaimBuster, no corpus: small data made here)."""

from __future__ import annotations

import numpy as np

from claims.extraction import checkworthiness as cw
from training import train_checkworthiness as train
from training.lexical import raw_probabilities

TEXTS = [
    "Unemployment fell to 3.5 percent in 2019, the Bureau of Labor Statistics said.",
    "I think we are doing a great job for the people of this nation.",
    "The deficit tripled to $1.2 trillion since this administration took office.",
    "Thank you very much, it is a pleasure to be here with you tonight.",
    "According to the census, 40 million Americans live in poverty.",
    "We must stand together and we will win this election.",
]


def test_the_student_follows_its_soft_targets() -> None:
    texts = ["the mill closed in march", "we love this great country"] * 20
    cfg = train.Config(min_df_word=1, min_df_char=1)

    def p_first(target_first: float) -> float:
        target = np.array([target_first, 0.1] * 20)
        feat = train.Featurizer(cfg)
        clf = train.fit_student(feat, texts, target, cfg)
        return float(clf.predict_proba(feat.transform(texts[:1]))[0, 1])

    assert p_first(0.9) > 0.8 > 0.2 > p_first(0.1)


def test_an_exported_student_scores_at_run_time_as_scikit_learn_does(tmp_path) -> None:
    # Training fits scikit-learn on the scorer's featurisation; the engine scores with numpy.
    # If the two ever read a sentence differently, the shipped model means something else.
    cfg = train.Config(min_df_word=1, min_df_char=1)
    feat = train.Featurizer(cfg)
    clf = train.fit_student(feat, TEXTS, np.array([0.9, 0.1, 0.8, 0.05, 0.9, 0.2]), cfg)
    path = train.export(feat, clf, 0.4, {"seed": train.SEED}, tmp_path)
    model = cw.load_model(path)
    unseen = ["Prices rose 7 percent last year, the report said.", "I love you all, thank you."]
    ref = clf.predict_proba(feat.transform(TEXTS + unseen))[:, 1]
    assert np.allclose(raw_probabilities(TEXTS + unseen, model), ref, atol=1e-5)
    assert model.threshold == 0.4
    # The shipped scorer's rescaled scores come from the same probabilities.
    scores = [s for s, _ in cw.score_sentences(unseen, model)]
    assert scores == [cw.rescale(p, 0.4) for p in raw_probabilities(unseen, model)]
