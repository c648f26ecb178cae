"""manage.py rundesk — what `make run` runs: the whole desk on one machine.

Starts the embedded Redis (unless REDIS_URL is set), migrates, creates the demo accounts,
imports the demo articles, then runs a Celery worker (with the job sweeper), a worker for
long articles and the web server until Ctrl-C, which stops everything this command started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from newsfacts import embedded_redis

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_articles"


class Command(BaseCommand):
    help = "Run NewsFacts locally: Redis, migrations, demo data, a Celery worker, the web server."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.getenv("PORT", "8000"))
        parser.add_argument(
            "--no-demo", action="store_true", help="Skip demo accounts and articles."
        )
        parser.add_argument("--concurrency", default=os.getenv("NEWSFACTS_WORKERS", "1"))

    def handle(self, *args, port, no_demo=False, concurrency="1", **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        children: list[subprocess.Popen] = []
        redis_process = None
        # Ctrl-C and SIGTERM both stop the desk cleanly, even when started from a script
        # that ignores SIGINT for its background jobs.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            if settings.EMBEDDED_REDIS:
                redis_process = embedded_redis.start(settings.EMBEDDED_REDIS_SOCKET)
                self.stdout.write(f"Redis: embedded, on {settings.EMBEDDED_REDIS_SOCKET}")
            else:
                self.stdout.write("Redis: REDIS_URL")
            call_command("migrate", interactive=False, verbosity=0)
            if not no_demo:
                call_command("create_demo_accounts")
                call_command("import_articles", str(DEMO_DIR), no_progress=True)
            python = sys.executable
            log_dir = settings.VAR_DIR
            children.append(
                subprocess.Popen(
                    [
                        python,
                        "-m",
                        "celery",
                        "-A",
                        "newsfacts",
                        "worker",
                        "--beat",
                        "--loglevel",
                        "INFO",
                        "--concurrency",
                        str(concurrency),
                        "--schedule",
                        str(log_dir / "celerybeat-schedule"),
                        "--queues",
                        "celery,web",
                    ]  # fmt: skip
                )
            )
            # Long articles have a worker of their own, so they never hold up the rest.
            children.append(
                subprocess.Popen(
                    [
                        python,
                        "-m",
                        "celery",
                        "-A",
                        "newsfacts",
                        "worker",
                        "--loglevel",
                        "INFO",
                        "--concurrency",
                        "1",
                        "--queues",
                        "long",
                        "--hostname",
                        "long@%h",
                    ]  # fmt: skip
                )
            )
            children.append(
                subprocess.Popen(
                    [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                    cwd=settings.BASE_DIR,
                )
            )
            self.stdout.write(
                self.style.SUCCESS(f"NewsFacts is up: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
            )
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            failed = [c.args[2] if len(c.args) > 2 else c.args for c in children if c.poll()]
            raise CommandError(f"A process of the desk stopped: {failed}")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping NewsFacts…")
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
            embedded_redis.stop(redis_process, settings.EMBEDDED_REDIS_SOCKET)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
