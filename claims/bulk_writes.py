"""Many rows of one model in one statement: ``bulk_create`` and ``bulk_update``, faster on
PostgreSQL.

On PostgreSQL, Django's ``bulk_create`` prepares every value of every object (a ``Jsonb``
wrapper per JSON value) and psycopg then quotes each one into a text array in Python;
``bulk_update`` builds a ``CASE WHEN`` expression per field and object. For an extraction
batch (sixteen articles, a few thousand claims) that was most of the cost of writing the
claims, more than PostgreSQL's own work (docs/benchmarks.md, "Extraction throughput, fifth
pass"). Here the rows travel as one JSON document, written by the json module's C encoder
and taken apart by PostgreSQL's ``jsonb_to_recordset``. The values are the ones Django
would write (for an insert, each field's ``pre_save``: ``auto_now_add`` and the like; no
SQL-side defaults), and the database checks them the same way (types, lengths,
constraints, triggers).

Other databases, and a model with a field this module does not know how to send, get
Django's own methods.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from django.db import connections, models, router

# Fields whose values go into JSON as they are (strings, numbers, booleans, None, and the
# JSON fields' own lists and dicts); datetimes are sent as ISO 8601. Anything else (a
# Decimal, a UUID, a date, a custom field) sends the model to Django's own methods.
_AS_IS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
    "FloatField", "ForeignKey", "IntegerField", "JSONField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip
_DATETIME = "DateTimeField"

# Rows per statement: bounds the JSON document (a claim row is about 1 KB).
BATCH_SIZE = 2000


def insert_all(objs: Sequence[models.Model], *, batch_size: int = BATCH_SIZE) -> None:
    """Insert ``objs`` (new instances of one model) and give each its primary key, like
    ``bulk_create(objs)``."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    connection = _json_connection(model, fields)
    if connection is None or any(obj.pk is not None for obj in objs):
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = ", ".join(quote(f.column) for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {columns} "
        f"FROM {_recordset(fields, connection)} RETURNING {quote(pk.column)}"
    )
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        document = _document([_row(obj, fields, connection, add=True) for obj in batch])
        if document is None:
            model._default_manager.bulk_create(batch)
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, [document])
            keys = [key for (key,) in cursor.fetchall()]
        # Rows come back in the order they were given, as bulk_create's own
        # INSERT ... SELECT FROM UNNEST relies on.
        for obj, key in zip(batch, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = connection.alias


def update_all(
    objs: Sequence[models.Model], field_names: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> None:
    """Write ``field_names`` of ``objs`` (saved instances of one model), like
    ``bulk_update(objs, field_names)``: the objects' values as they are, no ``pre_save``."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    connection = _json_connection(model, [meta.pk, *fields])
    if connection is None:
        model._default_manager.bulk_update(objs, field_names, batch_size=batch_size)
        return
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    assignments = ", ".join(f"{quote(f.column)} = rows.{quote(f.column)}" for f in fields)
    sql = (
        f"UPDATE {table} SET {assignments} FROM {_recordset([meta.pk, *fields], connection)} "
        f"WHERE {table}.{pk} = rows.{pk}"
    )
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        document = _document(
            [_row(obj, [meta.pk, *fields], connection, add=False) for obj in batch]
        )
        if document is None:
            model._default_manager.bulk_update(batch, field_names)
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, [document])


def _json_connection(model: type[models.Model], fields: list[models.Field]):
    """The model's database connection when its rows can travel as JSON, else None."""
    connection = connections[router.db_for_write(model)]
    if (
        connection.vendor != "postgresql"
        or not isinstance(model._meta.pk, models.AutoField)  # BigAutoField too
        or any(f.get_internal_type() not in (*_AS_IS, _DATETIME) for f in fields)
        or any(getattr(f, "generated", False) for f in fields)
    ):
        return None
    return connection


def _recordset(fields: list[models.Field], connection) -> str:
    quote = connection.ops.quote_name
    record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    return f"jsonb_to_recordset(%s::jsonb) AS rows({record})"


def _document(rows: list[dict]) -> str | None:
    """The rows as one JSON array; None when a value is not JSON (NaN, infinity, or what
    a JSON field's own encoder would write), for the caller to leave to Django."""
    try:
        return json.dumps(rows, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def _row(obj: models.Model, fields: list[models.Field], connection, *, add: bool) -> dict:
    row = {}
    for field in fields:
        value = field.pre_save(obj, add=True) if add else getattr(obj, field.attname)
        if isinstance(value, datetime.datetime):
            # Made aware in UTC as Django would (a naive one, with its warning).
            value = field.get_db_prep_save(value, connection).isoformat()
        row[field.column] = value
    return row
