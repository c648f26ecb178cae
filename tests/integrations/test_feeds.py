"""Feeds polled on their interval, pages fetched and imported, nothing lost, nothing doubled."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from werkzeug import Response

from claims import broker, services, web_tasks
from claims.models import Article, Feed, PageImport
from tests.integrations.pages import article_page, atom, rss

pytestmark = pytest.mark.django_db
RSS = "application/rss+xml"


@pytest.fixture
def sent(monkeypatch):
    """The web tasks the services hand to the broker, run at once as a worker would."""
    calls = []
    tasks = {
        services.feeds.POLL_FEED: web_tasks.poll_feed,
        services.feeds.IMPORT_PAGE: web_tasks.import_page,
    }

    def send_web(task, *, args):
        calls.append((task, *args))
        if task in tasks:
            tasks[task](*args)

    monkeypatch.setattr(broker, "send_web", send_web)
    return calls


def serve_story(web, n: int, path: str = "", **kwargs) -> str:
    path = path or f"/news/{n}"
    web.expect_request(path).respond_with_data(article_page(n, **kwargs), content_type="text/html")
    return web.url_for(path)


def serve_feed(web, items, *, path="/feed.xml") -> str:
    web.expect_request(path).respond_with_data(rss(items), content_type=RSS)
    return web.url_for(path)


def make_feed(web, items, *, path="/feed.xml", **kwargs) -> Feed:
    return Feed.objects.create(name=path, url=serve_feed(web, items, path=path), **kwargs)


def run_pending() -> list[PageImport]:
    for page in PageImport.objects.filter(state=PageImport.State.PENDING):
        services.page_import_run(page_id=page.pk)
    return list(PageImport.objects.order_by("id"))


def test_a_feed_is_polled_and_its_pages_become_articles_with_their_metadata(web):
    links = [serve_story(web, n) for n in range(3)]
    feed = make_feed(web, [(f"guid-{n}", link) for n, link in enumerate(links)], outlet="Fallback")
    poll = services.feed_poll(feed_id=feed.pk)
    assert poll.polled and len(poll.new_items) == 3 and not poll.error
    pages = run_pending()
    assert [p.state for p in pages] == [PageImport.State.IMPORTED] * 3
    article = pages[0].article
    assert article.title == "Floods move 1,000 people in Karven"
    assert article.outlet == "Test Wire"  # the page's own site name beats the feed's fallback
    assert article.url == links[0]
    assert article.published_date == datetime.date(2024, 5, 2)
    assert "1,000 people were moved" in article.body
    assert "Share this article" not in article.body and "Home" not in article.body
    assert pages[0].author == "Jane Reporter"
    assert article.jobs.count() == 1  # queued for extraction like any upload
    feed.refresh_from_db()
    assert (feed.items_imported, feed.failures, feed.last_error) == (3, 0, "")
    assert feed.next_poll_at > timezone.now() + datetime.timedelta(minutes=14)


def test_atom_feeds_are_read_too(web):
    feed_url = web.url_for("/atom")
    web.expect_request("/atom").respond_with_data(
        atom([("urn:1", serve_story(web, 1))]), content_type="application/atom+xml"
    )
    feed = Feed.objects.create(name="atom", url=feed_url)
    assert len(services.feed_poll(feed_id=feed.pk).new_items) == 1


def test_conditional_get_answers_304_and_costs_nothing(web):
    link = serve_story(web, 1)
    body = rss([("g1", link)])
    seen_headers = []

    def conditional(request):
        seen_headers.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            body,
            content_type=RSS,
            headers={"ETag": '"v1"', "Last-Modified": "Thu, 02 May 2024 10:00:00 GMT"},
        )

    web.expect_request("/feed").respond_with_handler(conditional)
    feed = Feed.objects.create(name="wire", url=web.url_for("/feed"))
    assert len(services.feed_poll(feed_id=feed.pk).new_items) == 1
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ('"v1"', "Thu, 02 May 2024 10:00:00 GMT")
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    again = services.feed_poll(feed_id=feed.pk)
    assert again.not_modified and again.new_items == []
    assert seen_headers[-1]["If-None-Match"] == '"v1"'
    assert seen_headers[-1]["If-Modified-Since"] == "Thu, 02 May 2024 10:00:00 GMT"
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.last_error == ""
    assert PageImport.objects.count() == 1


def test_a_feed_is_not_polled_before_it_is_due_nor_twice_at_once(web):
    feed = make_feed(web, [("g", serve_story(web, 1))])
    assert services.feed_poll(feed_id=feed.pk).polled
    assert not services.feed_poll(feed_id=feed.pk).polled  # next poll in 15 minutes
    Feed.objects.filter(pk=feed.pk).update(is_active=False, next_poll_at=timezone.now())
    assert not services.feed_poll(feed_id=feed.pk).polled


def test_items_seen_before_are_not_imported_again(web):
    links = [serve_story(web, n) for n in range(2)]
    feed = make_feed(web, [("a", links[0])])
    services.feed_poll(feed_id=feed.pk)
    web.clear()
    serve_feed(web, [("b", links[1]), ("a", links[0])])
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    poll = services.feed_poll(feed_id=feed.pk)
    assert len(poll.new_items) == 1
    assert PageImport.objects.count() == 2


def test_duplicates_by_canonical_url_and_by_body_are_stored_once(web):
    canonical = "https://wire.example.org/story/7"
    first = serve_story(web, 7, canonical=canonical + "?utm_source=rss")
    # The same story under another address, naming the same canonical URL.
    syndicated = serve_story(web, 7, path="/syndicated/7", canonical=canonical)
    # The same text under a different URL and no canonical link: caught by its body.
    copied = serve_story(web, 7, path="/copy/7")
    one = make_feed(web, [("1", first), ("2", syndicated)], path="/one.xml")
    two = make_feed(web, [("x", copied), ("y", first)], path="/two.xml")
    services.feed_poll(feed_id=one.pk)
    services.feed_poll(feed_id=two.pk)
    pages = run_pending()
    assert Article.objects.count() == 1
    article = Article.objects.get()
    assert article.url == canonical  # tracking parameters dropped
    states = sorted(p.state for p in pages)
    assert states == ["duplicate", "duplicate", "duplicate", "imported"]
    assert {p.article_id for p in pages} == {article.pk}
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.items_imported + two.items_imported == 1


def test_a_failing_feed_backs_off_and_never_stops_the_others(
    web, sent, django_capture_on_commit_callbacks
):
    web.expect_request("/broken.xml").respond_with_data("down", status=500)
    web.expect_request("/html").respond_with_data(
        "<html><body>not a feed</body></html>", content_type="text/html"
    )
    broken = Feed.objects.create(name="broken", url=web.url_for("/broken.xml"), interval_minutes=10)
    html = Feed.objects.create(name="html", url=web.url_for("/html"))
    good = make_feed(web, [("g", serve_story(web, 3))])
    with django_capture_on_commit_callbacks(execute=True):
        web_tasks.send_due_web_work()  # beat's round: each feed in its own task
    broken.refresh_from_db()
    html.refresh_from_db()
    good.refresh_from_db()
    assert "HTTP 500" in broken.last_error and broken.failures == 1
    pause = broken.next_poll_at - broken.last_polled_at
    assert pause == datetime.timedelta(minutes=20)  # interval x 2^failures
    assert "not an RSS or Atom feed" in html.last_error
    assert good.items_imported == 1 and good.last_error == ""
    # The next failure waits twice as long; a success resets the count.
    Feed.objects.filter(pk=broken.pk).update(next_poll_at=timezone.now())
    services.feed_poll(feed_id=broken.pk)
    broken.refresh_from_db()
    assert broken.failures == 2
    assert broken.next_poll_at - broken.last_polled_at == datetime.timedelta(minutes=40)
    web.clear()
    serve_feed(web, [], path="/broken.xml")
    Feed.objects.filter(pk=broken.pk).update(next_poll_at=timezone.now())
    services.feed_poll(feed_id=broken.pk)
    broken.refresh_from_db()
    assert (broken.failures, broken.last_error) == (0, "")


def test_a_page_that_times_out_is_kept_with_its_error_and_imported_later(web):
    def stall(request):
        time.sleep(1.2)
        return Response(article_page(5), content_type="text/html")

    web.expect_oneshot_request("/slow").respond_with_handler(stall)
    feed = make_feed(web, [("slow", web.url_for("/slow"))])
    services.feed_poll(feed_id=feed.pk)
    (page,) = run_pending()
    assert page.state == PageImport.State.PENDING
    assert "did not answer in time" in page.error
    assert page.attempts == 1 and page.next_attempt_at > timezone.now()
    assert services.page_import_run(page_id=page.pk) is None  # not due yet
    # A minute later the page answers.
    web.expect_request("/slow").respond_with_data(article_page(5), content_type="text/html")
    PageImport.objects.filter(pk=page.pk).update(next_attempt_at=timezone.now())
    page = services.page_import_run(page_id=page.pk)
    assert page.state == PageImport.State.IMPORTED and page.attempts == 2
    assert page.error == ""


def test_a_page_that_keeps_failing_is_failed_after_its_tries_and_stays_listed(web, settings):
    settings.NEWSFACTS_PAGE_MAX_ATTEMPTS = 2
    web.expect_request("/down").respond_with_data("", status=503)
    (page,) = services.page_imports_create(urls=[web.url_for("/down")])[0]
    services.page_import_run(page_id=page.pk)
    PageImport.objects.filter(pk=page.pk).update(next_attempt_at=timezone.now())
    page = services.page_import_run(page_id=page.pk)
    assert page.state == PageImport.State.FAILED
    assert page.error.startswith("Gave up after 2 tries") and "HTTP 503" in page.error
    # An editor tries it again once the site is back.
    web.clear()
    serve_story(web, 9, path="/down")
    assert services.page_imports_retry(page_ids=[page.pk]) == 1
    assert services.page_import_run(page_id=page.pk).state == PageImport.State.IMPORTED


def test_a_redirect_to_a_private_address_is_refused_and_not_retried(web):
    web.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    (page,) = services.page_imports_create(urls=[web.url_for("/moved")])[0]
    page = services.page_import_run(page_id=page.pk)
    assert page.state == PageImport.State.FAILED
    assert "169.254.169.254" in page.error and "private" in page.error
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "body, content_type, error",
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0", "image/png", "not a web page"),
        (
            "<html><head><title>t</title></head><body><script>x()</script></body></html>",
            "text/html",
            "no article text",
        ),
        (
            "<html><body><article>" + "<b>x</b>" * 30_000 + "</article></body></html>",
            "text/html",
            "tags, more than",
        ),
    ],
)
def test_pages_without_an_article_fail_with_a_reason(web, body, content_type, error):
    web.expect_request("/page").respond_with_data(body, content_type=content_type)
    (page,) = services.page_imports_create(urls=[web.url_for("/page")])[0]
    page = services.page_import_run(page_id=page.pk)
    assert page.state == PageImport.State.FAILED and error in page.error


def test_hostile_markup_is_reduced_to_plain_text(web):
    hostile = '<script>alert(1)</script><p onclick="steal()">Officials said <img src=x onerror=alert(2)>4,000 people were moved.</p>'
    serve_story(web, 2, path="/hostile", extra=hostile)
    (page,) = services.page_imports_create(urls=[web.url_for("/hostile")])[0]
    article = services.page_import_run(page_id=page.pk).article
    assert "4,000 people were moved" in article.body
    assert "<" not in article.body and "alert" not in article.body


def test_pasted_urls_are_checked_at_once_and_each_is_recorded(web):
    recorded, refused = services.page_imports_create(
        urls=[
            "https://wire.example.org/a",
            "javascript:alert(1)",
            "",
            "https://wire.example.org/a",
            "ftp://x/y",
        ]
    )
    assert [p.url for p in recorded] == ["https://wire.example.org/a"]
    assert [url for url, _ in refused] == [
        "javascript:alert(1)",
        "https://wire.example.org/a",
        "ftp://x/y",
    ]
    assert "Pasted twice" in refused[1][1]


def test_a_feed_that_lists_thousands_of_items_has_only_its_first_ones_taken(web):
    items = [
        (f"g{n}", f"http://wire.example.org/{n}")
        for n in range(services.feeds.MAX_ITEMS_PER_POLL + 50)
    ]
    feed = make_feed(web, items)
    assert len(services.feed_poll(feed_id=feed.pk).new_items) == services.feeds.MAX_ITEMS_PER_POLL


def test_the_sweeper_sends_due_work_once_per_lease_and_takes_back_a_dead_workers(web, sent):
    feed = make_feed(web, [("g", "http://wire.example.org/1")])
    assert services.feeds_send_due() == 1
    assert services.feeds_send_due() == 0  # just polled
    page = PageImport.objects.get()
    assert page.state == PageImport.State.PENDING
    sent.clear()
    # The broker was down when the poll committed: the page waits for the sweeper.
    assert services.page_imports_send_due() == 0  # sent within the lease
    PageImport.objects.filter(pk=page.pk).update(sent_at=timezone.now() - services.feeds.LEASE)
    assert services.page_imports_send_due() == 1
    # A worker that died mid-fetch leaves the page "fetching" until its lease runs out.
    PageImport.objects.filter(pk=page.pk).update(
        state=PageImport.State.FETCHING,
        next_attempt_at=timezone.now() + services.feeds.LEASE,
        sent_at=None,
    )
    assert services.page_import_run(page_id=page.pk) is None  # a duplicate delivery: skipped
    assert services.page_imports_send_due() == 0
    PageImport.objects.filter(pk=page.pk).update(next_attempt_at=timezone.now())
    assert services.page_imports_send_due() == 1
    assert feed.pk
