"""The archive of verdicts: fact-checks imported from files (the admin and
``manage.py import_factchecks`` both call ``fact_checks_import``).

Formats, told apart by their content:
- **ClaimReview JSON-LD**: a JSON object or array of ``ClaimReview`` objects (also inside a
  ``@graph``, or a page's ``DataFeed``), as Google's Fact Check Tools and schema.org give;
- **JSON Lines**: one ``{"id", "text", "rating", "publisher", "url", "date", "title"}``
  object per line (only ``id`` and ``text`` required);
- **CLEF TSV**: CheckThat! task 2's ``verified_claims.docs.tsv`` (``id<TAB>text<TAB>title``
  under a header row; ``vclaim_id``/``vclaim`` column names are read too).

Re-import is idempotent: a record's ``external_id`` (its id, or the review's URL) names the
row it updates. A bad record is reported with its line or record number and skipped; the
good ones are kept.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass, field

from django.db import transaction

from claims.matching import document_text, terms
from claims.models import FactCheck
from claims.services.matching_index import fact_checks_index, lexical_count

MAX_FIELD = {"title": 500, "rating": 200, "publisher": 200, "url": 2000, "external_id": 500}


class FactCheckFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8, not any of the formats)."""


@dataclass
class FactCheckImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {len(self.errors)} bad records skipped" if self.errors else "")


def fact_checks_import(
    *, data: bytes, name: str = "file", encode: bool = True
) -> FactCheckImportReport:
    """Import the fact-checks in ``data``; ``encode`` also computes their vectors now."""
    records, errors = parse_fact_checks(data, name=name)
    report = FactCheckImportReport(errors=errors)
    with transaction.atomic():
        existing = {
            fc.external_id: fc
            for fc in FactCheck.objects.filter(external_id__in=[r["external_id"] for r in records])
        }
        removed_terms = []
        for record in records:
            fc = existing.get(record["external_id"])
            if fc is None:
                fc = FactCheck.objects.create(**record)
                existing[fc.external_id] = fc
                report.created += 1
            elif all(getattr(fc, k) == v for k, v in record.items()):
                report.unchanged += 1
                continue
            else:
                if fc.vector is not None and (fc.text, fc.title) != (
                    record["text"],
                    record["title"],
                ):
                    # The words change: out of the statistics now, re-encoded below.
                    removed_terms.append(terms(document_text(fc.text, fc.title)))
                    fc.vector = None
                for k, v in record.items():
                    setattr(fc, k, v)
                fc.save()
                report.updated += 1
        if removed_terms:
            lexical_count(removed=removed_terms)
    if encode:
        # Every fact-check still without a vector, so an import with encode=False is
        # caught up by the next one.
        fact_checks_index()
    return report


def parse_fact_checks(data: bytes, *, name: str = "file") -> tuple[list[dict], list[str]]:
    """The file's good records (FactCheck fields) and a message per bad one."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise FactCheckFileError(f"{name}: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FactCheckFileError(f"{name}:{line}: not UTF-8; save the file as UTF-8") from None
    stripped = text.lstrip()
    if stripped[:1] == "[" or _is_json_ld(stripped):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise FactCheckFileError(
                f"{name}:{exc.lineno}: not valid JSON-LD ({exc.msg})"
            ) from None
        records, errors = _claimreview(document, name)
    elif stripped[:1] == "{":
        records, errors = _jsonl(text, name)
    else:
        records, errors = _clef_tsv(text, name)
    seen: dict[str, str] = {}
    unique = []
    for where, record in records:
        key = record["external_id"]
        if key in seen:
            errors.append(f"{where}: id {key!r} already given at {seen[key]}")
            continue
        seen[key] = where
        unique.append(record)
    if not unique and errors:
        pass  # every record was bad: the report says why
    elif not unique:
        raise FactCheckFileError(f"{name}: no fact-checks in the file")
    return unique, errors


def _is_json_ld(text: str) -> bool:
    """One JSON-LD object ("@type", "@graph"...), as opposed to a line of JSON Lines."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and any(key.startswith("@") for key in data)


def _record(where: str, *, external_id, text, title="", rating="", publisher="", url="", date=""):
    """One FactCheck's fields, or ValueError naming what is wrong."""
    if external_id in (None, ""):
        raise ValueError("no id (or URL) to recognise the record by on re-import")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no claim text")
    for label, value in (
        ("title", title),
        ("rating", rating),
        ("publisher", publisher),
        ("url", url),
    ):
        if not isinstance(value, str):
            raise ValueError(f"{label} must be a string")
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"url {url[:80]!r} does not start with http:// or https://")
    parsed_date = None
    if date:
        try:
            parsed_date = datetime.date.fromisoformat(str(date)[:10])
        except ValueError:
            raise ValueError(f"date {str(date)[:40]!r} is not an ISO date (YYYY-MM-DD)") from None
    record = {
        "external_id": str(external_id).strip(),
        "text": text.strip(),
        "title": title.strip(),
        "rating": rating.strip(),
        "publisher": publisher.strip(),
        "url": url.strip(),
        "date": parsed_date,
    }
    for key, limit in MAX_FIELD.items():
        if len(record[key]) > limit:
            raise ValueError(f"{key} is longer than {limit} characters")
    return where, record


def _jsonl(text: str, name: str):
    records, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("expected a JSON object")
            records.append(
                _record(
                    where,
                    external_id=row.get("id") or row.get("url"),
                    text=row.get("text"),
                    title=row.get("title") or "",
                    rating=row.get("rating") or "",
                    publisher=row.get("publisher") or "",
                    url=row.get("url") or "",
                    date=row.get("date") or "",
                )
            )
        except ValueError as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            errors.append(f"{where}: {message}")
    return records, errors


def _clef_tsv(text: str, name: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = [h.strip().lower() for h in next(reader, [])]
    if len(header) < 2:
        raise FactCheckFileError(
            f"{name}:1: not ClaimReview JSON-LD, JSON Lines or a TSV with a header row "
            "(id, text[, title])"
        )
    records, errors = [], []
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) < 2:
                raise ValueError("expected id<TAB>text[<TAB>title], found one column")
            records.append(
                _record(
                    where,
                    external_id=f"clef:{row[0].strip()}" if row[0].strip() else "",
                    text=row[1],
                    title=row[2] if len(row) > 2 else "",
                )
            )
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
    return records, errors


def _claimreview(data, name: str):
    items = data if isinstance(data, list) else [data]
    reviews = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("@graph"), list):
            reviews.extend(item["@graph"])
        elif isinstance(item, dict) and isinstance(item.get("dataFeedElement"), list):
            for element in item["dataFeedElement"]:
                found = element.get("item") if isinstance(element, dict) else None
                reviews.extend(found if isinstance(found, list) else [found])
        else:
            reviews.append(item)
    records, errors = [], []
    for number, review in enumerate(reviews, 1):
        where = f"{name}: record {number}"
        try:
            if not isinstance(review, dict) or "ClaimReview" not in str(review.get("@type")):
                raise ValueError('not a ClaimReview object ("@type": "ClaimReview")')
            rating = review.get("reviewRating") or {}
            author = review.get("author") or {}
            records.append(
                _record(
                    where,
                    external_id=review.get("url") or review.get("@id"),
                    text=review.get("claimReviewed"),
                    title=review.get("headline") or review.get("name") or "",
                    rating=(rating.get("alternateName") or rating.get("name") or "")
                    if isinstance(rating, dict)
                    else "",
                    publisher=(author.get("name") or "") if isinstance(author, dict) else "",
                    url=review.get("url") or "",
                    date=review.get("datePublished") or "",
                )
            )
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
    return records, errors
