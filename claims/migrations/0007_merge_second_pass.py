# Joins the migrations of work done side by side after 0005 (uploads converted in the
# worker, reviewers' corrections, ...): each touches its own tables or fields, so their
# order does not matter.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_html_uploads"),
        ("claims", "0006_corrections"),
        ("claims", "0006_job_lease_and_claim_cap"),
        ("claims", "0006_verdict_ratings_comments"),
        ("claims", "0006_speaker_kind"),
    ]

    operations = []
