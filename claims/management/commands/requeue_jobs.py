"""manage.py requeue_jobs — resend extraction jobs that are stuck (the beat task does this too)."""

from django.core.management.base import BaseCommand

from claims import services


class Command(BaseCommand):
    help = "Resend queued jobs the broker never got, and running jobs whose worker died."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.jobs_requeue_stuck()} jobs sent to the broker.")
