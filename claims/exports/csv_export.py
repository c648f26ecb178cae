"""CSV export of claim status: streamed, formula-safe, a few queries per chunk, none per row.

The rows come from one query over the claims (the dashboard's selector, in its sort order),
read with ``.iterator()``: a server-side cursor on PostgreSQL, lazy ``fetchmany`` steps of
the sqlite3 cursor on SQLite. Every ``chunk_size`` rows, the chunk's sources and notes are
fetched in one query each (by claim id), the chunk is written to a string and handed on.
So memory holds one chunk at a time, whatever the number of claims.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from claims.formatting import format_quantities
from claims.models import Claim, Source, StatusChange

# Header row, in order. docs/exports.md describes every column; keep the two in step.
HEADER = [
    "claim_id",
    "article_title",
    "outlet",
    "article_url",
    "published_date",
    "claim_text",
    "summary",
    "type",
    "score",
    "speaker",
    "speaker_kind",
    "quantities",
    "quantity_values",
    "times",
    "status",
    "rating",
    "rating_value",
    "rating_explanation",
    "assignee",
    "last_reviewer",
    "reviewed_at",
    "sources",
    "counter_sources",
    "latest_note",
    "claim_link",
]

_USERNAME = get_user_model().USERNAME_FIELD
# What the claims query reads; positions are used by _row below.
FIELDS = [
    "id",
    "article_id",
    "article__title",
    "article__outlet",
    "article__url",
    "article__published_date",
    "text",
    "summary",
    "type",
    "score",
    "speaker",
    "speaker_kind",
    "quantities",
    "times",
    "status",
    f"assignee__{_USERNAME}",
    f"reviewed_by__{_USERNAME}",
    "reviewed_at",
    "verdict__rating__name",
    "verdict__rating__value",
    "verdict__explanation",
]

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Several sources in one cell: one per line (a URL never contains a line break).
LIST_SEPARATOR = "\n"

CHUNK_SIZE = 2000


def safe_cell(value: str | None) -> str | None:
    """Neutralise a cell a spreadsheet would run as a formula: prefix it with a quote.

    The quote makes Excel, LibreOffice and Google Sheets show the cell as text; the
    content after it is unchanged, so nothing is lost.
    """
    if value and value[0] in FORMULA_PREFIXES:  # None and "" pass through
        return "'" + value
    return value


def _number(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def format_quantity_values(quantities: list[dict] | None) -> str:
    """The normalised figures, raw: "more than 80000 people; 3.4 percent; 310000000 USD"."""
    if not quantities:
        return ""
    parts = []
    for q in quantities:
        if q.get("value") is not None:
            figure = _number(q["value"])
        elif q.get("low") is not None or q.get("high") is not None:
            figure = f"{_number(q.get('low'))} to {_number(q.get('high'))}".strip()
        else:
            figure = q.get("text") or ""
        parts.append(" ".join(p for p in (q.get("qualifier"), figure, q.get("unit")) if p))
    return "; ".join(parts)


def format_times(times: list[dict] | None) -> str:
    """The normalised times: "since 2011-03; at 2013-05-28" (the text when unresolved)."""
    if not times:
        return ""
    return "; ".join(
        f"{t.get('relation') or 'at'} {t.get('value') or t.get('text') or ''}".strip()
        for t in times
    )


def claim_link_prefix() -> tuple[str, str]:
    """The claim page's path around the article id: ("/articles/", "/")."""
    marker = "987654321"
    head, tail = reverse("claims-article", args=[int(marker)]).split(marker)
    return head, tail


def claim_link(link_head: str, tail: str, article_id: int, claim_id: int) -> str:
    """The article page with the claim selected (its panel open) and scrolled to:
    ``<base>/articles/<article id>/?claim=<id>#claim-<id>`` (Claim.get_absolute_url)."""
    return f"{link_head}{article_id}{tail}?claim={claim_id}#claim-{claim_id}"


# Plain SQL on purpose: Django prepares each value of an ``__in`` list in Python, which cost
# three times the query itself for 2,000 ids, and the export runs these once per chunk.
# PostgreSQL gets the ids as one array parameter (= ANY), 4x cheaper than 2,000 parameters.
# Rows come in the order they were added (ids grow with added_at/changed_at); ordering by
# (claim_id, id) reads straight from the claim_id index, with no sort.
SOURCES_SQL = (
    "SELECT claim_id, url, title, is_counter FROM {table} WHERE claim_id {ids} "
    "ORDER BY claim_id, id"
)
# Oldest first, so the last note read per claim is its latest.
NOTES_SQL = (
    "SELECT claim_id, note FROM {table} WHERE claim_id {ids} AND note <> '' ORDER BY claim_id, id"
)


