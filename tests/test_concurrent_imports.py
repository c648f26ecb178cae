"""Overlapping imports at once: duplicates reported as duplicates, every article with a job."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Article, ExtractionJob
from claims.services import articles as articles_service
from claims.services.sweeper import jobs_requeue_stuck
from claims.uploads import UploadedArticle
from tests.factories import ArticleFactory, UserFactory

STORY = """Harbour Dredging Begins {n}

PORTVALE, May {day} (Coast Wire) – Dredgers removed {n},400 cubic metres of silt from berth {n} on Monday, the harbour board said.
"""


def story(n: int) -> str:
    return STORY.format(n=n, day=n % 28 + 1)


@pytest.fixture
def sent_jobs(monkeypatch):
    """Job ids handed to the broker, without a broker (safe from many threads)."""
    sent: list[int] = []
    lock = threading.Lock()

    def send_extraction(*, job_ids):
        with lock:
            sent.extend(job_ids)

    monkeypatch.setattr("claims.broker.send_extraction", send_extraction)
    return sent


def run_at_once(work, count: int) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results or errors."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except Exception as exc:  # the assertions say which
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def miss_the_first_check(monkeypatch) -> None:
    """Each call's first look for a stored twin misses, as when another request's insert
    lands between this one's check and its own insert."""
    real = articles_service._stored_with_hash
    checked: set[str] = set()

    def stored_with_hash(digest):
        if digest not in checked:
            checked.add(digest)
            return None
        return real(digest)

    monkeypatch.setattr(articles_service, "_stored_with_hash", stored_with_hash)


def assert_every_article_has_one_job(sent_jobs: list[int]) -> None:
    for article in Article.objects.all():
        jobs = list(article.jobs.all())
        assert len(jobs) == 1, f"article {article.pk} has {len(jobs)} jobs"
        assert jobs[0].pk in sent_jobs, f"job {jobs[0].pk} never reached the broker"


@pytest.mark.django_db
def test_a_duplicate_stored_after_the_check_is_reported_as_a_duplicate(
    monkeypatch, sent_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.article_create(text=story(1))
    miss_the_first_check(monkeypatch)
    with pytest.raises(services.DuplicateArticle) as raised:
        services.article_create(text=story(1))
    assert raised.value.existing == first
    assert list(Article.objects.all()) == [first]
    assert first.jobs.count() == 1


@pytest.mark.django_db
def test_a_bulk_import_losing_a_race_reports_it_and_queues_the_rest(
    monkeypatch, sent_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.article_create(text=story(2))
        miss_the_first_check(monkeypatch)
        report = services.articles_import(
            uploads=[UploadedArticle(text=story(n), name=f"{n}.txt") for n in (1, 2, 3)]
        )
    assert [name for name, _ in report.duplicates] == ["2.txt"]
    assert len(report.created) == 2 and not report.errors
    assert_every_article_has_one_job(sent_jobs)


@pytest.mark.django_db(transaction=True)
def test_four_overlapping_bulk_imports_at_once(sent_jobs):
    shared = [story(n) for n in range(1, 31)]

    def bulk_import(i):
        own = [story(100 + 10 * i + k) for k in range(5)]
        texts = shared[i * 7 :] + own + shared[: i * 7]  # each starts somewhere else
        return services.articles_import(
            uploads=[UploadedArticle(text=text, name=f"{i}-{k}") for k, text in enumerate(texts)]
        )

    reports = run_at_once(bulk_import, 4)
    assert all(isinstance(r, services.ImportReport) for r in reports), reports
    assert all(not r.errors and len(r.created) + len(r.duplicates) == 35 for r in reports)
    assert sum(len(r.created) for r in reports) == Article.objects.count() == 30 + 4 * 5
    assert_every_article_has_one_job(sent_jobs)


@pytest.mark.django_db(transaction=True)
def test_six_identical_adds_at_once_through_the_admin(sent_jobs):
    editor = UserFactory(username="ed", is_staff=True, is_superuser=True)
    fields = {"text": story(7), "title": "", "outlet": "", "url": "", "published_date": ""}

    def add(_):
        client = Client()
        client.force_login(editor)
        return client.post(reverse("admin:claims_article_add"), fields)

    responses = run_at_once(add, 6)
    article = Article.objects.get()
    for response in responses:
        assert not isinstance(response, Exception), response
        if response.status_code == 302:  # stored, or found stored since the form checked
            assert response.url == article.get_absolute_url()
        else:  # the form saw it stored already
            assert response.status_code == 200
            assert "already stored" in response.content.decode()
    assert_every_article_has_one_job(sent_jobs)


@pytest.mark.django_db
def test_the_sweeper_queues_an_article_that_has_no_job(
    sent_jobs, django_capture_on_commit_callbacks
):
    orphan = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with_job = services.article_create(text=story(3))
        assert jobs_requeue_stuck() >= 1
    job = orphan.jobs.get()
    assert job.state == ExtractionJob.State.QUEUED and job.pk in sent_jobs
    assert with_job.jobs.count() == 1
    jobs_requeue_stuck()
    assert orphan.jobs.count() == 1  # once, not every minute
