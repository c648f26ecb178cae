"""CSV export of claim status: streamed, formula-safe, one query per chunk, not per row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet

from claims.models import Claim

COLUMNS = [
    ("claim_id", "id"),
    ("article_title", "article__title"),
    ("outlet", "article__outlet"),
    ("article_url", "article__url"),
    ("published_date", "article__published_date"),
    ("claim_text", "text"),
    ("summary", "summary"),
    ("type", "type"),
    ("score", "score"),
    ("speaker", "speaker"),
    ("quantities", "quantities"),
    ("times", "times"),
    ("status", "status"),
    ("assignee", "assignee__username"),
    ("last_reviewer", "reviewed_by__username"),
    ("reviewed_at", "reviewed_at"),
]
HEADER = [name for name, _ in COLUMNS]
FIELDS = [path for _, path in COLUMNS]

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def claim_rows(claims: QuerySet[Claim], *, chunk_size: int = 2000) -> Iterator[list[str]]:
    yield HEADER
    for row in claims.values_list(*FIELDS).iterator(chunk_size=chunk_size):
        yield [safe_cell(value) for value in row]


def csv_lines(claims: QuerySet[Claim], *, bom: bool = False) -> Iterator[str]:
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    for row in claim_rows(claims):
        yield writer.writerow(row)
