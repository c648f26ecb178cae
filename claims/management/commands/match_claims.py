"""manage.py match_claims --archive FILE --queries FILE [--top K] — a TREC run, no database."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from claims.matching import cli
from claims.matching.records import RecordsError


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Rank an archive's claims for each query claim and print a TREC run "
        "(query_id Q0 doc_id rank score tag). Files: TSV with a header row "
        '(id, text[, title]) or JSON Lines ({"id", "text"[, "title"]}).'
    )
    requires_system_checks = []  # needs no database, so skip checks that touch one

    def add_arguments(self, parser):
        parser.add_argument("--archive", required=True, help="the claims to search")
        parser.add_argument("--queries", required=True, help="the claims to match")
        parser.add_argument(
            "--top", type=_positive, default=5, help="matches per query (default 5)"
        )
        parser.add_argument(
            "--threads", type=_positive, default=None, help="encoder threads (default: up to 4)"
        )

    def handle(self, *args, archive, queries, top, threads=None, **options):
        try:
            cli.run(archive, queries, top, self.stdout, threads or 0)
            self.stdout.flush()
        except RecordsError as exc:
            raise CommandError(str(exc)) from None
        except BrokenPipeError:
            # The reader stopped early (`| head`): not an error. Point stdout at devnull so
            # Python's flush at exit does not raise again (the recipe in Python's docs).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
