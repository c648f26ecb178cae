"""The desk's exports: claim status as CSV, and verdicts as ClaimReview JSON-LD.

- ``csv_export``: the CSV rows and their streamed text (the desk, the admin action and
  ``manage.py export_claims`` all write the same file).
- ``claimreview``: schema.org ClaimReview documents for verified and disputed claims.
- ``views``: the download URLs, under the dashboard's filters.

docs/exports.md describes every column and the rating scale.
"""

from __future__ import annotations

from claims.exports.csv_export import FIELDS, HEADER, csv_chunks
from claims.exports.views import csv_response

__all__ = ["FIELDS", "HEADER", "csv_chunks", "csv_response"]
