"""Fixtures for real services: Redis (embedded or REDIS_URL) and a real Celery worker.

On a laptop, a service that cannot be had skips the tests that need it; in CI (CI=true)
it fails them, so a green CI run means everything really ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate

from claims.models.verdicts import DEFAULT_SCALE, VerdictRating
from claims.permissions import ROLE_PERMISSIONS, VERDICT_ROLE_PERMISSIONS, WEB_ROLE_PERMISSIONS
from newsfacts import embedded_redis

IN_CI = os.getenv("CI", "").lower() in ("1", "true", "yes")


def create_roles(using: str = "default") -> None:
    for role, codenames in ROLE_PERMISSIONS.items():
        codenames = [
            *codenames,
            *WEB_ROLE_PERMISSIONS.get(role, []),
            *VERDICT_ROLE_PERMISSIONS.get(role, []),
        ]
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(
            Permission.objects.using(using).filter(
                content_type__app_label="claims", codename__in=codenames
            )
        )
    # The rating scale that migration 0006 seeds goes with a flush too.
    for name, value, order, description in DEFAULT_SCALE:
        VerdictRating.objects.using(using).get_or_create(
            name=name, defaults={"value": value, "order": order, "description": description}
        )


def _restore_roles_after_flush(sender, using="default", **kwargs) -> None:
    if sender.label == "claims":
        create_roles(using)


# A transactional test (every browser test) ends with a flush, which empties the role
# groups that migration 0002 made; the flush then sends post_migrate, so put them back
# there, for whichever transactional test  runs next.
post_migrate.connect(_restore_roles_after_flush, dispatch_uid="newsfacts-tests-restore-roles")


ROOT = Path(__file__).resolve().parent.parent


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI must run every test)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def static_files(django_db_blocker):
    """Pages are served as in production (hashed static names), so collect them once."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing costs ~0.3 s a password by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def redis_server():
    """A reachable Redis: the embedded one started for this run, or REDIS_URL's."""
    process = None
    if settings.EMBEDDED_REDIS:
        try:
            process = embedded_redis.start(settings.EMBEDDED_REDIS_SOCKET)
        except embedded_redis.EmbeddedRedisError as exc:
            unavailable(f"embedded Redis did not start: {exc}")
    else:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            unavailable(f"Redis at REDIS_URL is unreachable: {exc}")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    embedded_redis.stop(process, settings.EMBEDDED_REDIS_SOCKET)


def _database_url_for_worker() -> str:
    """The URL of the test database that this test process is using right now."""
    from django.db import connection

    data = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{data['NAME']}"
    if connection.vendor == "postgresql":
        auth = data["USER"] + (f":{data['PASSWORD']}" if data["PASSWORD"] else "")
        return (
            f"postgres://{auth}@{data['HOST'] or 'localhost'}:{data['PORT'] or 5432}/{data['NAME']}"
        )
    raise RuntimeError(f"no worker support for {connection.vendor}")


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_env(**overrides: str) -> dict[str, str]:
    """The environment of a process (worker, manage.py) on this test's database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "NEWSFACTS_VAR_DIR": str(settings.VAR_DIR),
    }
    if not settings.EMBEDDED_REDIS:
        env["REDIS_URL"] = settings.REDIS_URL
    return {**env, **overrides}


def start_worker(
    tmp_path: Path, *extra: str, env: dict[str, str] | None = None, broker_url: str = ""
) -> WorkerProcess:
    """Start a real worker; ``env`` adds to worker_env(), ``broker_url`` is where to ping
    it when that env points it at another Redis than this test process's."""
    from newsfacts.celery import app

    log = tmp_path / "worker.log"
    number = 1
    while log.exists():  # a second worker in one test keeps the first one's log
        number += 1
        log = tmp_path / f"worker-{number}.log"
    env = worker_env(**(env or {}))
    args = [
        sys.executable, "-m", "celery", "-A", "newsfacts", "worker",
        "--loglevel", "INFO", "--without-gossip", "--without-mingle", *extra,
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    worker = WorkerProcess(process, log)
    # The control client publishes through its app's producer pool: a worker on another
    # Redis is pinged by an app of its own.
    pinger = (
        Celery("newsfacts-ping", broker=broker_url, set_as_current=False) if broker_url else app
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited at start:\n{worker.output()[-3000:]}")
        if pinger.control.ping(timeout=0.5):
            return worker
    process.kill()
    pytest.fail(f"Celery worker did not answer within 60 s:\n{worker.output()[-3000:]}")


def stop_worker(worker: WorkerProcess) -> None:
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


@pytest.fixture
def celery_worker(redis_server, transactional_db, tmp_path):
    """A real Celery worker process, on the real Redis and this test's database."""
    worker = start_worker(tmp_path, "--pool", "solo")
    yield worker
    stop_worker(worker)


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