def _select_for_claims(sql: str, model, ids: Sequence[int]) -> list[tuple]:
    if connection.vendor == "postgresql":
        match, params = "= ANY(%s)", [list(ids)]
    else:
        match, params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=model._meta.db_table, ids=match), params)
        return cursor.fetchall()


def _chunk_extras(ids: Sequence[int]) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Cells for sources, counter-sources and latest note of these claims, by claim id.

    Two queries per batch of ids; claims with none are simply absent.
    """
    sources: dict[int, list[str]] = defaultdict(list)
    counters: dict[int, list[str]] = defaultdict(list)
    notes: dict[int, str] = {}
    # SQLite builds may cap query parameters at 999; PostgreSQL has no such cap.
    step = connection.features.max_query_params or len(ids) or 1
    for start in range(0, len(ids), step):
        batch = ids[start : start + step]
        for claim_id, url, title, is_counter in _select_for_claims(SOURCES_SQL, Source, batch):
            (counters if is_counter else sources)[claim_id].append(url or title)
        notes.update(_select_for_claims(NOTES_SQL, StatusChange, batch))
    return (
        {claim_id: safe_cell(LIST_SEPARATOR.join(urls)) for claim_id, urls in sources.items()},
        {claim_id: safe_cell(LIST_SEPARATOR.join(urls)) for claim_id, urls in counters.items()},
        {claim_id: safe_cell(note) for claim_id, note in notes.items()},
    )


def claim_row_chunks(
    claims: QuerySet[Claim], *, link_base: str, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[list]]:
    """The CSV rows (no header) of these claims, in the queryset's order, chunk by chunk.

    Cells are strings, except ids, dates and None, which csv.writer turns into "123",
    "2013-05-28" and "".
    """
    tz = timezone.get_current_timezone()
    head, tail = claim_link_prefix()
    link_head = link_base.rstrip("/") + head
    rows = claims.values_list(*FIELDS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        sources, counters, notes = _chunk_extras([row[0] for row in chunk])
        out = []
        for (
            claim_id, article_id, title, outlet, url, published, text, summary, type_,
            score, speaker, speaker_kind, quantities, times, status, assignee, reviewer,
            reviewed_at, rating, rating_value, rating_explanation,
        ) in chunk:  # fmt: skip
            out.append(
                [
                    claim_id,  # ints, dates and None: csv.writer formats them in C
                    safe_cell(title),
                    safe_cell(outlet),
                    safe_cell(url),
                    published,
                    safe_cell(text),
                    safe_cell(summary),
                    type_,
                    f"{score:.3f}",
                    safe_cell(speaker),
                    speaker_kind,
                    safe_cell(format_quantities(quantities)),  # as a reader writes them
                    safe_cell(format_quantity_values(quantities)),
                    safe_cell(format_times(times)),
                    status,
                    safe_cell(rating),
                    rating_value,
                    safe_cell(rating_explanation),
                    safe_cell(assignee),
                    safe_cell(reviewer),
                    # "2024-03-01 09:30:15": a date-time that spreadsheets recognise
                    reviewed_at.astimezone(tz).isoformat(" ", "seconds")[:19]
                    if reviewed_at
                    else "",
                    sources.get(claim_id, ""),
                    counters.get(claim_id, ""),
                    notes.get(claim_id, ""),
                    claim_link(link_head, tail, article_id, claim_id),
                ]
            )
        yield out


def csv_chunks(
    claims: QuerySet[Claim],
    *,
    link_base: str,
    bom: bool = False,
    chunk_size: int = CHUNK_SIZE,
    on_rows: Callable[[int], object] | None = None,
) -> Iterator[str]:
    """The CSV text (RFC 4180: CRLF, quotes doubled), one string per chunk of rows.

    ``bom`` starts the file with U+FEFF, so that Excel reads it as UTF-8. ``on_rows`` is
    called with the number of rows in each chunk (a progress bar).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the "excel" dialect: RFC 4180 with CRLF line ends
    writer.writerow(HEADER)
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    for rows in claim_row_chunks(claims, link_base=link_base, chunk_size=chunk_size):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        yield buffer.getvalue()
        if on_rows:
            on_rows(len(rows))
