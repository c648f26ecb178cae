"""Benchmark the extraction path (task + NLP + database writes) against raw nlp.pipe.

    .venv/bin/python bench/bench_extraction.py --corpus ../shared/corpus/bbc_news.jsonl
    .venv/bin/python bench/bench_extraction.py --corpus ... --quick          # smoke run
    .venv/bin/python bench/bench_extraction.py --corpus ... --skip-workers --skip-memory

One run, one PostgreSQL database of its own (newsfacts_bench_extraction, created,
migrated with manage.py and dropped) and one Redis database (flushed). On the same N
articles (words = len(text.split()) of the corpus text):

  raw      nlp.pipe(bodies, batch_size=32) in this process, model loaded and warmed up,
           in a memory zone like the path's passes (so every pass starts from the same vocab)
  engine   extraction.extract_claims_many per IMPORT_BATCH_SIZE articles, no database
  batch    claims.tasks.extract_articles.apply([ids]) per IMPORT_BATCH_SIZE jobs (eager,
           in this process: task + NLP + database writes)
  single   claims.tasks.extract_articles.apply([[id]]) per job (an upload: a batch of one)
           (the four are interleaved in rounds of 5 batches, so a change in the machine's
           load hits them alike; CPU figures add the PostgreSQL backend's CPU)
  worker   a real `celery worker --concurrency 1`, then 2 (prefork): clock from
           services.jobs_enqueue until every job is done (polled in the database),
           after the worker answers a ping, its pool children are idle and a warm-up
           batch per child has run: model loading is start-up, not throughput
  memory   one worker (concurrency 1) over M articles, then articles 101-200 again: its
           pool child's RSS after ~100 articles and at M, and its peak RSS over articles
           101-200 the first and the second time (like for like); a change of child means
           CELERY_WORKER_MAX_TASKS_PER_CHILD recycled it
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from machine_info import cpu_model

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "newsfacts_bench_extraction"
ROUND_BATCHES = 5  # batch tasks per interleaved round of the in-process measurements
RAW_BATCH_SIZE = 32  # extract_claims_many's default nlp.pipe batch size
MEMORY_FIRST_MARK = 100


# --- set-up -------------------------------------------------------------------------------


def bench_env(database_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "NEWSFACTS_VAR_DIR": str(var_dir),
        "NEWSFACTS_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "NEWSFACTS_DEBUG": "0",
        "NEWSFACTS_SSL_REDIRECT": "0",
        "NEWSFACTS_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsfacts.settings",
        "PYTHONPATH": str(ROOT),
    }


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url.rstrip('/')}/postgres", autocommit=True) as c:
        c.execute(sql)


def machine() -> tuple[int, str]:
    return os.cpu_count() or 0, cpu_model()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {load()}] {message}", flush=True)


def create_articles(rows: list[dict], count: int) -> list[tuple[int, int]]:
    """(article id, words) of the first ``count`` corpus articles that are not duplicates."""
    from claims import services

    made = []
    for row in rows:
        if len(made) == count:
            break
        try:
            article = services.article_create(
                text=row["text"], title=row.get("title", ""), outlet="BBC", enqueue=False
            )
        except services.DuplicateArticle:
            continue
        made.append((article.pk, len(row["text"].split())))
    if len(made) < count:
        raise SystemExit(f"the corpus has only {len(made)} distinct articles, {count} needed")
    return made


def reset_extraction(article_ids: list[int] | None = None) -> None:
    """Forget claims and jobs (all, or of these articles), so every measurement creates."""
    from django.db import connection

    from claims.models import Claim, ExtractionJob

    if article_ids is None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE claims_claim, claims_extractionjob CASCADE")
        return
    Claim.objects.filter(article_id__in=article_ids).delete()
    ExtractionJob.objects.filter(article_id__in=article_ids).delete()


def new_jobs(article_ids: list[int]) -> list[int]:
    from claims.models import ExtractionJob

    jobs = ExtractionJob.objects.bulk_create([ExtractionJob(article_id=a) for a in article_ids])
    return [job.pk for job in jobs]


def jobs_finished(job_ids: list[int] | None = None) -> tuple[int, int]:
    """(done, failed) among these jobs, or all jobs."""
    from django.db.models import Count, Q

    from claims.models import ExtractionJob

    jobs = (
        ExtractionJob.objects.all()
        if job_ids is None
        else ExtractionJob.objects.filter(pk__in=job_ids)
    )
    counts = jobs.aggregate(
        done=Count("pk", filter=Q(state=ExtractionJob.State.DONE)),
        failed=Count("pk", filter=Q(state=ExtractionJob.State.FAILED)),
    )
    return counts["done"], counts["failed"]


# --- in-process measurements ----------------------------------------------------------------


class Clock:
    """Wall and CPU time of this process, plus the CPU of our PostgreSQL backend."""

    def __init__(self):
        self.wall = self.cpu = self.db_cpu = 0.0

    def __enter__(self):
        self._backend = _backend_process()
        self._db = _cpu(self._backend)
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu
        self.db_cpu += _cpu(self._backend) - self._db


def _backend_process():
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _cpu(process) -> float:
    if process is None:
        return 0.0
    try:
        times = process.cpu_times()
    except Exception:  # psutil.Error: gone or not ours; the figure is then this process only
        return 0.0
    return times.user + times.system


def bench_in_process(article_ids: list[int]) -> tuple[dict[str, Clock], dict[str, int]]:
    from claims import extraction, services
    from claims.extraction import checkworthiness
    from claims.models import Article, ExtractionJob
    from claims.tasks import extract_articles

    size = services.IMPORT_BATCH_SIZE
    articles = Article.objects.in_bulk(article_ids)
    bodies = {pk: articles[pk].body for pk in article_ids}
    refs = {pk: articles[pk].reference_date for pk in article_ids}
    nlp = services.extractor().nlp

    # Warm-up, not timed: first calls load lazy parts (the check-worthiness model...).
    warm = article_ids[:size]
    with nlp.memory_zone():
        list(nlp.pipe([bodies[pk] for pk in warm], batch_size=RAW_BATCH_SIZE))
    list(extraction.extract_claims_many(nlp, [(bodies[pk], refs[pk]) for pk in warm]))
    extract_articles.apply(args=[new_jobs(warm)]).get()
    extract_articles.apply(args=[new_jobs(warm[:1])]).get()
    reset_extraction(warm)

    clocks = {name: Clock() for name in ("raw", "engine", "batch", "single")}
    claims = dict.fromkeys(clocks, 0)
    step = size * ROUND_BATCHES
    # The check-worthiness scorer caches each word's n-grams. Like the vocabulary (below),
    # the cache must not carry one variant's words into the next on the same texts: each
    # variant starts a round from the cache the previous rounds left.
    word_cache = checkworthiness.word_cache()
    for start in range(0, len(article_ids), step):
        ids = article_ids[start : start + step]
        batches = [ids[i : i + size] for i in range(0, len(ids), size)]
        cache_before = dict(word_cache)

        def restore_cache(before=cache_before):
            word_cache.clear()
            word_cache.update(before)

        texts = [bodies[pk] for pk in ids]
        # In a memory zone, as the path's passes are: otherwise the raw pass would leave
        # these texts' words in the vocabulary and the path, after it, would find them
        # there (about 5 % faster than a worker, which never has them).
        with clocks["raw"], nlp.memory_zone():
            for _doc in nlp.pipe(texts, batch_size=RAW_BATCH_SIZE):
                pass

        restore_cache()
        with clocks["engine"]:
            for batch in batches:
                for found in extraction.extract_claims_many(
                    nlp, [(bodies[pk], refs[pk]) for pk in batch]
                ):
                    claims["engine"] += len(found)

        job_batches = [new_jobs(batch) for batch in batches]
        restore_cache()
        with clocks["batch"]:
            for job_ids in job_batches:
                extract_articles.apply(args=[job_ids]).get()
        reset_extraction_claims_only(ids)

        job_ids = new_jobs(ids)
        restore_cache()
        with clocks["single"]:
            for job_id in job_ids:
                extract_articles.apply(args=[[job_id]]).get()

        for name, jobs in (("batch", [j for b in job_batches for j in b]), ("single", job_ids)):
            done, failed = jobs_finished(jobs)
            if done != len(jobs):
                raise SystemExit(f"{name}: {done} of {len(jobs)} jobs done, {failed} failed")
            claims[name] += sum(
                ExtractionJob.objects.filter(pk__in=jobs).values_list("claim_count", flat=True)
            )
        reset_extraction(ids)
        say(f"in-process: {start + len(ids)} of {len(article_ids)} articles")
    return clocks, claims


def reset_extraction_claims_only(article_ids: list[int]) -> None:
    from claims.models import Claim

    Claim.objects.filter(article_id__in=article_ids).delete()


# --- real workers -------------------------------------------------------------------------------


class Worker:
    def __init__(self, concurrency: int, env: dict[str, str], log: Path):
        self.name = f"bench-extraction-{uuid.uuid4().hex[:8]}@%h"
        self.log = log
        args = [
            sys.executable, "-m", "celery", "-A", "newsfacts", "worker", "--pool", "prefork",
            "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
            "--loglevel", "INFO", "-n", self.name,
        ]  # fmt: skip
        with log.open("w") as out:
            # A session of its own: Ctrl-C reaches only this script, which stops the worker
            # (and its pool children) itself.
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.concurrency = concurrency

    def children(self):
        import psutil

        try:
            return psutil.Process(self.process.pid).children()
        except psutil.Error:
            return []

    def fail(self, why: str):
        tail = self.log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"worker {why}:\n{tail}")

    def wait_ready(self, timeout: float = 180) -> None:
        """Answers a ping, has its pool children, and they are idle (model loaded)."""
        from newsfacts.celery import app

        deadline = time.monotonic() + timeout
        host = platform.node()
        node = self.name.replace("%h", host)
        while not app.control.ping(destination=[node], timeout=0.5):
            if self.process.poll() is not None:
                self.fail("exited at start")
            if time.monotonic() > deadline:
                self.fail(f"did not answer within {timeout:.0f} s")
        previous = None
        while True:
            children = self.children()
            now = {c.pid: _cpu(c) for c in children}
            if (
                previous
                and len(now) == self.concurrency
                and now.keys() == previous.keys()
                and all(now[p] > 0.2 and now[p] - previous[p] < 0.02 for p in now)
            ):
                return
            if time.monotonic() > deadline:
                self.fail(f"pool not idle within {timeout:.0f} s")
            previous = now
            time.sleep(1.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: it is idle, or we are giving up
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # pool children left behind, if any
        self.process.wait()


def wait_done(total: int, on_poll=None, interval: float = 0.2, timeout: float = 3600) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, failed = jobs_finished()
        if on_poll:
            on_poll(done)
        if done + failed >= total:
            return failed
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {done} of {total} jobs done")
        time.sleep(interval)


def run_worker(
    concurrency: int,
    article_ids: list[int],
    env: dict,
    work: Path,
    workers: list,
    sample=None,
    repeat: list[int] = (),
) -> dict:
    """Start a worker, warm it, time the extraction of ``article_ids`` end to end
    (then of ``repeat``, articles extracted again, queued behind them)."""
    from claims import services
    from claims.models import Article, ExtractionJob

    reset_extraction()
    worker = Worker(concurrency, env, work / f"worker-{len(workers)}.log")
    workers.append(worker)
    started = time.perf_counter()
    worker.wait_ready()
    ready = time.perf_counter() - started
    # One small batch per pool child: first-call costs are start-up too.
    warm = list(Article.objects.filter(pk__in=article_ids[: 2 * concurrency]).order_by("pk"))
    for i in range(concurrency):
        services.jobs_enqueue(articles=warm[2 * i : 2 * i + 2])
    wait_done(len(warm))
    reset_extraction()

    articles = list(Article.objects.filter(pk__in=article_ids).order_by("pk"))
    again = list(Article.objects.filter(pk__in=repeat).order_by("pk"))
    children = worker.children()
    cpu_before = {c.pid: _cpu(c) for c in children}
    say(f"worker ×{concurrency}: ready after {ready:.0f} s, {len(articles)} articles enqueued")
    clock = time.perf_counter()
    services.jobs_enqueue(articles=articles)
    if again:
        services.jobs_enqueue(articles=again)
    failed = wait_done(len(articles) + len(again), on_poll=sample)
    seconds = time.perf_counter() - clock
    children_after = worker.children()
    cpu = sum(_cpu(c) - cpu_before.get(c.pid, 0.0) for c in children_after)
    claims = sum(ExtractionJob.objects.values_list("claim_count", flat=True).iterator())
    result = {
        "seconds": seconds,
        "worker_cpu": cpu,
        "failed": failed,
        "claims": claims,
        "children_before": sorted(cpu_before),
        "children_after": sorted(c.pid for c in children_after),
    }
    worker.stop()
    workers.remove(worker)
    return result


class MemorySampler:
    """The pool child's RSS at every poll, with the number of jobs done then."""

    def __init__(self, worker_ref: list):
        self.worker_ref = worker_ref
        self.samples: list[tuple[int, int, float]] = []  # done, child pid, RSS MB

    def __call__(self, done: int) -> None:
        for child in self.worker_ref[0].children() if self.worker_ref else []:
            try:
                rss = child.memory_info().rss / 2**20
            except Exception:  # psutil.Error: recycled under us; the next poll samples
                continue
            self.samples.append((done, child.pid, rss))


