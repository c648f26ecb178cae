"""Benchmark the API's claim list deep in 100,000 claims, against the queue page.

    .venv/bin/python bench/bench_api.py                  # 100,000 claims, SQLite
    .venv/bin/python bench/bench_api.py --claims 20000   # quicker
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_api.py

The same fresh database as bench_dashboard.py (its fill: 5,000 articles, 100,000 claims,
production settings). Whole requests through Django's test client: the queue page as a
signed-in reviewer (the baseline, measured in the same rounds) and GET /api/v1/claims
with the same reviewer's read token (token check, throttle count in Redis, permission, the
queue's own selector and keyset page, JSON), 50 claims a page, first page and deep pages.
Each figure is the median of --repeat rounds; in each round every case runs once, in turn.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from bench_dashboard import configure, fill, timed_rounds
from machine_info import cpu_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="newsfacts-bench-api-"))
    configure(var_dir)
    os.environ["NEWSFACTS_API_THROTTLE"] = "1000000/min"  # measure the counting, not refusals
    from django.conf import settings
    from django.core.management import call_command

    from newsfacts import embedded_redis

    redis_process = None
    if settings.EMBEDDED_REDIS:
        redis_process = embedded_redis.start(settings.EMBEDDED_REDIS_SOCKET)
    settings.NEWSFACTS_API_THROTTLE = "1000000/min"
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        clock = time.perf_counter()
        fill(args.claims)
        fill_seconds = time.perf_counter() - clock
        results, total, vendor = measure(args.repeat)
    finally:
        if redis_process:
            embedded_redis.stop(redis_process, settings.EMBEDDED_REDIS_SOCKET)

    queue, api_first = results["queue page, first (HTML)"], results["API, first page"]
    print(f"Command: .venv/bin/python bench/bench_api.py --claims {args.claims}")
    print(
        f"Machine: nproc {len(os.sched_getaffinity(0))}, {cpu_model()}; Python "
        f"{platform.python_version()}; {vendor}; {total:,} claims (filled in "
        f"{fill_seconds:.0f} s); median of {args.repeat}"
    )
    print()
    print("| request | median ms | ratio |")
    print("| --- | ---: | --- |")
    for name, seconds in results.items():
        if name.startswith("API, deep"):
            ratio = f"{seconds / api_first:.2f} × API first page, "
            ratio += f"{seconds / queue:.2f} × queue page"
        elif name.startswith("API"):
            ratio = f"{seconds / queue:.2f} × queue page"
        elif name.startswith("queue page, deep"):
            ratio = f"{seconds / queue:.2f} × queue first page"
        else:
            ratio = ""
        print(f"| {name} | {seconds * 1000:.1f} | {ratio} |")


def measure(repeat: int) -> tuple[dict[str, float], int, str]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from claims import selectors, services
    from claims.models import Claim

    rita = get_user_model().objects.get(username="rita")
    reviewer = Client()
    reviewer.force_login(rita)
    raw = services.api_token_create(user=rita, name="bench", scope="read")[1]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    total = Claim.objects.count()

    def cursor_at(position: int) -> str:
        claim = selectors.claim_list(filters=selectors.ClaimFilters())[position - 1]
        return selectors._cursor_for(claim, "score")

    def get(client, url: str, params: dict | None = None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        return response

    half, end = cursor_at(total // 2), cursor_at(total - 50)
    assert len(get(api, "/api/v1/claims", {"after": half}).json()["items"]) == 50
    cases = {
        "queue page, first (HTML)": lambda: get(reviewer, "/"),
        "queue page, deep half-way (HTML)": lambda: get(reviewer, "/", {"after": half}),
        "API, first page": lambda: get(api, "/api/v1/claims"),
        "API, deep half-way (claim 50,000)": lambda: get(api, "/api/v1/claims", {"after": half}),
        "API, deep at the end": lambda: get(api, "/api/v1/claims", {"after": end}),
        "API, deep half-way, status=unreviewed": lambda: get(
            api, "/api/v1/claims", {"after": half, "status": "unreviewed"}
        ),
    }
    return timed_rounds(cases, repeat), total, connection.vendor


if __name__ == "__main__":
    main()
