"""The core of ``manage.py match_claims``: an archive and queries in, a TREC run out.

One line per ranked match, ``query_id Q0 doc_id rank score tag``, best first, at most
``top`` per query; a query with no candidate at all gets no line. The ranking is
``ArchiveIndex.search``, which scores with ``ranking.rank``, the function the desk uses.
"""

from __future__ import annotations

import os
from typing import TextIO

from .encoder import Encoder
from .index import ArchiveIndex
from .ranking import MatchQuery
from .records import read_records
from .text import document_text

TAG = "newsfacts"
QUERY_CHUNK = 128


def run(archive_path: str, queries_path: str, top: int, out: TextIO, threads: int = 0) -> int:
    """Write the run to ``out``; raises ``records.RecordsError`` on a bad file, before any
    output (both files are read and checked first)."""
    archive = read_records(archive_path)
    queries = read_records(queries_path)
    encoder = Encoder(threads=threads or min(4, os.cpu_count() or 1))
    texts = [document_text(r.text, r.title) for r in archive]
    index = ArchiveIndex([r.id for r in archive], texts, encoder.encode(texts))
    # Queries a chunk at a time: output starts early and a reader that stops (`| head`)
    # stops the work.
    for start in range(0, len(queries), QUERY_CHUNK):
        chunk = queries[start : start + QUERY_CHUNK]
        texts = [document_text(q.text, q.title) for q in chunk]
        for query, text, vector in zip(chunk, texts, encoder.encode(texts), strict=True):
            for rank, match in enumerate(index.search(MatchQuery(text), vector, top), 1):
                out.write(f"{query.id}\tQ0\t{match.id}\t{rank}\t{match.score:.6f}\t{TAG}\n")
        out.flush()
    return 0
