"""The core of ``manage.py extract_claims``: files or a JSONL of documents in, JSON Lines out."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator
from typing import TextIO

from .article import find_dateline, parse_article
from .extractor import Extractor


def _read_text(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        print(f"warning: {path} is not valid UTF-8; undecodable bytes replaced", file=sys.stderr)
        return data.decode("utf-8", errors="replace")


def _reference_date(iso: str | None) -> datetime.date | None:
    if iso and not iso.startswith("--"):
        try:
            return datetime.date.fromisoformat(iso)
        except ValueError:
            return None
    return None


def _line(claim, offset: int, extra: dict | None = None) -> str:
    row = claim.as_dict()
    row["start"] = claim.start + offset
    row["end"] = claim.end + offset
    if extra:
        row.update(extra)
    return json.dumps(row, ensure_ascii=False)


def run(paths: list[str], docs_jsonl: str | None, model_name: str, out: TextIO) -> int:
    """Write one JSON object per claim per line; offsets index the raw file text.

    Returns 1 when an input could not be read or extracted (each is reported on stderr and
    the others still run), else 0.
    """
    extractor = Extractor(model_name)
    status = 0
    read: list[tuple[str, int]] = []  # (path, body offset) of each file read

    def bodies() -> Iterator[tuple[str, datetime.date | None]]:
        nonlocal status
        for path in paths:
            try:
                raw = _read_text(path)
            except OSError as exc:
                print(f"error: cannot read {path}: {exc}", file=sys.stderr)
                status = 1
                continue
            parts = parse_article(raw)
            read.append((path, parts.body_offset))
            yield parts.body, _reference_date(parts.dateline_date)

    for i, result in enumerate(extractor.extract_many(bodies())):
        path, offset = read[i]  # extract_many has read the file before its result
        if result.error:
            print(f"error: {path}: {result.error}", file=sys.stderr)
            status = 1
        for claim in result.claims:
            out.write(_line(claim, offset, {"file": path}) + "\n")
    if docs_jsonl:
        status = max(status, _run_jsonl(extractor, docs_jsonl, out))
    return status


def _run_jsonl(extractor: Extractor, docs_jsonl: str, out: TextIO) -> int:
    ids: list[str] = []
    status = 0

    def items() -> Iterator[tuple[str, datetime.date | None]]:
        nonlocal status
        with open(docs_jsonl, encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    text = str(doc.get("text") or "")
                except (ValueError, AttributeError):
                    print(f"warning: {docs_jsonl}:{number} is not a JSON object", file=sys.stderr)
                    status = 1
                    continue
                ids.append(str(doc.get("id", number)))
                dateline = find_dateline(text)
                yield text, _reference_date(dateline.date if dateline else None)

    for i, result in enumerate(extractor.extract_many(items())):
        if result.error:
            print(f"error: document {ids[i]}: {result.error}", file=sys.stderr)
            status = 1
        for claim in result.claims:
            out.write(_line(claim, 0, {"doc": ids[i]}) + "\n")
    return status
