"""manage.py export_corrections [--since DATE] [--output FILE] [--texts DIR]

The desk's corrections (dismissals, edits, additions) as extraction gold, JSON Lines: one
line per corrected article, each a gold file of that article (claims/exports/corrections.py).
"""

from __future__ import annotations

import contextlib
import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from claims.exports.corrections import article_text, article_text_name, corrections_gold
from claims.models import Article


class Command(BaseCommand):
    help = (
        "Write the reviewers' corrections (dismissals, edits, additions) as JSON Lines of "
        "extraction gold, one line per article: {name: {claims, non_claims, corrections}}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="Only articles corrected on or after this date or time (ISO 8601, the "
            "desk's time zone unless it says otherwise).",
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--texts",
            help="Also write each article's text to this folder (article-<id>.txt), "
            "for the scorer's --texts.",
        )

    def handle(self, *args, since=None, output=None, texts=None, **options):
        since_at = _parse_since(since) if since else None
        texts_dir = Path(texts) if texts else None
        if texts_dir:
            texts_dir.mkdir(parents=True, exist_ok=True)
        count = 0
        with contextlib.ExitStack() as stack:
            if output:
                handle = stack.enter_context(open(output, "w", encoding="utf-8"))
                write = handle.write
            else:
                write = self.stdout.write
            for line in corrections_gold(since=since_at):
                write(json.dumps(line, ensure_ascii=False) + ("\n" if output else ""))
                count += 1
                if texts_dir:
                    spec = next(iter(line.values()))
                    article = Article.objects.get(pk=spec["article_id"])
                    path = texts_dir / article_text_name(article)
                    path.write_text(article_text(article), encoding="utf-8")
        if output:
            self.stderr.write(f"{count} corrected articles written to {output}")


def _parse_since(value: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--since {value!r}: write a date or time as ISO 8601, e.g. 2026-12-01 or "
            "2026-12-01T09:30."
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
