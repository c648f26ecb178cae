"""Load on the desk as production serves it: gunicorn (gthread, 2 workers × 8 threads) on
PostgreSQL, many reviewers at once.

    .venv/bin/python bench/bench_load.py                       # 35,000 claims, 1/8/32 clients
    .venv/bin/python bench/bench_load.py --claims 5000 --seconds 2   # quicker
    BENCH_POSTGRES_URL=postgres://user@host:5432/postgres .venv/bin/python bench/bench_load.py

Bounded and loopback only: it creates a database of its own on the PostgreSQL server
(``nf_bench_load_<pid>``, dropped at the end), fills it (bench_dashboard.fill), starts
gunicorn on 127.0.0.1 on a free port, and for each request kind and each number of
clients runs the clients (threads, one keep-alive connection and one signed-in session
each) for --seconds. Every response is checked (status 200, and the htmx status change
must answer with its HX-Trigger); a failure is counted as an error, never retried.

  login page      GET /accounts/login/                 no database work: the floor
  queue           GET /                                 first page, with its counters
  deep page       GET /?after=<cursor half-way>         keyset page in the middle
  article page    GET /articles/<id>/                   an article and its 20 claims
  status change   POST /claims/<id>/status/ (htmx)      verified with a source, a fresh claim each

Prints requests/s and p50/p95/p99 latency per kind and client count, the same run's
login page as the baseline, and the server's CPU per request (gunicorn and the database's
backends, read from /proc): on a machine shared with other work the clock-time figures move
with that work, the CPU a request costs much less. Target (issue 16): queue ≥ 80
requests/s at 8 clients.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from machine_info import cpu_model

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"  # bench_dashboard.fill's reviewers
REVIEWERS = ("rita", "sam", "lena", "omar")
TARGET_QUEUE_RPS = 80


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(url: str):
    import psycopg

    connection = psycopg.connect(url, autocommit=True)
    return connection


def database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def configure(var_dir: Path, db_url: str, port: int) -> dict[str, str]:
    env = {
        "DATABASE_URL": db_url,
        "NEWSFACTS_VAR_DIR": str(var_dir),
        "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "NEWSFACTS_DEBUG": "0",
        "NEWSFACTS_SSL_REDIRECT": "0",
        "NEWSFACTS_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "NEWSFACTS_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "NEWSFACTS_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


# --- one client: a keep-alive connection and a session ----------------------------------


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, data

    def sign_in(self, username: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        response, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Referer": f"http://127.0.0.1:{self.port}/accounts/login/"},
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {username} failed: {response.status}")


def run_clients(clients: list[Client], action, seconds: float) -> tuple[list[float], int]:
    """Every client runs ``action(client)`` in a loop for ``seconds``; latencies, errors."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    start = threading.Barrier(len(clients) + 1)
    stop_at: list[float] = []

    def loop(index: int, client: Client) -> None:
        start.wait()
        while time.perf_counter() < stop_at[0]:
            clock = time.perf_counter()
            try:
                ok = action(client)
            except Exception:
                ok = False
            latencies[index].append(time.perf_counter() - clock)
            if not ok:
                errors[index] += 1

    threads = [threading.Thread(target=loop, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    return [x for per in latencies for x in per], sum(errors)


def server_cpu_seconds(gunicorn_pid: int, admin, database: str) -> float:
    """CPU seconds used so far by gunicorn (master and workers) and by the PostgreSQL
    backends serving the bench's database: what the server spent, whatever else the
    machine ran at the same time (other work on a shared machine slows the clock-time
    figures, not this one). A process that ended between two readings is not counted."""
    import psutil

    pids = [gunicorn_pid, *(child.pid for child in psutil.Process(gunicorn_pid).children())]
    pids += [
        pid
        for (pid,) in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchall()
    ]
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=35_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per kind and client count")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument(
        "--kinds",
        default="",
        help="only these request kinds (comma-separated prefixes, e.g. login,queue)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]

    server = os.getenv("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"nf_bench_load_{os.getpid()}"
    admin = admin_connection(server)
    admin.execute(f'CREATE DATABASE "{name}"')
    gunicorn = None
    try:
        port = free_port()
        var_dir = Path(tempfile.mkdtemp(prefix="newsfacts-bench-load-"))
        env = configure(var_dir, database_url(server, name), port)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_dashboard import fill, settle

        clock = time.perf_counter()
        fill(args.claims)
        fill_seconds = time.perf_counter() - clock
        settle(connection)  # VACUUM ANALYZE, as autovacuum would (bench_dashboard.settle)

        from claims import selectors
        from claims.models import Article, Claim

        total = Claim.objects.count()
        filters = selectors.ClaimFilters()
        middle = selectors.claim_list(filters=filters)[total // 2]
        deep_cursor = selectors._cursor_for(middle, selectors.KEYSET_FIELDS["-score"][0])
        article_ids = list(Article.objects.values_list("pk", flat=True))
        unreviewed = iter(
            Claim.objects.filter(status="unreviewed", version=1)
            .order_by("?")
            .values_list("pk", flat=True)
        )
        unreviewed_lock = threading.Lock()
        connection.close()

        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "newsfacts.wsgi",
                "--worker-class",
                "gthread",
                "--workers",
                "2",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                Client(port).request("GET", "/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)

        deep_path = "/?" + urllib.parse.urlencode({"after": deep_cursor})
        article_cycle = itertools.cycle(article_ids[:: max(1, len(article_ids) // 500)])
        cycle_lock = threading.Lock()

        def ok(response, data) -> bool:
            return response.status == 200

        def login_page(client: Client) -> bool:
            return ok(*client.request("GET", "/accounts/login/"))

        def queue(client: Client) -> bool:
            response, data = client.request("GET", "/")
            return response.status == 200 and b'data-count="verified"' in data

        def deep(client: Client) -> bool:
            response, data = client.request("GET", deep_path)
            return response.status == 200 and data.count(b'<tr id="claim-') == 50

        def article(client: Client) -> bool:
            with cycle_lock:
                pk = next(article_cycle)
            return ok(*client.request("GET", f"/articles/{pk}/"))

        def status_change(client: Client) -> bool:
            with unreviewed_lock:
                pk = next(unreviewed)
            body = urllib.parse.urlencode(
                {"status": "verified", "version": 1, "view": "panel",
                 "source_url": "https://stats.example.org/table-1", "source_title": "Table 1"}
            )  # fmt: skip
            response, _ = client.request(
                "POST",
                f"/claims/{pk}/status/",
                body,
                {"HX-Request": "true", "X-CSRFToken": client.cookies.get("csrftoken", "")},
            )
            return response.status == 200 and response.getheader("HX-Trigger") is not None

        kinds = {
            "login page": (login_page, False),
            "queue (first page)": (queue, True),
            "deep page (half-way)": (deep, True),
            "article page": (article, True),
            "status change (htmx)": (status_change, True),
        }
        if args.kinds:
            wanted = [prefix.strip() for prefix in args.kinds.split(",") if prefix.strip()]
            kinds = {
                label: kind
                for label, kind in kinds.items()
                if any(label.startswith(prefix) for prefix in wanted)
            }
        pool = []
        for n in range(max(counts)):
            client = Client(port)
            client.sign_in(REVIEWERS[n % len(REVIEWERS)])
            client.request("GET", "/")  # the csrftoken cookie
            pool.append(client)
        anonymous = [Client(port) for _ in range(max(counts))]
        for kind in kinds.values():  # warm-up: every worker's first requests
            run_clients(pool[:8], kind[0], 1.0)

        rows = []
        for clients in counts:
            for label, (action, signed_in) in kinds.items():
                chosen = (pool if signed_in else anonymous)[:clients]
                cpu_before = server_cpu_seconds(gunicorn.pid, admin, name)
                latencies, errors = run_clients(chosen, action, args.seconds)
                cpu = server_cpu_seconds(gunicorn.pid, admin, name) - cpu_before
                rows.append((label, clients, latencies, errors, cpu))
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    print(f"Command: .venv/bin/python bench/bench_load.py --claims {args.claims} "
          f"--seconds {args.seconds:g} --clients {args.clients}"
          + (f" --kinds {args.kinds}" if args.kinds else ""))  # fmt: skip
    print(
        f"Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; "
        f"Python {platform.python_version()}; PostgreSQL; gunicorn gthread 2 × 8 on loopback; "
        f"{total:,} claims (filled in {fill_seconds:.0f} s); {args.seconds:g} s per row; "
        "clients are threads of this process, on the same machine"
    )
    print()
    print(
        "| request | clients | requests | errors | req/s | × login | p50 ms | p95 ms | p99 ms "
        "| server CPU ms/request |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    baseline = {c: len(lat) / args.seconds for label, c, lat, *_ in rows if label == "login page"}
    queue_at_8 = None
    total_errors = 0
    for label, clients, latencies, errors, cpu in rows:
        rate = len(latencies) / args.seconds
        total_errors += errors
        if label.startswith("queue") and clients == 8:
            queue_at_8 = rate
        print(
            f"| {label} | {clients} | {len(latencies)} | {errors} | {rate:.0f} | "
            f"{rate / baseline[clients]:.2f} | {statistics.median(latencies) * 1000:.1f} | "
            f"{percentile(latencies, 0.95) * 1000:.1f} | "
            f"{percentile(latencies, 0.99) * 1000:.1f} | "
            f"{cpu / max(1, len(latencies)) * 1000:.1f} |"
        )
    print()
    if queue_at_8 is not None:
        verdict = "meets" if queue_at_8 >= TARGET_QUEUE_RPS else "MISSES"
        print(f"Queue at 8 clients: {queue_at_8:.0f} requests/s ({verdict} the "
              f"{TARGET_QUEUE_RPS}/s target); errors: {total_errors}")  # fmt: skip


if __name__ == "__main__":
    main()
