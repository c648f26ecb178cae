"""Benchmark the CSV export: memory stays flat and speed keeps up with a bare csv.writer.

    .venv/bin/python bench/bench_export.py                       # SQLite, 10,000 and 1,000,000
    .venv/bin/python bench/bench_export.py --postgres            # PostgreSQL too (newsfacts_bench)
    .venv/bin/python bench/bench_export.py --sizes 10000 100000  # quicker

For each database and size, in fresh child processes (so each peak RSS is its own):
  bare     csv.writer over the same values_list(...).iterator(), nothing else
  command  manage.py export_claims -o FILE (called in the child, timed around the call)
  http     GET /export/claims.csv from a gunicorn worker, read in 64 KiB pieces
Peak RSS is the child's ru_maxrss (os.wait4) or the gunicorn worker's VmHWM. The database
grows from the small size to the large one, so both are measured on the same data set.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine_info import cpu_model

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "newsfacts_bench"
BATCH = 10_000
CLAIMS_PER_ARTICLE = 10
MODES = ("bare", "command", "http")


def child_env(database_url: str, var_dir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "NEWSFACTS_VAR_DIR": str(var_dir),
        "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "NEWSFACTS_DEBUG": "0",
        "NEWSFACTS_SSL_REDIRECT": "0",
        "NEWSFACTS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "NEWSFACTS_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
        "PYTHONPATH": str(ROOT),
    }


def run_child(args: list[str], env: dict) -> dict:
    """Run this script in child mode; return its JSON report plus its own peak RSS."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], env=env, cwd=ROOT, stdout=subprocess.PIPE
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"child {args} failed with {process.returncode}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    report["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return report


# --- child modes (run inside a Django process) ------------------------------------------


def _django():
    import django

    django.setup()


def _insert(model, rows: list[dict]) -> None:
    """Many rows in one executemany: bulk_create is held to 999 parameters per statement
    on SQLite (about 45 claims), which made a million claims take ten minutes."""
    from django.db import connection

    if not rows:
        return
    names = list(rows[0])
    # Raw SQL gets no Django defaults: fields this script does not fill (added since it was
    # written) take their model default, so the bench follows the schema.
    given = {model._meta.get_field(n).attname for n in names}
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if field.attname not in given
        and not field.primary_key
        and (field.has_default() or not field.null)
    }
    rows = [{**row, **defaults} for row in rows]
    names += list(defaults)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row[n] for n in names) for row in rows])


def _prep(model, field: str, value):
    from django.db import connection

    return model._meta.get_field(field).get_db_prep_save(value, connection)


