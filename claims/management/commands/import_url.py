"""manage.py import_url URL... — the admin's import by URL, from the command line.

Each page is fetched, read and imported here and now, within the desk's fetching bounds,
with one line per URL saying what became of it. A page that failed for a reason that may
pass (a timeout, a server error) stays recorded and the desk's beat tries it again.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.models import PageImport


class Command(BaseCommand):
    help = "Import articles from web pages: fetch each URL, keep its article text, queue it."

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="+")
        parser.add_argument("--user", help="Username to record as the importer.")

    def handle(self, *args, urls, user=None, **options):
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        recorded, refused = services.page_imports_create(
            urls=urls, requested_by=importer, send=False
        )
        for url, reason in refused:
            self.stderr.write(f"refused: {url}: {reason}")
        ended = [services.page_import_run(page_id=page.pk) or page for page in recorded]
        for page in ended:
            if page.state == PageImport.State.IMPORTED:
                self.stdout.write(f"imported: {page.url} as article {page.article_id}")
            elif page.state == PageImport.State.DUPLICATE:
                self.stdout.write(f"duplicate: {page.url} is already article {page.article_id}")
            elif page.state == PageImport.State.PENDING:
                self.stderr.write(f"will retry: {page.url}: {page.error}")
            else:
                self.stderr.write(f"failed: {page.url}: {page.error}")
        imported = sum(page.state == PageImport.State.IMPORTED for page in ended)
        duplicates = sum(page.state == PageImport.State.DUPLICATE for page in ended)
        failed = len(ended) - imported - duplicates + len(refused)
        self.stdout.write(f"{imported} imported, {duplicates} already stored, {failed} not")
        if failed and not imported:
            raise CommandError("Nothing was imported.")
