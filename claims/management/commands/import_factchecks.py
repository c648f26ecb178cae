"""manage.py import_factchecks FILE... — fact-checks into the archive of verdicts.

ClaimReview JSON-LD, JSON Lines or CLEF TSV (claims/services/factchecks.py). Re-running
on the same file changes nothing; bad records are listed with their line or record number
and skipped, the good ones kept.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.services.factchecks import FactCheckFileError, fact_checks_import


class Command(BaseCommand):
    help = "Import fact-checks (ClaimReview JSON-LD, JSON Lines, CLEF TSV) into the archive."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--no-encode",
            action="store_true",
            help="Store the records only; the next import without it computes their vectors.",
        )

    def handle(self, *args, files, no_encode=False, **options):
        imported = failed = 0
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{path}: cannot read: {exc.strerror or exc}")
                failed += 1
                continue
            try:
                report = fact_checks_import(data=data, name=str(path), encode=not no_encode)
            except FactCheckFileError as exc:
                self.stderr.write(str(exc))
                failed += 1
                continue
            for error in report.errors:
                self.stderr.write(f"skipped: {error}")
            self.stdout.write(f"{path}: {report}")
            imported += report.created + report.updated + report.unchanged
        if failed and not imported:
            raise CommandError("Nothing was imported.")