def child_setup(target: int) -> dict:
    """Migrate, then add claims (a third with a source and a note) until there are ``target``.

    Ids are given explicitly, so sources and notes can point at claims without reading
    them back. Text is short; every column the export reads is filled.
    """
    _django()
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max

    from claims.models import Article, Claim, Source, StatusChange

    call_command("migrate", verbosity=0)
    User = get_user_model()
    users = list(User.objects.filter(username__startswith="bench").values_list("id", flat=True))
    if not users:
        created = [User.objects.create(username=f"bench{i}") for i in range(5)]
        created[0].groups.add(Group.objects.get(name="desk chief"))
        users = [u.pk for u in created]
    have = Claim.objects.count()
    next_article = (Article.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_claim = (Claim.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    rng = random.Random(have)
    now = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)
    stamp = _prep(Claim, "created_at", now)
    reviewed_stamp = _prep(Claim, "reviewed_at", now)
    published = _prep(Article, "published_date", datetime.date(2025, 12, 31))
    quantities = _prep(
        Claim, "quantities", [{"text": "more than 1,234 people", "value": 1234.0,
                               "qualifier": "more than", "unit": "people"}]
    )  # fmt: skip
    times = _prep(Claim, "times", [{"text": "on Monday", "value": "--05-27", "relation": "at"}])
    empty = _prep(Claim, "entities", [])
    started = time.perf_counter()
    while have < target:
        size = min(BATCH, target - have)
        n_articles = max(1, size // CLAIMS_PER_ARTICLE)
        articles = [
            {"id": next_article + i, "title": f"Wire report {next_article + i}",
             "body": "Officials said 1,234 people attended on Monday.",
             "outlet": rng.choice(["Reuters", "AFP", "AP", "BBC"]),
             "url": f"https://news.example/{next_article + i}", "dateline_place": "",
             "dateline_date": "", "published_date": published,
             "body_hash": f"bench-{next_article + i:058d}", "created_at": stamp,
             "updated_at": stamp}
            for i in range(n_articles)
        ]  # fmt: skip
        claims, sources, notes = [], [], []
        for i in range(size):
            claim_id = next_claim + i
            status = rng.choice(["unreviewed", "unreviewed", "sourced", "verified", "disputed"])
            reviewed = status != "unreviewed"
            claims.append(
                {"id": claim_id, "article": next_article + i % n_articles, "start": 0, "end": 48,
                 "text": f"Officials said {claim_id} people attended on Monday.",
                 "type": "statistic", "quantities": quantities, "times": times,
                 "speaker": rng.choice(["", "Ban Ki-moon", "the ministry"]), "cue": "said",
                 "entities": empty, "summary": f"{claim_id} people attended",
                 "score": rng.random(), "score_reasons": empty, "fingerprint": str(claim_id),
                 "is_orphaned": False, "status": status, "version": 1,
                 "assignee": rng.choice(users),
                 "reviewed_by": rng.choice(users) if reviewed else None,
                 "reviewed_at": reviewed_stamp if reviewed else None,
                 "created_at": stamp, "updated_at": stamp}
            )  # fmt: skip
            if reviewed and claim_id % 2:
                sources.append(
                    {"claim": claim_id, "url": f"https://data.example/{claim_id}", "title": "",
                     "is_counter": status == "disputed", "added_by": None, "added_at": stamp}
                )  # fmt: skip
                notes.append(
                    {"claim": claim_id, "changed_by": None, "changed_at": stamp,
                     "from_status": "unreviewed", "to_status": status,
                     "note": "Checked against the ministry's table"}
                )  # fmt: skip
        with transaction.atomic():
            _insert(Article, articles)
            _insert(Claim, claims)
            _insert(Source, sources)
            _insert(StatusChange, notes)
        next_article += n_articles
        next_claim += size
        have += size
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("claims_article", "claims_claim", "claims_source", "claims_statuschange"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"claims": have, "seconds": time.perf_counter() - started}


def child_session() -> dict:
    """A logged-in session for the desk chief, for the HTTP export."""
    _django()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="bench0")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"session": session.session_key}


def child_bare(output: str) -> dict:
    """The yardstick: the export's query, straight into csv.writer."""
    _django()
    import csv

    from claims import exports, selectors

    claims = selectors.claims_for_export()
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with open(output, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(exports.HEADER)
        for row in claims.values_list(*exports.FIELDS).iterator(chunk_size=2000):
            writer.writerow(row)
            rows += 1
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }


def child_command(output: str) -> dict:
    _django()
    from django.core.management import call_command

    started, cpu = time.perf_counter(), time.process_time()
    call_command("export_claims", "-o", output, "--no-progress")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with open(output, "rb") as fh:
        # Count b"\n", one byte: a b"\r\n" split across two reads would be missed (the
        # generated cells hold no line breaks, so every b"\n" ends a record).
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu}


