"""manage.py extract_claims PATH... [--docs-jsonl FILE] — claims as JSON Lines, no database."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.extraction import cli


class Command(BaseCommand):
    help = "Print the claims found in text files (or a JSONL of {id, text}) as JSON Lines."
    requires_system_checks = []  # needs no database, so skip checks that touch one

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*")
        parser.add_argument("--docs-jsonl", help='A JSONL file of {"id", "text"} documents.')
        parser.add_argument("--model", default=None, help="spaCy pipeline (default: setting).")

    def handle(self, *args, paths, docs_jsonl=None, model=None, **options):
        if not paths and not docs_jsonl:
            raise CommandError("Give one or more article files, or --docs-jsonl FILE.")
        try:
            status = cli.run(
                paths, docs_jsonl, model or settings.NEWSFACTS_SPACY_MODEL, self.stdout
            )
        except BrokenPipeError:
            # The reader stopped early (`| head`): not an error. Point stdout at devnull so
            # Python's flush at exit does not raise again (the recipe in Python's docs).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        if status:
            raise CommandError("Some inputs could not be read or extracted (see above).")
