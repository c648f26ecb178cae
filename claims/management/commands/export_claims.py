"""manage.py export_claims [filters] [-o FILE] — the dashboard's CSV export, offline."""

from __future__ import annotations

import contextlib
import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from claims import exports, selectors
from claims.forms import ClaimFilterForm


class Command(BaseCommand):
    help = "Export claims as CSV with the dashboard's filters."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument("--bom", action="store_true", help="Start with a UTF-8 BOM (Excel).")
        for name in ClaimFilterForm.base_fields:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args, output=None, bom=False, **options):
        query = {name: options[name] for name in ClaimFilterForm.base_fields if options.get(name)}
        claims = selectors.claim_list(filters=ClaimFilterForm(query).to_filters())
        show_progress = bool(output) and sys.stderr.isatty()
        with contextlib.ExitStack() as stack:
            stream = (
                stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                if output
                else sys.stdout
            )
            total = claims.count() if show_progress else None
            bar = stack.enter_context(tqdm(total=total, unit="claim", disable=not show_progress))
            for line in exports.csv_lines(claims, bom=bom):
                stream.write(line)
                bar.update()
