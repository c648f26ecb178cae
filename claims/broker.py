"""The one place the desk talks to Celery's broker: publish extraction work, read the queue.

Services call this module; it names tasks by string, so it never imports ``claims.tasks``
(which imports the services), and the Celery app it uses knows nothing of ``claims``.
"""

from __future__ import annotations

from newsfacts.celery import app

EXTRACT_ARTICLES = "claims.tasks.extract_articles"
MATCH_ARTICLES = "claims.tasks.match_articles"


# Articles too long to run between the others go to a queue of their own
# (settings.NEWSFACTS_LONG_ARTICLE_CHARS), served by a worker of their own, so one huge
# article never holds up the small ones queued after it.
LONG_QUEUE = "long"


def send_extraction(*, job_ids: list[int]) -> None:
    """Publish one extraction task for these jobs; raises whatever the broker raised."""
    app.send_task(EXTRACT_ARTICLES, args=[list(job_ids)])


def send_long_extraction(*, job_ids: list[int]) -> None:
    """Publish one extraction task on the long articles' queue; raises as send_extraction."""
    app.send_task(EXTRACT_ARTICLES, args=[list(job_ids)], queue=LONG_QUEUE)


def send_matching(*, article_ids: list[int]) -> None:
    """Publish the follow-on task that matches these articles' fresh claims."""
    app.send_task(MATCH_ARTICLES, args=[list(article_ids)])


def waiting_messages() -> int:
    """Messages waiting in the extraction queues; raises when the broker cannot be asked."""
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        # Declaring is idempotent (every worker does it) and, unlike a passive declare,
        # answers 0 instead of an error for a queue that a restarted Redis has forgotten.
        channel = connection.default_channel
        return sum(
            channel.queue_declare(queue=queue).message_count
            for queue in (app.conf.task_default_queue, LONG_QUEUE)
        )


# Fetching feeds and pages and delivering webhooks wait on other servers: their own queue
# (settings.CELERY_TASK_QUEUES), so they never wait behind extraction, nor it behind them.
WEB_QUEUE = "web"


def send_web(task: str, *, args: list) -> None:
    """Publish one of the web tasks (claims.web_tasks) by name; raises what the broker raised."""
    app.send_task(task, args=list(args), queue=WEB_QUEUE)
