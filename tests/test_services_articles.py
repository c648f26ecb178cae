import pytest

from claims import services
from claims.models import Article, ExtractionJob
from claims.uploads import UploadError

SEED = """Lavrov Urges Syrian Opposition to Support Geneva Talks

PARIS, May 28 (RIA Novosti) – Moscow is hoping that the Syrian opposition will take a constructive approach, Foreign Minister Sergei Lavrov said.

More than 80,000 people have died since fighting broke out in March 2011.
"""

pytestmark = pytest.mark.django_db


def test_it_takes_the_first_line_as_title_and_parses_the_dateline():
    article = services.article_create(text=SEED, enqueue=False)
    assert article.title == "Lavrov Urges Syrian Opposition to Support Geneva Talks"
    assert article.body.startswith("PARIS, May 28")
    assert "Geneva Talks" not in article.body
    assert article.dateline_place.lower() == "paris"
    assert article.dateline_date.endswith("05-28")
    assert article.outlet == "RIA Novosti"


def test_an_explicit_title_keeps_the_whole_text_as_body():
    article = services.article_create(
        text="Officials said 300 people attended.\n\nThe event ended at noon.",
        title="Crowd at the rally",
        enqueue=False,
    )
    assert article.title == "Crowd at the rally"
    assert article.body.startswith("Officials said 300 people")


def test_it_refuses_an_exact_duplicate_even_with_different_whitespace():
    first = services.article_create(text=SEED, enqueue=False)
    with pytest.raises(services.DuplicateArticle) as caught:
        services.article_create(text=SEED.replace("\n\n", "\n\n\n") + "  ", enqueue=False)
    assert caught.value.existing == first
    assert Article.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Only a headline\n\n"])
def test_it_refuses_an_empty_article(text):
    with pytest.raises(UploadError):
        services.article_create(text=text, enqueue=False)
    assert Article.objects.count() == 0


def test_it_queues_extraction_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("claims.broker.send_extraction", lambda job_ids: sent.extend(job_ids))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = services.article_create(text=SEED)
    job = article.jobs.get()
    assert job.state == ExtractionJob.State.QUEUED
    assert sent == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.enqueued_at is not None


def test_a_broker_that_is_down_leaves_the_job_queued(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(job_ids):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr("claims.broker.send_extraction", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_create(text=SEED)
    job = article.jobs.get()
    assert job.state == ExtractionJob.State.QUEUED
    assert job.enqueued_at is None  # the sweeper will send it

    sent = []
    monkeypatch.setattr("claims.broker.send_extraction", lambda job_ids: sent.extend(job_ids))
    assert services.jobs_requeue_stuck() == 1
    assert sent == [job.pk]


def test_articles_import_reports_duplicates_and_errors_without_stopping():
    from claims.uploads import UploadedArticle

    report = services.articles_import(
        uploads=[
            UploadedArticle(text=SEED, name="a.txt"),
            UploadedArticle(text="", name="empty.txt"),
            UploadedArticle(text=SEED, name="again.txt"),
            UploadedArticle(text="Second story\n\nPolice said 12 people were hurt.", name="b.txt"),
        ]
    )
    assert [a.title for a in report.created] == [
        "Lavrov Urges Syrian Opposition to Support Geneva Talks",
        "Second story",
    ]
    assert [name for name, _ in report.duplicates] == ["again.txt"]
    assert [name for name, _ in report.errors] == ["empty.txt"]


def test_control_characters_never_reach_the_database():
    # JSON can carry "\u0000", which PostgreSQL refuses to store in text.
    article = services.article_create(
        text="Police said\x00 12 people\x07 were hurt.\r\nThe road reopened.",
        title="Crash\x00 on the ring road",
        outlet="Wire\x1b",
        enqueue=False,
    )
    assert article.title == "Crash on the ring road"
    assert article.outlet == "Wire"
    assert article.body == "Police said 12 people were hurt.\nThe road reopened."
