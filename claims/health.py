"""GET /healthz: is the database, the broker and at least one worker reachable?

Anyone (a load balancer, a monitor) gets the status code and up/down per part; signed-in
staff also get timings, error messages and the names of the workers that answered.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from newsfacts.celery import app as celery_app


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:  # a health check reports failures, it never raises them
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


def _workers() -> dict:
    # One answer is enough to call the workers reachable; don't wait out the timeout.
    replies = celery_app.control.ping(timeout=2.0, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return {"answered": [name for reply in replies for name in reply]}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(_database), "broker": _check(_broker)}
    # Asking workers goes through the broker: skip it when the broker is down.
    checks["worker"] = (
        _check(_workers) if checks["broker"]["ok"] else {"ok": False, "error": "broker down"}
    )
    healthy = all(check["ok"] for check in checks.values())
    if not _sees_details(request):
        # Error strings name hosts, sockets and versions; worker names are host names.
        checks = {name: {"ok": check["ok"]} for name, check in checks.items()}
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)


def _sees_details(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)
