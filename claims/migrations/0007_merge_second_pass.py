# Joins the migrations of work done side by side after 0005 (uploads converted in the
# worker, reviewers' corrections, job leases, ratings, speaker kind, the desk's memory).
# Each touches its own tables or fields, so their order does not matter, except for one
# thing: on SQLite, Django alters a table by building a new one and dropping the old, which
# drops the full-text triggers 0006_matching put on claims_claim. The index is rebuilt here,
# after all of them (a no-op on PostgreSQL, whose GIN index survives such changes).
from django.db import migrations

from claims import fulltext


def rebuild_fulltext(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        fulltext.drop_fulltext(apps, schema_editor)
        fulltext.create_fulltext(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_html_uploads"),
        ("claims", "0006_corrections"),
        ("claims", "0006_job_lease_and_claim_cap"),
        ("claims", "0006_verdict_ratings_comments"),
        ("claims", "0006_speaker_kind"),
        ("claims", "0006_matching"),
    ]

    operations = [migrations.RunPython(rebuild_fulltext, migrations.RunPython.noop)]
