"""The database's own full-text index over claims and fact-checks: where match candidates
come from, so no worker keeps an index in memory and any number of them share one database.

- PostgreSQL: each table keeps its text's ``to_tsvector('english', ...)`` in a stored
  generated column (``search_vector``), with a GIN index over it; a search is an OR of the
  claim's words, ranked by ``ts_rank`` of the stored vector. (Until migration 0009 the index
  was over the expression, and ranking parsed the text of every matching row again: at a
  million claims that was most of a match's wall time.) Django's models do not declare the
  column; the database fills it on every insert and update, whatever the write path.
- SQLite (the embedded default): one FTS5 table per source table (its rowid is the row's
  id), kept in step by triggers, so every write path (admin, bulk_create, services) is
  indexed; ranked by FTS5's own BM25.

Both are created by migration 0006 (``create_fulltext``; 0009 moves PostgreSQL to the stored
column); ``search`` hides the difference.
On SQLite a migration that alters ``claims_claim`` or ``claims_factcheck`` remakes the table
and loses its triggers: such a migration must rebuild the index after it, as 0008 does.
"""

from __future__ import annotations

import re

from django.db import connection

from claims.matching.text import STOP_WORDS

# Only the rarest words of a claim are searched: common words would make the OR match
# most of the archive and cost the ranking for nothing.
MAX_QUERY_WORDS = 12
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

# PostgreSQL: the stored column holding each row's tsvector.
VECTOR = "search_vector"
# (table, FTS table, the indexed text as SQL over the row)
SOURCES = {
    "claim": ("claims_claim", "claims_claim_fts", "{row}.text"),
    "factcheck": (
        "claims_factcheck",
        "claims_factcheck_fts",
        "{row}.text || ' ' || {row}.title",
    ),
}


def create_fulltext(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, fts, expression in SOURCES.values():
        if vendor == "postgresql":
            document = expression.format(row=table)
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {document})) STORED"
            )
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_fts_idx ON {table} USING GIN ({VECTOR})"
            )
        elif vendor == "sqlite":
            new, old = expression.format(row="new"), expression.format(row="old")
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5(body, tokenize='porter unicode61')"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO {fts}(rowid, body) VALUES (new.id, {new}); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                f"DELETE FROM {fts} WHERE rowid = old.id; END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} "
                f"WHEN {new} IS NOT {old} BEGIN "
                f"DELETE FROM {fts} WHERE rowid = old.id; "
                f"INSERT INTO {fts}(rowid, body) VALUES (new.id, {new}); END"
            )
            schema_editor.execute(
                f"INSERT INTO {fts}(rowid, body) SELECT id, {expression.format(row=table)} "
                f"FROM {table}"
            )


def drop_fulltext(apps, schema_editor) -> None:
    """Drop the index (on PostgreSQL the stored column stays: re-adding it rewrites the
    table; ``drop_search_vectors`` removes it)."""
    vendor = schema_editor.connection.vendor
    for table, fts, _ in SOURCES.values():
        if vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_fts_idx")
        elif vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


def store_search_vectors(apps, schema_editor) -> None:
    """Migration 0009 on PostgreSQL: the expression index of 0006 becomes an index over a
    stored column (a no-op where the column and its index are already there)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _, _ in SOURCES.values():
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_fts_idx")
    create_fulltext(apps, schema_editor)


def drop_search_vectors(apps, schema_editor) -> None:
    """0009 backwards: the expression index as 0006 made it, and no stored column."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _, expression in SOURCES.values():
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_fts_idx")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {VECTOR}")
        schema_editor.execute(
            f"CREATE INDEX {table}_fts_idx ON {table} USING GIN "
            f"(to_tsvector('english'::regconfig, {expression.format(row=table)}))"
        )


def query_words(text: str, rarity: dict[str, int] | None = None) -> list[str]:
    """The words of ``text`` to search for: no stop words, rarest first when ``rarity``
    (word → documents) is given, at most MAX_QUERY_WORDS."""
    words = list(
        dict.fromkeys(
            w for w in (m.group().lower() for m in _WORD_RE.finditer(text)) if w not in STOP_WORDS
        )
    )
    if rarity:
        words.sort(key=lambda w: rarity.get(w, 0))
    return words[:MAX_QUERY_WORDS]


def search(source: str, words: list[str], *, limit: int) -> list[int]:
    """Ids of the rows of ``source`` ("claim" or "factcheck") that best match any of
    ``words``, best first."""
    if not words:
        return []
    table, fts, _ = SOURCES[source]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # plainto_tsquery per word: whatever punctuation a word holds, it stays a word.
            query = " || ".join(["plainto_tsquery('english'::regconfig, %s)"] * len(words))
            cursor.execute(
                f"SELECT id FROM {table}, ({'SELECT ' + query}) AS q(query) "
                f"WHERE {VECTOR} @@ q.query ORDER BY ts_rank({VECTOR}, q.query) DESC, id "
                f"LIMIT %s",
                [*words, limit],
            )
        elif connection.vendor == "sqlite":
            match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
            cursor.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY rank, rowid LIMIT %s",
                [match, limit],
            )
        else:
            return []
        return [row[0] for row in cursor.fetchall()]
