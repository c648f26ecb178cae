"""Corrections: who dismissed, restored, edited or added a claim, and the extraction kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_web_roles"),
    ]

    operations = [
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
    ]
