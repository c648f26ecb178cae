"""Claims per status over the whole desk, kept exact by the database itself.

Counting every claim on each queue page was most of its cost (docs/benchmarks.md). This
table holds one row per status of live claims (neither orphaned nor dismissed); triggers
on the claims table (migrations 0007_claim_status_tally, rebuilt by 0008) move the counts
in the same statement, hence the same transaction, as every insert, delete and status,
orphan or dismissal change, whatever made it: the
services, the admin, a cascade. Concurrent changes add and subtract under the row's lock,
so the counts stay exact. On SQLite, Django rebuilds a table to alter it, which drops its
triggers: a migration that alters the claims table must create them again
(tests/test_status_tally.py fails if it does not).
"""

from __future__ import annotations

from django.db import models


class ClaimStatusTally(models.Model):
    status = models.CharField(max_length=10, primary_key=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "claim status tallies"

    def __str__(self) -> str:
        return f"{self.status}: {self.count}"
