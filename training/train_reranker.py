"""Fit the matching engine's reranker on the tuning fifth of CLEF 2020 train.

    python -m training.train_reranker --clef ../shared/data/clef2020-claim-retrieval \
        --out claims/matching/models/reranker.json

For each held-out train query (``matching_data.is_tune_query``; the encoder never saw
them) it takes the candidates ``ArchiveIndex`` finds, computes ``ranking.pair_features``
with the shipped encoder (or ``--model-dir``), and fits a logistic regression of "this is
the query's fact-checked claim" on them. It prints, on those queries, MAP@5 of BM25 alone,
of the cosine alone and of the reranker, how often the right claim is among the
candidates, and precision and recall of the thresholds ``SUGGEST`` and ``CONFIRM``.
Needs the dev lock (scikit-learn), no torch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from claims.matching import ArchiveIndex, Encoder, MatchQuery
from claims.matching.encoder import MODEL_DIR
from claims.matching.ranking import CONFIRM, FEATURES, SUGGEST, Reranker, pair_features, rank
from claims.matching.text import clean
from training.matching_data import document_text, is_tune_query, load_clef
from training.score_trec import mean_average_precision

C = 1.0  # inverse regularisation; the features are few and in 0..1


class StaticEncoder:
    """A model2vec static embedding (``distill_static.py``), for comparison only: the
    vector of a text is the mean of its tokens' vectors, no network at all."""

    def __init__(self, path: Path) -> None:
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path))
        self.weights = Path(path) / "model.safetensors"

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        vectors = self.model.encode([clean(t) for t in texts]).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def archive_vectors(encoder, model_dir: Path, texts: list[str], cache: Path | None):
    """The archive's vectors, kept in ``cache`` under the model's and the texts' hash."""
    digest = hashlib.blake2b(digest_size=12)
    weights = getattr(encoder, "weights", Path(model_dir) / "matcher.onnx")
    digest.update(Path(weights).read_bytes())
    digest.update("\x00".join(texts).encode())
    path = cache / f"archive-{digest.hexdigest()}.npy" if cache else None
    if path and path.exists():
        return np.load(path)
    started = time.time()
    vectors = encoder.encode(texts)
    print(f"archive of {len(texts)} encoded in {time.time() - started:.0f} s")
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def tuning_set(clef_dir: Path, model_dir: Path, cache: Path | None = None, static=None):
    data = load_clef(clef_dir, "train")
    encoder = StaticEncoder(static) if static else Encoder(model_dir, threads=2)
    texts = [document_text(r) for r in data.archive]
    vectors = archive_vectors(encoder, model_dir, texts, cache)
    index = ArchiveIndex([r.id for r in data.archive], texts, vectors)
    queries = [q for q in data.queries if is_tune_query(q.id) and q.id in data.qrels]
    vectors = encoder.encode([q.text for q in queries])
    rows = []  # (query id, candidate id, features, label)
    for query, vector in zip(queries, vectors, strict=True):
        match_query = MatchQuery(query.text)
        for candidate in index.candidates(match_query, vector):
            features = pair_features(match_query, vector, candidate, index.stats)
            label = candidate.id in data.qrels[query.id]
            rows.append((query.id, candidate.id, features, label))
    return data, index, queries, vectors, rows


def _ranked_by(rows, column: int) -> dict[str, list[str]]:
    run: dict[str, list[tuple[float, str]]] = {}
    for qid, cid, features, _ in rows:
        run.setdefault(qid, []).append((-features[column], cid))
    return {q: [c for _, c in sorted(items)] for q, items in run.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clef", required=True, type=Path)
    parser.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    parser.add_argument("--out", type=Path, help="where to write reranker.json")
    parser.add_argument("--cache", type=Path, help="keep the archive's vectors here")
    parser.add_argument("--static", type=Path, help="a model2vec model to compare instead")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression

    data, index, queries, vectors, rows = tuning_set(
        args.clef, args.model_dir, args.cache, args.static
    )
    qrels = {q.id: data.qrels[q.id] for q in queries}
    found = {(qid, cid) for qid, cid, _, label in rows if label}
    recall = sum(any((q, d) in found for d in rel) for q, rel in qrels.items()) / len(qrels)
    print(
        f"{len(queries)} tuning queries, {len(rows)} pairs; "
        f"right claim among candidates: {recall:.3f}"
    )
    for column in (0, 1):
        score = mean_average_precision(_ranked_by(rows, column), qrels)
        print(f"MAP@5 by {FEATURES[column]} alone: {score:.4f}")

    x = np.array([features for _, _, features, _ in rows], dtype=np.float64)
    y = np.array([label for *_, label in rows], dtype=np.int8)
    model = LogisticRegression(C=C, max_iter=1000).fit(x, y)
    reranker = Reranker(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))
    print("weights:", dict(zip(FEATURES, np.round(model.coef_[0], 3), strict=True)))

    run, topic_run, scored, clashing = {}, {}, [], 0
    for query, vector in zip(queries, vectors, strict=True):
        match_query = MatchQuery(query.text)
        matches = rank(
            match_query, vector, index.candidates(match_query, vector), index.stats, reranker
        )
        run[query.id] = [m.id for m in matches]
        topic_run[query.id] = [m.id for m in sorted(matches, key=lambda m: (-m.topic, m.id))]
        scored.extend((m.score, m.id in qrels[query.id]) for m in matches[:5])
        clashing += sum(bool(m.clashes) for m in matches if m.id in qrels[query.id])
    print("(fitted on these queries:)")
    print(f"MAP@5 by the reranker's topic score: {mean_average_precision(topic_run, qrels):.4f}")
    print(f"MAP@5 by the score (clash rule on): {mean_average_precision(run, qrels):.4f}")
    print(f"right claims with a clash of figures or dates: {clashing} of {len(found)}")
    for name, threshold in (("SUGGEST", SUGGEST), ("CONFIRM", CONFIRM)):
        above = [label for score, label in scored if score >= threshold]
        precision = sum(above) / len(above) if above else 0.0
        print(
            f"{name} {threshold}: precision {precision:.3f}, "
            f"recall {sum(above) / sum(len(r) for r in qrels.values()):.3f} (top-5 pairs)"
        )
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "weights": list(reranker.weights),
                    "bias": reranker.bias,
                    "fitted_on": (
                        f"CLEF 2020 train, tuning fifth: {len(queries)} queries, {len(rows)} pairs"
                    ),
                },
                indent=2,
            )
            + "\n"
        )
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
