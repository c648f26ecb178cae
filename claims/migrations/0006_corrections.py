"""Corrections: who dismissed, restored, edited or added a claim, and the extraction kept."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_web_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_status_live_idx",
        ),
        migrations.AddField(
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
                db_index=True,
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="machine",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="claim",
            name="origin",
            field=models.CharField(
                choices=[("machine", "Extraction"), ("reviewer", "Reviewer")],
                default="machine",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="action",
            field=models.CharField(
                choices=[
                    ("status", "Status change"),
                    ("dismissed", "Dismissed"),
                    ("restored", "Restored"),
                    ("edited", "Edited"),
                    ("added", "Added"),
                ],
                default="status",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="detail",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["status", "is_orphaned", "dismissed"], name="claim_status_counts_idx"
            ),
        ),
    ]