def memory_window(total: int) -> tuple[int, int]:
    """(first mark, window): RSS is read first after ``first`` articles; the window of
    articles just after it is extracted again at the end, to compare peaks like for like."""
    first = MEMORY_FIRST_MARK if total >= 2 * MEMORY_FIRST_MARK else max(1, total // 4)
    return first, min(MEMORY_FIRST_MARK, max(1, total // 8))


def memory_summary(samples: list, total: int) -> dict:
    """Checkpoints (first poll at or past each mark), and the peak RSS over the window
    after the first mark and over the same articles extracted again after ``total``. A
    single reading depends on where in a batch the child was (its memory zone's Docs
    alive or freed) and a window's peak on its longest articles: the same articles at
    both ends compare like with like."""
    first, window = memory_window(total)
    marks = sorted({first, total // 4, total // 2, 3 * total // 4, total, total + window})
    checkpoints, previous = [], 0
    for mark in (m for m in marks if m >= first):
        at = next((s for s in samples if s[0] >= mark), None)
        if at is None:
            continue
        peak = max(s[2] for s in samples if previous < s[0] <= at[0])
        checkpoints.append({"done": at[0], "pid": at[1], "rss": at[2], "peak": peak})
        previous = at[0]

    def peak(lo: int, hi: int, of=max) -> float:
        return of((s[2] for s in samples if lo < s[0] <= hi), default=float("nan"))

    at_total = next((c for c in checkpoints if c["done"] >= total), checkpoints[-1])
    return {
        "checkpoints": checkpoints,
        "first": checkpoints[0],
        "at_total": at_total,
        "window": (first, first + window),
        "early_peak": peak(first, first + window),
        "late_peak": peak(total, total + window),
        "early_low": peak(first, first + window, min),
        "late_low": peak(total, total + window, min),
        "pids": list(dict.fromkeys(s[1] for s in samples)),
    }


def run_memory(article_ids: list[int], env: dict, work: Path, workers: list) -> dict:
    sampler = MemorySampler(workers)
    first, window = memory_window(len(article_ids))
    repeat = article_ids[first : first + window]
    result = run_worker(1, article_ids, env, work, workers, sample=sampler, repeat=repeat)
    result.update(memory_summary(sampler.samples, len(article_ids)))
    return result


# --- report ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(args, header: list[str], n_words: int, inproc, workers, memory, m_words) -> list[str]:
    lines = [*header, ""]
    if inproc:
        clocks, claims = inproc
        raw = clocks["raw"]
        lines += [
            f"In-process, {args.articles} articles, {n_words:,} words:",
            "",
            "| measurement | seconds | words/s | × raw | CPU s (+ PostgreSQL) | × raw, CPU "
            "| claims |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        labels = {
            "raw": f"raw `nlp.pipe` (batch_size {RAW_BATCH_SIZE})",
            "engine": "engine: `extract_claims_many`, 16 a call, no database",
            "batch": "full path: `extract_articles.apply`, 16 jobs a task",
            "single": "full path: `extract_articles.apply`, one job a task",
        }
        raw_cpu = raw.cpu + raw.db_cpu
        for name, label in labels.items():
            c = clocks[name]
            cpu = c.cpu + c.db_cpu
            db = f" ({c.db_cpu:.1f})" if c.db_cpu else ""
            lines.append(
                f"| {label} | {c.wall:.1f} | {n_words / c.wall:,.0f} | {raw.wall / c.wall:.2f} "
                f"| {cpu:.1f}{db} | {raw_cpu / cpu:.2f} | {claims[name] if name != 'raw' else ''} |"
            )
        lines.append("")
    if workers:
        lines += [
            f"Real workers (prefork, PostgreSQL + Redis), {args.articles} articles, "
            f"{n_words:,} words, clock from enqueue to every job done:",
            "",
            "| workers | seconds | words/s | × raw in-process | worker CPU s | CPU busy | failed |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for concurrency, r in sorted(workers.items()):
            x_raw = f"{inproc[0]['raw'].wall / r['seconds']:.2f}" if inproc else "-"
            lines.append(
                f"| {concurrency} | {r['seconds']:.1f} | {n_words / r['seconds']:,.0f} | {x_raw} "
                f"| {r['worker_cpu']:.1f} | {r['worker_cpu'] / r['seconds']:.2f} | {r['failed']} |"
            )
        lines.append("")
    if memory:
        a, b = memory["window"]
        total = len(memory["article_ids"])
        lines += [
            f"Memory: one worker (concurrency 1), {total} articles, then articles {a + 1}–{b} "
            f"again (jobs {total + 1}–{total + b - a}); {m_words:,} words in "
            f"{memory['seconds']:.0f} s ({m_words / memory['seconds']:,.0f} words/s); "
            f"CELERY_WORKER_MAX_TASKS_PER_CHILD = {memory['max_tasks']} tasks of up to "
            f"{memory['batch']} articles",
            "",
            "| articles done | pool child pid | RSS MB | peak RSS MB since the previous row |",
            "|---:|---:|---:|---:|",
            *(
                f"| {c['done']} | {c['pid']} | {c['rss']:.1f} | {c['peak']:.1f} |"
                for c in memory["checkpoints"]
            ),
            "",
            f"pool children seen: {memory['pids']} — "
            + ("RECYCLED during the run" if len(memory["pids"]) > 1 else "no recycling"),
            "",
        ]
    lines.append("Targets:")
    if inproc:
        clocks = inproc[0]
        r = clocks["raw"].wall / clocks["batch"].wall
        rc = (clocks["raw"].cpu + clocks["raw"].db_cpu) / (
            clocks["batch"].cpu + clocks["batch"].db_cpu
        )
        lines.append(
            f"- full path (batch task) ÷ raw nlp.pipe, words/s: {r:.2f} (target ≥ 0.80: "
            f"{verdict(r >= 0.8)}); by CPU time: {rc:.2f}"
        )
    if len(workers) == 2:
        r = workers[1]["seconds"] / workers[2]["seconds"]
        lines.append(
            f"- 2 workers ÷ 1 worker, words/s: {r:.2f} (target ≥ 1.60: {verdict(r >= 1.6)})"
        )
    if memory and len(memory["checkpoints"]) >= 2:
        c0, c1 = memory["first"], memory["at_total"]
        r = c1["rss"] / c0["rss"]
        same = "same child" if c0["pid"] == c1["pid"] else "DIFFERENT children (recycled)"
        lines.append(
            f"- worker RSS at {c1['done']} ÷ at {c0['done']} jobs done: {c1['rss']:.1f} / "
            f"{c0['rss']:.1f} MB = {r:.2f} ({same}; target ≤ 1.10: {verdict(r <= 1.1)})"
        )
        a, b = memory["window"]
        total = len(memory["article_ids"])
        r = memory["late_peak"] / memory["early_peak"]
        lines.append(
            f"- worker peak RSS over articles {a + 1}–{b} extracted again at the end (jobs "
            f"{total + 1}–{total + b - a}) ÷ the first time: {memory['late_peak']:.1f} / "
            f"{memory['early_peak']:.1f} MB = {r:.2f} (target ≤ 1.10: {verdict(r <= 1.1)}); "
            f"lowest RSS read: {memory['late_low']:.1f} / {memory['early_low']:.1f} MB = "
            f"{memory['late_low'] / memory['early_low']:.2f}"
        )
    return lines


# --- main -------------------------------------------------------------------------------------


def _interrupt(*_):
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="JSONL: {id, title, text} a line")
    ap.add_argument("--articles", type=int, default=400, help="articles for the ratio parts")
    ap.add_argument("--memory-articles", type=int, default=2000)
    ap.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="flushed first")
    ap.add_argument("--skip-workers", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--quick", action="store_true", help="48 and 240 articles: a smoke run")
    args = ap.parse_args()
    if args.quick:
        args.articles, args.memory_articles = min(args.articles, 48), min(args.memory_articles, 240)
    with args.corpus.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]

    nproc, cpu_model = machine()
    header = [
        f"command: {shlex.join(['python', *sys.argv])}",
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; nproc: {nproc}; "
        f"CPU: {cpu_model}; Python {platform.python_version()}",
        f"load average at start: {load()}",
    ]
    print("\n".join(header), flush=True)

    # A SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, through the clean-up below.
    signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="newsfacts-bench-extraction-"))
    database_url = f"{args.postgres_url.rstrip('/')}/{PG_BENCH_DB}"
    env = bench_env(database_url, args.redis_url, work / "var")
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    workers: list[Worker] = []
    inproc = memory = None
    worker_results: dict[int, dict] = {}
    import redis

    broker = redis.Redis.from_url(args.redis_url)
    created_db = False
    try:
        broker.flushdb()
        pg_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        pg_admin(args.postgres_url, f"CREATE DATABASE {PG_BENCH_DB}")
        created_db = True
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env,
            check=True,
        )  # fmt: skip
        import django

        django.setup()
        from django.conf import settings

        from claims import services

        assert not settings.DEBUG, "DEBUG would keep every query in memory"
        n_create = max(args.articles, 0 if args.skip_memory else args.memory_articles)
        say(f"creating {n_create} articles")
        made = create_articles(rows, n_create)
        ids = [pk for pk, _ in made[: args.articles]]
        n_words = sum(w for _, w in made[: args.articles])
        say("loading the model")
        services.extractor().warm_up()

        inproc = bench_in_process(ids)
        if not args.skip_workers:
            for concurrency in (1, 2):
                worker_results[concurrency] = run_worker(concurrency, ids, env, work, workers)
                say(f"worker ×{concurrency}: {worker_results[concurrency]['seconds']:.1f} s")
        m_words = 0
        if not args.skip_memory:
            m_ids = [pk for pk, _ in made[: args.memory_articles]]
            first, window = memory_window(args.memory_articles)
            m_words = sum(w for _, w in made[: args.memory_articles])
            m_words += sum(w for _, w in made[first : first + window])
            memory = run_memory(m_ids, env, work, workers)
            memory.update(
                article_ids=m_ids,
                max_tasks=settings.CELERY_WORKER_MAX_TASKS_PER_CHILD,
                batch=services.IMPORT_BATCH_SIZE,
            )
            say(f"memory: {memory['seconds']:.0f} s")
        header.append(f"load average at end: {load()}")
        lines = report(args, header, n_words, inproc, worker_results, memory, m_words)
        print("\n" + "\n".join(lines), flush=True)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr, flush=True)
        return 130
    finally:
        for worker in list(workers):
            worker.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if created_db:
            pg_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        broker.flushdb()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
