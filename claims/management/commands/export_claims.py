"""manage.py export_claims [filters] [-o FILE] — the dashboard's CSV export, offline."""

from __future__ import annotations

import contextlib
import functools
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims import exports, selectors
from claims.forms import ClaimFilterForm


class Command(BaseCommand):
    help = (
        "Export claims as CSV with the dashboard's filters (the same as "
        "/export/claims.csv). Links point at NEWSFACTS_BASE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument("--bom", action="store_true", help="Start with a UTF-8 BOM (Excel).")
        parser.add_argument(
            "--base-url",
            default=settings.NEWSFACTS_BASE_URL,
            help="Where the desk is served, for the claim links (default: %(default)s).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )
        for name, field in ClaimFilterForm.base_fields.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, help=f"Filter: {field.label or name}"
            )

    def handle(self, *args, output=None, bom=False, base_url="", no_progress=False, **options):
        query = {name: options[name] for name in ClaimFilterForm.base_fields if options.get(name)}
        query = self._assignee_by_name(query)
        form = ClaimFilterForm(query)
        # The dashboard quietly ignores a bad filter; a script must not export everything
        # because of a typo.
        if not form.is_valid():
            problems = "; ".join(
                f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in form.errors.items()
            )
            raise CommandError(f"Invalid filter: {problems}")
        claims = selectors.claims_for_export(filters=form.to_filters())
        show_progress = bool(output) and not no_progress and sys.stderr.isatty()
        with contextlib.ExitStack() as stack:
            if output:
                write = stack.enter_context(open(output, "w", encoding="utf-8", newline="")).write
            else:
                write = functools.partial(self.stdout.write, ending="")
            bar = stack.enter_context(
                tqdm(
                    total=claims.count() if show_progress else None,
                    unit=" claims",
                    disable=not show_progress,
                    file=sys.stderr,
                )
            )
            for text in exports.csv_chunks(claims, link_base=base_url, bom=bom, on_rows=bar.update):
                write(text)

    def _assignee_by_name(self, query: dict) -> dict:
        """--assignee takes a username too (the dashboard sends the user id)."""
        assignee = query.get("assignee", "")
        if not assignee or assignee.isdigit() or assignee == "none":
            return query
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: assignee})
        except User.DoesNotExist:
            raise CommandError(f"--assignee: no user called {assignee!r}") from None
        return {**query, "assignee": str(user.pk)}
