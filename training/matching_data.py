"""CLEF 2020 CheckThat! task 2 (tweets to fact-checked claims), read one way by every
matching script, and the split of its train queries into a part to learn from and a part to
tune on (dev is only ever scored, through ``manage.py match_claims``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from claims.matching.records import Record, read_records

TUNE_SHARE = 0.2  # of train queries, held out for the reranker and every choice of setting


@dataclass
class Clef:
    archive: list[Record]
    queries: list[Record]
    qrels: dict[str, set[str]]  # query id -> relevant archive ids


def read_qrels(path: Path | str) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4 and parts[3] != "0":
                qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels


def load_clef(directory: Path | str, split: str = "train") -> Clef:
    directory = Path(directory)
    return Clef(
        archive=read_records(directory / "verified_claims.docs.tsv"),
        queries=read_records(directory / split / "tweets.queries.tsv"),
        qrels=read_qrels(directory / split / "tweet-vclaim-pairs.qrels"),
    )


def is_tune_query(query_id: str) -> bool:
    """A fixed fifth of train queries, chosen by a hash of the id (no seed to forget)."""
    digest = hashlib.blake2b(query_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < TUNE_SHARE


def document_text(record: Record) -> str:
    from claims.matching.text import document_text as join

    return join(record.text, record.title)
