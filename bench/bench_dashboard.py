"""Benchmark the reviewer dashboard at 100,000 claims: deep pages cost what the first costs.

    .venv/bin/python bench/bench_dashboard.py                  # 100,000 claims, SQLite
    .venv/bin/python bench/bench_dashboard.py --claims 20000   # quicker
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_dashboard.py   # another database

Builds a fresh database in a temporary folder (production settings, debug off), fills it
with articles and claims, then times whole requests through Django's test client (every
middleware, the views, the templates) as a signed-in reviewer:

  first page     GET /                         the queue's first 50 claims (by score)
  deep page      GET /?after=<cursor>          50 claims half-way and at the very end
  by date        the same two with sort=-date  (the other keyset index)
  offset page    the same deep page as OFFSET would fetch it (queryset only, for contrast)
  status change  POST /claims/<id>/status/     htmx: verified with a source, a new claim each time
  plain GET      GET /accounts/login/          a page with no database work: the floor

Each figure is the median of --repeat rounds after a warm-up; in each round every case
runs once, in turn. The target (docs/product.md): a
page deep in 100,000 claims costs at most 1.5 x the first page.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import cpu_model

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_PER_ARTICLE = 20
TARGET = 1.5


def configure(var_dir: Path) -> None:
    os.environ.update(
        {
            "NEWSFACTS_VAR_DIR": str(var_dir),
            "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "NEWSFACTS_DEBUG": "0",
            "NEWSFACTS_SSL_REDIRECT": "0",
            "NEWSFACTS_ALLOWED_HOSTS": "testserver",
            "NEWSFACTS_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(total: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from claims.models import Article, Claim

    rng = random.Random(20131)
    User = get_user_model()
    reviewers = []
    for name in ("rita", "sam", "lena", "omar"):
        user = User.objects.create_user(name, password="bench-password-123")
        user.groups.add(Group.objects.get(name="reviewer"))
        reviewers.append(user)
    outlets = ["Coastal Wire", "Meridian News", "Northline Press", "Reuters", "AFP", "AP"]
    statuses = ["unreviewed"] * 7 + ["sourced", "disputed", "verified"]
    types = [choice for choice, _ in Claim.Type.choices]
    articles = total // CLAIMS_PER_ARTICLE
    with transaction.atomic():
        Article.objects.bulk_create(
            [
                Article(
                    title=f"Wire story {n}",
                    body="Officials said 1,000 people attended. " * 40,
                    outlet=rng.choice(outlets),
                    body_hash=f"{n:064d}",
                )
                for n in range(articles)
            ],
            batch_size=2000,
        )
        article_ids = list(Article.objects.values_list("pk", flat=True))
        batch = []
        for n in range(total):
            batch.append(
                Claim(
                    article_id=article_ids[n // CLAIMS_PER_ARTICLE],
                    start=0,
                    end=37,
                    text=f"Officials said {n:,} people attended the rally on Monday.",
                    summary=f"{n:,} people attended",
                    type=rng.choice(types),
                    speaker=rng.choice(["Officials", "Minister Vask", "the ministry", ""]),
                    score=round(rng.random(), 4),
                    status=rng.choice(statuses),
                    assignee=rng.choice([None, *reviewers]),
                    fingerprint=f"fp-{n}",
                )
            )
            if len(batch) == 10_000:
                Claim.objects.bulk_create(batch)
                batch = []
        Claim.objects.bulk_create(batch)
        # Spread creation times over a year (bulk_create stamps them all "now").
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "UPDATE claims_claim SET created_at = "
                    "strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || (id * 311) || ' seconds')"
                )
            else:
                cursor.execute(
                    "UPDATE claims_claim SET created_at = "
                    "timestamp with time zone '2026-01-01' + id * 311 * interval '1 second'"
                )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def settle(connection) -> None:
    """What a live database's autovacuum does after a fill, done now: statistics for the
    planner, and the dead rows of the fill gone. The fill leaves them: every claim's
    created_at rewritten once, and the status tally's four rows (kept by triggers) updated
    once per claim inside one transaction, 2,500 dead versions behind them, which the
    counters' query then walked on every page. The benchmarks' PostgreSQL server runs with
    autovacuum off, so without this they would measure a database production never has."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def timed_rounds(cases: dict, repeat: int) -> dict[str, float]:
    """Median seconds per case. Cases take turns within each round, so a machine that
    slows down or speeds up during the run weighs on every case alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for function in cases.values():
        function()  # warm-up
    for _ in range(repeat):
        for name, function in cases.items():
            clock = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - clock)
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="newsfacts-bench-dashboard-"))
    configure(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    clock = time.perf_counter()
    fill(args.claims)
    fill_seconds = time.perf_counter() - clock
    # A live database has statistics (autovacuum analyzes a table after its inserts); one
    # filled a second ago has none, and PostgreSQL's planner then guesses that almost no
    # claim is undismissed and sorts all of them instead of walking the score index.
    from django.db import connection as fresh

    settle(fresh)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from claims import selectors
    from claims.models import Claim

    reviewer = Client()
    reviewer.force_login(get_user_model().objects.get(username="rita"))
    anonymous = Client()

    def cursor_at(position: int, sort: str) -> str:
        filters = selectors.ClaimFilters(sort=sort)
        claim = selectors.claim_list(filters=filters)[position - 1]
        field, _ = selectors.KEYSET_FIELDS[sort]
        return selectors._cursor_for(claim, field)

    def get(client, url: str, params: dict | None = None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return response

    total = Claim.objects.count()
    middle, last = total // 2, total - 50
    cases = {}
    for sort in ("-score", "-date"):
        label = "" if sort == "-score" else " (by date)"
        cases[f"first page{label}"] = lambda sort=sort: get(reviewer, "/", {"sort": sort})
        for name, position in (("deep page, half-way", middle), ("deep page, the end", last)):
            after = cursor_at(position, sort)
            html = get(reviewer, "/", {"sort": sort, "after": after}).content.decode()
            assert html.count('<tr id="claim-') == 50 or position == last
            cases[f"{name}{label}"] = lambda sort=sort, after=after: get(
                reviewer, "/", {"sort": sort, "after": after}
            )

    def offset_page(position: int) -> None:
        list(selectors.claim_list_for_review()[position : position + 50])

    middle_cursor = cursor_at(middle, "-score")
    cases["offset query, half-way (no view)"] = lambda: offset_page(middle)
    cases["keyset query, half-way (no view)"] = lambda: selectors.claim_page(
        filters=selectors.ClaimFilters(), after=middle_cursor
    )
    cases["offset query, first page (no view)"] = lambda: offset_page(0)

    candidates = iter(
        Claim.objects.filter(status="unreviewed")
        .order_by("?")
        .values_list("pk", flat=True)[: args.repeat + 1]
    )

    def change_status() -> None:
        pk = next(candidates)
        response = reviewer.post(
            f"/claims/{pk}/status/",
            {"status": "verified", "version": 1, "view": "panel",
             "source_url": "https://stats.example.org/table-1", "source_title": "Table 1"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert response.status_code == 200 and "HX-Trigger" in response, response.content[:300]

    cases["status change (htmx POST)"] = change_status
    cases["plain GET (login page)"] = lambda: get(anonymous, "/accounts/login/")
    results = timed_rounds(cases, args.repeat)

    cpu = cpu_model()
    first = results["first page"]
    first_by_date = results["first page (by date)"]
    plain = results["plain GET (login page)"]
    print(f"Command: .venv/bin/python bench/bench_dashboard.py --claims {args.claims}")
    print(
        f"Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}; {connection.vendor}; "
        f"{total:,} claims (filled in {fill_seconds:.0f} s); median of {args.repeat}"
    )
    print()
    print("| request | median ms | ratio |")
    print("| --- | ---: | --- |")
    for name, seconds in results.items():
        if name.startswith(("deep page",)) and "(by date)" in name:
            ratio = f"{seconds / first_by_date:.2f} × first page (by date)"
        elif name.startswith("deep page"):
            ratio = f"{seconds / first:.2f} × first page"
        elif name.startswith("status change"):
            ratio = f"{seconds / plain:.2f} × plain GET, {seconds / first:.2f} × first page"
        elif name.startswith("offset query, half"):
            offset_first = results["offset query, first page (no view)"]
            ratio = f"{seconds / offset_first:.1f} × its first page"
        elif name.startswith("first page"):
            ratio = f"{seconds / plain:.2f} × plain GET"
        else:
            ratio = ""
        print(f"| {name} | {seconds * 1000:.1f} | {ratio} |")
    worst = max(
        results["deep page, half-way"] / first,
        results["deep page, the end"] / first,
        results["deep page, half-way (by date)"] / first_by_date,
        results["deep page, the end (by date)"] / first_by_date,
    )
    print()
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"Worst deep page / first page: {worst:.2f} ({verdict} the {TARGET} × target)")


if __name__ == "__main__":
    main()
