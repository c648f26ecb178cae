"""Benchmark feed polling: 100 feeds of 50 items each, served by a local web server.

    .venv/bin/python bench/bench_feeds.py                          # 100 x 50, SQLite
    .venv/bin/python bench/bench_feeds.py --feeds 10 --items 20    # quicker
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bench_feeds.py

A fresh database (migrated here) and Redis (the embedded one, or REDIS_URL's database,
flushed), and a threaded web server in this process on 127.0.0.1 serving every feed (RSS,
with an ETag) and every item's page (a news page of ~250 words with menus and footers,
each one's text its own). Measured, on the same pages:

  bare      this process fetches each page with one urllib3 pool and reads it with
            trafilatura, one after the other: no database, no checks, no Celery; the
            floor of the work itself
  worker    beat's round (claims.web_tasks.send_due_web_work) sends every feed's poll to
            a real worker on the web queue (`celery worker -Q web`, prefork, --concurrency
            1 then 2); each poll records its items and sends one import task per item;
            the clock runs until every item is imported (polled in the database), then
            the run checks that every item became exactly one article
  304       a second round over the same feeds, each answering 304 Not Modified to the
            ETag the first round kept: polls per second, and no item recorded twice

Extraction jobs the imports queue go to the other queue, which no worker serves here:
the figure is fetching and importing, not NLP (bench_extraction.py measures that).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

from machine_info import cpu_model

ROOT = Path(__file__).resolve().parent.parent
TEXT = (
    "officials said the regional office reported that people were moved from their homes "
    "after the river flooded and roads were closed while repairs continued across the valley"
)
WORDS = TEXT.split(" ")


def page_html(feed: int, item: int) -> str:
    """A news page whose text is its own (every item a distinct article)."""
    n = feed * 1000 + item
    sentences = []
    for s in range(12):
        words = " ".join(WORDS[(n + s + k) % len(WORDS)] for k in range(18))
        sentences.append(f"{words.capitalize()}, {1000 + n * 7 + s:,} residents said on day {s}.")
    paragraphs = "".join(f"<p>{escape(s)}</p>" for s in sentences)
    title = f"Flood report {feed}-{item}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<meta property='og:site_name' content='Bench Wire'>"
        "<meta property='article:published_time' content='2024-05-02'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<aside>Share this article</aside><footer>© Bench Wire</footer></body></html>"
    )


def feed_xml(base: str, feed: int, items: int) -> str:
    entries = "".join(
        f"<item><title>Flood report {feed}-{i}</title><link>{base}/page/{feed}/{i}</link>"
        f"<guid>bench-{feed}-{i}</guid></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    )


def start_server(feeds: int, items: int):
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    counts = {"feed": 0, "304": 0, "page": 0}

    def feed(request):
        number = int(request.path.rsplit("/", 1)[-1].split(".")[0])
        etag = f'"feed-{number}-v1"'
        if request.headers.get("If-None-Match") == etag:
            counts["304"] += 1
            return Response(status=304)
        counts["feed"] += 1
        body = feed_xml(base, number, items)
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

    def page(request):
        counts["page"] += 1
        _, _, f, i = request.path.split("/")
        return Response(page_html(int(f), int(i)), content_type="text/html")

    server.expect_request(re.compile(r"^/feed/\d+\.xml$")).respond_with_handler(feed)
    server.expect_request(re.compile(r"^/page/\d+/\d+$")).respond_with_handler(page)
    return server, base, counts


def configure(var_dir: Path) -> dict[str, str]:
    env = {
        "NEWSFACTS_VAR_DIR": str(var_dir),
        "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "NEWSFACTS_DEBUG": "0",
        "NEWSFACTS_LOG_LEVEL": "WARNING",
        "NEWSFACTS_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
    }
    os.environ.update(env)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request served
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def bare(urls: list[str]) -> float:
    import trafilatura
    import urllib3

    http = urllib3.PoolManager()
    clock = time.perf_counter()
    for url in urls:
        response = http.request("GET", url)
        document = trafilatura.bare_extraction(response.data, url=url, with_metadata=True)
        assert document and document.text
    return time.perf_counter() - clock


def start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen:
    from newsfacts.celery import app

    args = [
        sys.executable, "-m", "celery", "-A", "newsfacts", "worker", "-Q", "web",
        "--concurrency", str(concurrency), "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5)
        if replies:
            return process
    process.kill()
    raise SystemExit("the worker did not answer within 90 s")


def reset(feed_urls: list[str]) -> None:
    from django.utils import timezone

    from claims.models import Article, Feed, PageImport

    PageImport.objects.all().delete()
    Article.objects.all().delete()
    Feed.objects.all().delete()
    Feed.objects.bulk_create(
        [
            Feed(name=f"Feed {n}", url=url, next_poll_at=timezone.now())
            for n, url in enumerate(feed_urls)
        ]
    )


def run_worker_round(expected: int, redis) -> float:
    from claims import web_tasks
    from claims.models import PageImport

    final = ["imported", "duplicate", "failed"]
    clock = time.perf_counter()
    web_tasks.send_due_web_work()
    while PageImport.objects.filter(state__in=final).count() < expected:
        if time.perf_counter() - clock > 1800:
            raise SystemExit("gave up after 30 minutes")
        time.sleep(0.2)
    seconds = time.perf_counter() - clock
    redis.flushdb()  # the extraction jobs nobody serves here
    return seconds


def run_not_modified_round(feeds: int) -> float:
    """Every feed polled again; each answers 304 to the ETag kept from the first round."""
    from django.utils import timezone

    from claims import web_tasks
    from claims.models import Feed

    Feed.objects.update(next_poll_at=timezone.now(), sent_at=None)
    started = timezone.now()
    clock = time.perf_counter()
    web_tasks.send_due_web_work()
    while Feed.objects.filter(last_polled_at__gte=started).count() < feeds:
        time.sleep(0.05)
    return time.perf_counter() - clock


def check_imported_once(feeds: int, items: int) -> str:
    from claims.models import Article, Feed, PageImport

    states = dict.fromkeys(["imported", "duplicate", "failed", "pending", "fetching"], 0)
    for state in PageImport.objects.values_list("state", flat=True):
        states[state] += 1
    articles = Article.objects.count()
    per_feed = set(Feed.objects.values_list("items_imported", flat=True))
    ok = states["imported"] == articles == feeds * items and per_feed == {items}
    verdict = "every item imported once" if ok else f"NOT ALL IMPORTED ONCE: {states}"
    return f"{verdict} ({articles:,} articles, states {states})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="10 feeds x 10 items")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.items, args.concurrency = 10, 10, [2]

    var_dir = Path(tempfile.mkdtemp(prefix="newsfacts-bench-feeds-"))
    env = configure(var_dir)
    import redis as redis_client
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from claims.models import PageImport
    from newsfacts import embedded_redis

    redis_process = None
    if settings.EMBEDDED_REDIS:
        redis_process = embedded_redis.start(settings.EMBEDDED_REDIS_SOCKET)
    redis = redis_client.Redis.from_url(settings.REDIS_URL)
    redis.flushdb()
    call_command("migrate", verbosity=0)
    server, base, counts = start_server(args.feeds, args.items)
    feed_urls = [f"{base}/feed/{n}.xml" for n in range(args.feeds)]
    page_urls = [f"{base}/page/{f}/{i}" for f in range(args.feeds) for i in range(args.items)]
    total = len(page_urls)
    rows = []
    try:
        bare_seconds = bare(page_urls)
        rows.append(("bare: urllib3 + trafilatura, one process, no database", bare_seconds, ""))
        for concurrency in args.concurrency:
            reset(feed_urls)
            worker = start_worker(env, concurrency)
            try:
                seconds = run_worker_round(total, redis)
                verdict = check_imported_once(args.feeds, args.items)
                not_modified_seconds = run_not_modified_round(args.feeds)
            finally:
                worker.terminate()
                worker.wait(timeout=60)
            assert PageImport.objects.count() == total, "the 304 round recorded items again"
            rows.append((f"worker -Q web, prefork --concurrency {concurrency}", seconds, verdict))
            rows.append(
                (f"  304 round, {args.feeds} feeds, concurrency {concurrency}",
                 not_modified_seconds, "no item recorded twice"),
            )  # fmt: skip
    finally:
        server.stop()
        if redis_process:
            embedded_redis.stop(redis_process, settings.EMBEDDED_REDIS_SOCKET)

    print(
        f"Command: .venv/bin/python bench/bench_feeds.py --feeds {args.feeds} --items {args.items}"
    )
    print(
        f"Machine: nproc {len(os.sched_getaffinity(0))}, {cpu_model()}; Python "
        f"{platform.python_version()}; {connection.vendor}; "
        f"Redis {'embedded' if settings.EMBEDDED_REDIS else 'REDIS_URL'}; "
        f"{args.feeds} feeds x {args.items} items = {total:,} pages"
    )
    print()
    print("| path | seconds | items/s | ratio to bare | check |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, seconds, check in rows:
        if name.startswith("  304"):
            print(
                f"| {name.strip()} | {seconds:.2f} | {args.feeds / seconds:.0f} polls/s "
                f"| | {check} |"
            )
            continue
        print(
            f"| {name} | {seconds:.1f} | {total / seconds:.1f} | "
            f"{bare_seconds / seconds:.2f} | {check} |"
        )


if __name__ == "__main__":
    main()
