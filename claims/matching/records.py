"""Claims files in: TSV with a header row (``id<TAB>text[<TAB>title]``, as CLEF's files are)
or JSON Lines (``{"id", "text"}``, optional ``"title"``), told apart by their first byte.

Every problem is a ``RecordsError`` naming the file and, where there is one, the line: a
reader can fix the file from the message alone.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024**3  # past this it is not a claims file


class RecordsError(ValueError):
    pass


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    title: str = ""


def read_records(path: Path | str) -> list[Record]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RecordsError(f"{path}: {size} bytes is too large for a claims file")
        data = path.read_bytes()
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM from a spreadsheet
    if not data.strip():
        raise RecordsError(f"{path}: the file is empty")
    if b"\x00" in data[:8192]:
        raise RecordsError(f"{path}: binary data, not a TSV or JSON Lines file of claims")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecordsError(
            f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x}); save the file as UTF-8"
        ) from None
    records = _read_jsonl(path, text) if text.lstrip()[:1] == "{" else _read_tsv(path, text)
    if not records:
        raise RecordsError(f"{path}: no claims in the file")
    seen: dict[str, int] = {}
    for number, record in enumerate(records, 1):
        if record.id in seen:
            raise RecordsError(
                f"{path}: id {record.id!r} appears twice (records {seen[record.id]} and {number})"
            )
        seen[record.id] = number
    return records


def _read_jsonl(path: Path, text: str) -> list[Record]:
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise RecordsError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise RecordsError(f"{path}:{number}: expected a JSON object with id and text")
        if row.get("id") in (None, "") or not isinstance(row.get("text"), str):
            raise RecordsError(f'{path}:{number}: each line needs "id" and a "text" string')
        title = row.get("title") or ""
        if not isinstance(title, str):
            raise RecordsError(f'{path}:{number}: "title" must be a string')
        records.append(Record(str(row["id"]), row["text"], title))
    return records


def _read_tsv(path: Path, text: str) -> list[Record]:
    # Quoted fields may hold tabs and line breaks (CLEF's archive has claims over two lines).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = next(reader, None)
    if not header or len(header) < 2:
        raise RecordsError(
            f"{path}:1: expected a header row of at least two tab-separated columns "
            "(id, text[, title]), or JSON Lines"
        )
    records = []
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise RecordsError(f"{path}:{number}: expected id<TAB>text, found one column")
        if not row[0].strip():
            raise RecordsError(f"{path}:{number}: the id column is empty")
        title = row[2] if len(row) > 2 else ""
        records.append(Record(row[0].strip(), row[1], title))
    return records