# --- HTTP through gunicorn ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def measure_http(env: dict, session: str) -> dict:
    import psutil

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "newsfacts.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--worker-class", "gthread", "--threads", "2",
            "--timeout", "600", "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        workers = psutil.Process(server.pid).children()
        assert len(workers) == 1, workers
        worker = workers[0].pid
        # Warm the worker (imports, URLconf) so the idle figure is a real baseline.
        warm = http.client.HTTPConnection("127.0.0.1", port)
        warm.request("GET", "/export/claims.csv?status=nonsense&q=no-such-claim-anywhere",
                     headers={"Cookie": f"sessionid={session}"})  # fmt: skip
        warm.getresponse().read()
        idle = vm_hwm_mb(worker)
        cpu_before = sum(psutil.Process(worker).cpu_times()[:2])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.perf_counter()
        conn.request("GET", "/export/claims.csv", headers={"Cookie": f"sessionid={session}"})
        response = conn.getresponse()
        assert response.status == 200, response.status
        first_byte = time.perf_counter() - started
        rows, size, last = 0, 0, b""
        while chunk := response.read(1 << 16):
            rows += (last + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
            size += len(chunk)
            last = chunk[-1:]
        seconds = time.perf_counter() - started
        cpu = sum(psutil.Process(worker).cpu_times()[:2]) - cpu_before
        return {
            "cpu_seconds": cpu,
            "rows": rows - 1,
            "seconds": seconds,
            "first_byte_seconds": first_byte,
            "bytes": size,
            "peak_rss_mb": vm_hwm_mb(worker),
            "idle_rss_mb": idle,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- orchestration ------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute(sql)


def machine() -> str:
    return f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}"


def bench_database(name: str, database_url: str, sizes: list[int], work: Path) -> list[dict]:
    env = child_env(database_url, work / "var")
    results = []
    session = None
    for size in sorted(sizes):
        setup = run_child(["setup", str(size)], env)
        print(f"[{name}] {setup['claims']:,} claims ready (+{setup['seconds']:.0f} s)", flush=True)
        session = session or run_child(["session"], env)["session"]
        out = str(work / "export.csv")
        row = {"database": name, "claims": size}
        for mode in ("bare", "command"):
            report = run_child([mode, out], env)
            assert report["rows"] == size, (mode, report)
            row[mode] = report
            print(f"[{name}] {size:,} {mode}: {report['rows'] / report['seconds']:,.0f} rows/s, "
                  f"peak {report['peak_rss_mb']:.1f} MB", flush=True)  # fmt: skip
        os.unlink(out)
        report = measure_http(env, session)
        assert report["rows"] == size, report
        row["http"] = report
        print(f"[{name}] {size:,} http: {report['rows'] / report['seconds']:,.0f} rows/s, "
              f"worker peak {report['peak_rss_mb']:.1f} MB (idle {report['idle_rss_mb']:.1f})",
              flush=True)  # fmt: skip
        results.append(row)
    return results


def summarise(results: list[dict]) -> list[str]:
    lines = []
    by_db: dict[str, list[dict]] = {}
    for row in results:
        by_db.setdefault(row["database"], []).append(row)
    for db, rows in by_db.items():
        lines.append(f"\n{db}")
        lines.append(
            "| claims | bare rows/s | command rows/s | × bare | http rows/s | × bare "
            "| × bare, CPU (command / http) | bare peak MB | command peak MB "
            "| http worker peak MB |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            bare, cmd, web = (row[m]["rows"] / row[m]["seconds"] for m in MODES)
            cpu = {m: row[m]["rows"] / row[m]["cpu_seconds"] for m in MODES}
            lines.append(
                f"| {row['claims']:,} | {bare:,.0f} | {cmd:,.0f} | {cmd / bare:.2f} | {web:,.0f} "
                f"| {web / bare:.2f} | {cpu['command'] / cpu['bare']:.2f} / "
                f"{cpu['http'] / cpu['bare']:.2f} | {row['bare']['peak_rss_mb']:.1f} "
                f"| {row['command']['peak_rss_mb']:.1f} | {row['http']['peak_rss_mb']:.1f} |"
            )
        small, large = rows[0], rows[-1]
        for mode in MODES:
            ratio = large[mode]["peak_rss_mb"] / small[mode]["peak_rss_mb"]
            lines.append(
                f"- {mode}: peak RSS at {large['claims']:,} ÷ at {small['claims']:,} = {ratio:.2f}"
            )
    return lines


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        mode, *rest = sys.argv[2:]
        handlers = {
            "setup": lambda: child_setup(int(rest[0])),
            "session": child_session,
            "bare": lambda: child_bare(rest[0]),
            "command": lambda: child_command(rest[0]),
        }
        print(json.dumps(handlers[mode]()))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--postgres", action="store_true", help=f"also on PostgreSQL ({PG_BENCH_DB})")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--json", type=Path, help="write the raw figures here")
    args = ap.parse_args()
    print(machine(), flush=True)
    results = []
    work = Path(tempfile.mkdtemp(prefix="newsfacts-bench-"))
    try:
        if not args.no_sqlite:
            url = f"sqlite:///{work / 'bench.sqlite3'}"
            results += bench_database("SQLite", url, args.sizes, work)
        if args.postgres:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
            pg_admin(f"CREATE DATABASE {PG_BENCH_DB}")
            try:
                url = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
                results += bench_database("PostgreSQL", url, args.sizes, work)
            finally:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(summarise(results)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    self_usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench driver peak RSS {self_usage:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
