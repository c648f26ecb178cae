"""New rows of one model in one statement: ``bulk_create``, faster on PostgreSQL.

On PostgreSQL, Django's ``bulk_create`` prepares every value of every object (a ``Jsonb``
wrapper per JSON value) and psycopg then quotes each one into a text array in Python. For
an extraction batch (sixteen articles, a few thousand claims) that was most of the cost of
writing the claims, more than PostgreSQL's own work (docs/benchmarks.md, "Extraction
throughput, fifth pass"). Here the rows travel as one JSON document, written by the json
module's C encoder and taken apart by PostgreSQL's ``jsonb_to_recordset``. The values are
the ones ``bulk_create`` would write: each field's ``pre_save`` (``auto_now_add`` and the
like) and the object's attribute, no SQL-side defaults; the database checks them the same
way (types, lengths, constraints, triggers).

Other databases, and a model with a field this module does not know how to send, get
``bulk_create`` itself.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from django.db import connections, models, router

# Fields whose values go into JSON as they are (strings, numbers, booleans, None, and the
# JSON fields' own lists and dicts); datetimes are sent as ISO 8601. Anything else (a
# Decimal, a UUID, a date, a custom field) sends the model to bulk_create.
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
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    if (
        connection.vendor != "postgresql"
        or not isinstance(pk, models.AutoField)  # BigAutoField and SmallAutoField too
        or any(f.get_internal_type() not in (*_AS_IS, _DATETIME) for f in fields)
        or any(getattr(f, "generated", False) for f in fields)
        or any(obj.pk is not None for obj in objs)
    ):
        model._default_manager.db_manager(alias).bulk_create(objs, batch_size=batch_size)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {columns} "
        f"FROM jsonb_to_recordset(%s::jsonb) AS rows({record}) RETURNING {quote(pk.column)}"
    )
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        rows = [_row(obj, fields, connection) for obj in batch]
        # NaN and infinity are not JSON, nor is what a JSON field's own encoder would
        # write: bulk_create stores those as it always has.
        try:
            document = json.dumps(rows, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError):
            model._default_manager.db_manager(alias).bulk_create(batch)
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, [document])
            keys = [key for (key,) in cursor.fetchall()]
        # Rows come back in the order they were given, as bulk_create's own
        # INSERT ... SELECT FROM UNNEST relies on.
        for obj, key in zip(batch, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = alias


def _row(obj: models.Model, fields: list[models.Field], connection) -> dict:
    row = {}
    for field in fields:
        value = field.pre_save(obj, add=True)
        if isinstance(value, datetime.datetime):
            # Made aware in UTC as Django would (a naive one, with its warning).
            value = field.get_db_prep_save(value, connection).isoformat()
        row[field.column] = value
    return row
