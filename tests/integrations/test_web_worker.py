"""End to end on a real worker and a real Redis: a subscribed feed becomes extracted
articles without anyone touching them, and a CMS hears of each by signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from werkzeug import Response

from claims import services
from claims.models import Article, ExtractionJob, Feed, PageImport, WebhookSubscription
from tests.conftest import start_worker, stop_worker, wait_for
from tests.integrations.pages import article_page, rss


@pytest.mark.worker
def test_a_feed_becomes_extracted_articles_and_signed_webhooks(
    redis_server, transactional_db, tmp_path, httpserver
):
    web = httpserver
    links = []
    for n in range(3):
        web.expect_request(f"/news/{n}").respond_with_data(
            article_page(n), content_type="text/html"
        )
        links.append(web.url_for(f"/news/{n}"))
    web.expect_request("/feed.xml").respond_with_data(
        rss([(f"g{n}", link) for n, link in enumerate(links)]), content_type="application/rss+xml"
    )
    heard = []

    def receiver(request):
        body = request.get_data()
        fields = dict(p.split("=", 1) for p in request.headers["X-NewsFacts-Signature"].split(","))
        good = hmac.new(
            b"cms-secret", f"{fields['t']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        heard.append((hmac.compare_digest(good, fields["v1"]), json.loads(body)))
        return Response("ok")

    web.expect_request("/hooks", method="POST").respond_with_handler(receiver)
    Feed.objects.create(name="Test Wire", url=web.url_for("/feed.xml"))
    WebhookSubscription.objects.create(
        name="CMS", url=web.url_for("/hooks"), secret="cms-secret", events=["article.extracted"]
    )
    # The worker may fetch from this machine's loopback, where the test's server is.
    worker = start_worker(
        tmp_path, "--pool", "solo", env={"NEWSFACTS_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8"}
    )
    try:
        assert services.feeds_send_due() == 1  # what beat does every 30 seconds
        wait_for(lambda: len(heard) == 3, timeout=120, what="three article.extracted webhooks")
    finally:
        stop_worker(worker)
    assert Article.objects.count() == 3
    assert set(PageImport.objects.values_list("state", flat=True)) == {"imported"}
    assert set(ExtractionJob.objects.values_list("state", flat=True)) == {"done"}
    assert all(verified for verified, _ in heard)
    extracted = {
        body["data"]["article"]["id"]: body["data"]["job"]["claim_count"] for _, body in heard
    }
    assert extracted == {a.pk: a.claims.count() for a in Article.objects.all()}
    assert all(count > 0 for count in extracted.values())
    assert Feed.objects.get().items_imported == 3
