# Joins the migrations of work done side by side after 0005 (uploads converted in the
# worker, reviewers' corrections, job leases and the status tally, ratings, speaker kind,
# the desk's memory). Each touches its own tables or fields, so their order does not
# matter, except for the triggers on claims_claim:
# - on SQLite, Django alters a table by building a new one and dropping the old, which
#   drops the triggers 0006_matching (full-text index) and 0007 (status tally) put on it,
#   whichever of the parallel migrations ran after them;
# - the tally must count only live claims, and a dismissed claim ("not a claim",
#   0006_corrections) is no longer live: it leaves the queue's counters like an orphan.
# So both are rebuilt here, after all of them, and the tally recounted.
from django.db import migrations

from claims import fulltext

LIVE_OLD = "NOT OLD.is_orphaned AND OLD.dismissed = ''"
LIVE_NEW = "NOT NEW.is_orphaned AND NEW.dismissed = ''"
CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.is_orphaned IS DISTINCT FROM "
    "NEW.is_orphaned OR OLD.dismissed IS DISTINCT FROM NEW.dismissed"
)
ADD = """
    INSERT INTO claims_claimstatustally (status, count) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET count = claims_claimstatustally.count + 1;
"""
SUBTRACT = "UPDATE claims_claimstatustally SET count = count - 1 WHERE status = OLD.status;"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION claims_tally_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') AND {LIVE_OLD} THEN {SUBTRACT} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND {LIVE_NEW} THEN {ADD} END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_tally_insert_delete AFTER INSERT OR DELETE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_tally_change()
    """,
    f"""
    CREATE TRIGGER claims_tally_update AFTER UPDATE OF status, is_orphaned, dismissed
    ON claims_claim FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION claims_tally_change()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS claims_tally_insert_delete ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_tally_update ON claims_claim",
]
SQLITE_CHANGED = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
SQLITE = [
    f"CREATE TRIGGER claims_tally_insert AFTER INSERT ON claims_claim WHEN {LIVE_NEW} "
    f"BEGIN {ADD} END",
    f"CREATE TRIGGER claims_tally_delete AFTER DELETE ON claims_claim WHEN {LIVE_OLD} "
    f"BEGIN {SUBTRACT} END",
    "CREATE TRIGGER claims_tally_update_old AFTER UPDATE OF status, is_orphaned, dismissed "
    f"ON claims_claim WHEN {LIVE_OLD} AND ({SQLITE_CHANGED}) BEGIN {SUBTRACT} END",
    "CREATE TRIGGER claims_tally_update_new AFTER UPDATE OF status, is_orphaned, dismissed "
    f"ON claims_claim WHEN {LIVE_NEW} AND ({SQLITE_CHANGED}) BEGIN {ADD} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS claims_tally_{name}"
    for name in ("insert", "delete", "update_old", "update_new")
]
RECOUNT = [
    "DELETE FROM claims_claimstatustally",
    "INSERT INTO claims_claimstatustally (status, count) SELECT status, COUNT(*) "
    "FROM claims_claim WHERE NOT is_orphaned AND dismissed = '' GROUP BY status",
]


def _run(schema_editor, statements) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rebuild_triggers(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    if not postgresql:
        fulltext.drop_fulltext(apps, schema_editor)
        fulltext.create_fulltext(apps, schema_editor)
    _run(schema_editor, POSTGRESQL_DROP if postgresql else SQLITE_DROP)
    _run(schema_editor, RECOUNT)
    _run(schema_editor, POSTGRESQL if postgresql else SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_html_uploads"),
        ("claims", "0006_corrections"),
        ("claims", "0006_verdict_ratings_comments"),
        ("claims", "0006_speaker_kind"),
        ("claims", "0006_matching"),
        ("claims", "0007_claim_status_tally"),
    ]

    operations = [migrations.RunPython(rebuild_triggers, migrations.RunPython.noop)]
