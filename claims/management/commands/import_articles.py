"""manage.py import_articles PATH... — the admin's bulk import, from the command line."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims import services
from claims.uploads import ALLOWED_SUFFIXES, UploadError, read_upload


class Command(BaseCommand):
    help = "Import articles from .txt/.md/.html files, JSONL files, or directories of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--user", help="Username to record as the uploader.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, paths, user=None, no_progress=False, **options):
        uploader = None
        if user:
            try:
                uploader = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        files = list(_expand(paths))
        if not files:
            raise CommandError("No importable files (.txt, .md, .html, .jsonl) in those paths.")
        uploads, refused = [], []
        for path in files:
            try:
                uploads.extend(read_upload(path.name, path.read_bytes()))
            except (UploadError, OSError) as exc:
                refused.append((str(path), str(exc)))
        with tqdm(total=len(uploads), unit="article", disable=no_progress or None) as bar:
            report = services.articles_import(
                uploads=uploads, uploaded_by=uploader, on_progress=lambda _: bar.update()
            )
        report.errors[:0] = refused
        for name, existing in report.duplicates:
            self.stdout.write(f"duplicate: {name} is already article {existing.pk}")
        for name, error in report.errors:
            self.stderr.write(f"refused: {name}: {error}")
        self.stdout.write(report.summary())
        if report.errors and not report.created:
            raise CommandError("Nothing was imported.")


def _expand(paths):
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in ALLOWED_SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise CommandError(f"{path} does not exist.")
