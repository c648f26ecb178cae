# Cheaper claim inserts (docs/benchmarks.md, "Extraction throughput, fifth pass"):
# - On PostgreSQL, the status tally (0007, rebuilt by 0008) counts inserted and deleted
#   claims once per statement, from the statement's transition table, instead of one
#   upsert per row: an extraction batch inserts thousands of claims in one statement.
#   Updates keep their row trigger (a transition table cannot be limited to some columns).
#   SQLite has no statement triggers; its row triggers stay.
# - Three indexes no query needs go: claims by article (the unique (article, fingerprint)
#   index starts with it), by status (claim_status_counts_idx starts with it) and by
#   dismissal (two values that matter, never searched alone), with PostgreSQL's
#   varchar_pattern_ops copies of the last two (no LIKE runs on either).
# The indexes are dropped by name rather than by AlterField: on SQLite AlterField rebuilds
# the table, which would drop its triggers (tally and full-text) with it.
from django.db import migrations, models

LIVE = "NOT is_orphaned AND dismissed = ''"
POSTGRESQL = [
    "DROP TRIGGER IF EXISTS claims_tally_insert_delete ON claims_claim",
    f"""
    CREATE OR REPLACE FUNCTION claims_tally_inserted() RETURNS trigger AS $$
    BEGIN
        -- In status order, so concurrent inserts take the tally's row locks in one order.
        INSERT INTO claims_claimstatustally (status, count)
        SELECT status, COUNT(*) FROM inserted WHERE {LIVE} GROUP BY status ORDER BY status
        ON CONFLICT (status) DO UPDATE SET count = claims_claimstatustally.count + EXCLUDED.count;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION claims_tally_deleted() RETURNS trigger AS $$
    BEGIN
        UPDATE claims_claimstatustally AS tally SET count = tally.count - gone.n
        FROM (SELECT status, COUNT(*) AS n FROM deleted WHERE {LIVE} GROUP BY status) AS gone
        WHERE tally.status = gone.status;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_tally_insert AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION claims_tally_inserted()
    """,
    """
    CREATE TRIGGER claims_tally_delete AFTER DELETE ON claims_claim
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION claims_tally_deleted()
    """,
]
# Back to 0008's row trigger (its function, claims_tally_change, is still the update's).
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS claims_tally_insert ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_tally_delete ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_tally_inserted()",
    "DROP FUNCTION IF EXISTS claims_tally_deleted()",
    """
    CREATE TRIGGER claims_tally_insert_delete AFTER INSERT OR DELETE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_tally_change()
    """,
]
INDEXES = {  # name: (column, PostgreSQL only)
    "claims_claim_article_id_6731be49": ("article_id", False),
    "claims_claim_status_c8a1541f": ("status", False),
    "claims_claim_status_c8a1541f_like": ("status", True),
    "claims_claim_dismissed_7dbb380a": ("dismissed", False),
    "claims_claim_dismissed_7dbb380a_like": ("dismissed", True),
}


def _run(schema_editor, statements) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forwards(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, [f"DROP INDEX IF EXISTS {name}" for name in INDEXES])
    if postgresql:
        _run(schema_editor, POSTGRESQL)


def backwards(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    statements = []
    for name, (column, pg_only) in INDEXES.items():
        if not pg_only:
            statements.append(f"CREATE INDEX IF NOT EXISTS {name} ON claims_claim ({column})")
        elif postgresql:
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {name} ON claims_claim ({column} varchar_pattern_ops)"
            )
    _run(schema_editor, statements)
    if postgresql:
        _run(schema_editor, POSTGRESQL_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_stored_search_vectors"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="claim",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="claims",
                        to="claims.article",
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("unreviewed", "Unreviewed"),
                            ("sourced", "Sourced"),
                            ("disputed", "Disputed"),
                            ("verified", "Verified"),
                        ],
                        default="unreviewed",
                        max_length=10,
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="dismissed",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("opinion", "Opinion"),
                            ("not_checkable", "Not checkable"),
                            ("duplicate", "Duplicate"),
                            ("extraction_error", "Extraction error"),
                        ],
                        max_length=16,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
