"""Celery tasks that wait on the web: poll a feed, import a page, deliver a webhook.

Thin, like claims/tasks.py: ids in, a service called. They run on the ``web`` queue
(claims.broker.WEB_QUEUE) and are registered with the worker by settings.CELERY_IMPORTS.
Each does its work once however often it is delivered (the services claim it with a
conditional update), and anything a worker drops is sent again by ``send_due_web_work``,
which beat runs every 30 seconds.
"""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from claims import services

# A fetch is bounded at NEWSFACTS_FETCH_TOTAL_TIMEOUT (30 s) and a page's parse at about
# 2 s; a task past these limits is stuck on something else.
SOFT_TIME_LIMIT = 90
TIME_LIMIT = 120


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def poll_feed(feed_id: int) -> int:
    """Returns how many new items the poll found."""
    return len(services.feed_poll(feed_id=feed_id).new_items)


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def import_page(page_id: int) -> str:
    try:
        page = services.page_import_run(page_id=page_id)
    except SoftTimeLimitExceeded:
        services.page_import_timed_out(page_id=page_id, seconds=SOFT_TIME_LIMIT)
        return "failed"
    return page.state if page else "skipped"


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def deliver_webhook(delivery_id: int) -> str:
    delivery = services.webhook_deliver(delivery_id=delivery_id)
    return delivery.state if delivery else "skipped"


@shared_task
def send_due_web_work() -> int:
    """Beat's round: due feeds polled, due page imports and webhook deliveries sent."""
    return (
        services.feeds_send_due()
        + services.page_imports_send_due()
        + services.webhook_deliveries_send_due()
    )
