"""Articles from the web: feeds polled on their interval, and pages imported by URL.

Every page to import is a PageImport, recorded before anything is fetched, then fetched
(claims/fetching.py), read (claims/webpages.py) and stored through ``article_create``, so
it is deduplicated by body like any upload, and here also by canonical URL. A page that
fails keeps its error and is tried again with growing pauses; a feed that fails backs off
on its own and never holds up another feed (each is polled in its own task).

Work is claimed like extraction jobs: a conditional update that moves ``next_*_at`` into
the future (a lease), so two deliveries of one task, or a poll that overlaps the next
beat, do the work once; a worker that dies leaves the lease to run out and the sweeper
(``web_work_send_due``) sends the work again.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import logging
from dataclasses import dataclass, field

import feedparser
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import broker, fetching, webpages
from claims.models import Article, Feed, PageImport
from claims.selectors import article_duplicate_of
from claims.services.articles import DuplicateArticle, article_create
from claims.uploads import UploadError, html_to_text

logger = logging.getLogger(__name__)

POLL_FEED = "claims.web_tasks.poll_feed"
IMPORT_PAGE = "claims.web_tasks.import_page"
# How long a poll or an import may hold its work before the sweeper sends it again.
LEASE = datetime.timedelta(minutes=5)
# A feed that lists more items than this at once (an archive dump, a hostile feed) has
# only its first ones taken per poll.
MAX_ITEMS_PER_POLL = 200
FEED_TYPES = ("xml", "rss", "atom", "rdf")


# --- feeds --------------------------------------------------------------------------------


@dataclass
class FeedPoll:
    feed_id: int
    polled: bool = False  # False: not due, inactive, or another poll holds it
    not_modified: bool = False
    new_items: list[int] = field(default_factory=list)
    error: str = ""


def feed_poll(*, feed_id: int) -> FeedPoll:
    """Poll one feed if it is due: conditional GET, new items recorded and sent for import."""
    now = timezone.now()
    report = FeedPoll(feed_id=feed_id)
    claimed = Feed.objects.filter(pk=feed_id, is_active=True, next_poll_at__lte=now).update(
        next_poll_at=now + LEASE, sent_at=None
    )
    if not claimed:
        return report
    report.polled = True
    feed = Feed.objects.get(pk=feed_id)
    conditional = {}
    if feed.etag:
        conditional["If-None-Match"] = feed.etag
    if feed.last_modified:
        conditional["If-Modified-Since"] = feed.last_modified
    try:
        fetched = fetching.fetch(feed.url, headers=conditional)
        if fetched.status == 304:
            report.not_modified = True
        else:
            fetched.raise_for_status()
            entries = _feed_entries(fetched)
            report.new_items = _feed_items_record(feed=feed, entries=entries)
    except (fetching.FetchError, FeedError) as exc:
        report.error = str(exc)
        _feed_failed(feed=feed, error=report.error, now=now)
        return report
    updates = {
        "sent_at": None,
        "last_polled_at": now,
        "last_error": "",
        "failures": 0,
        "next_poll_at": now + datetime.timedelta(minutes=feed.interval_minutes),
    }
    if not report.not_modified:
        updates["etag"] = fetched.headers.get("etag", "")[:500]
        updates["last_modified"] = fetched.headers.get("last-modified", "")[:100]
    Feed.objects.filter(pk=feed.pk).update(**updates)
    for page_id in report.new_items:
        transaction.on_commit(functools.partial(page_import_send, page_id=page_id))
    return report


class FeedError(ValueError):
    pass


def _feed_entries(fetched: fetching.Fetched) -> list[dict]:
    """The entries of a fetched feed, newest first as the feed lists them."""
    kind = fetched.content_type.rsplit("/", 1)[-1].split("+")[0]
    if fetched.content_type and kind not in FEED_TYPES and fetched.content_type != "text/plain":
        raise FeedError(f"{fetched.url} is {fetched.content_type}, not an RSS or Atom feed.")
    # A byte stream, never a string: feedparser would treat a string as a URL or a path.
    parsed = feedparser.parse(
        io.BytesIO(fetched.body),
        response_headers={
            "content-type": fetched.headers.get("content-type", "application/xml"),
            "content-location": fetched.url,
        },
        sanitize_html=True,
    )
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", "") or "unreadable"
        raise FeedError(f"{fetched.url} is not a readable RSS or Atom feed ({reason}).")
    entries = []
    for entry in parsed.entries[:MAX_ITEMS_PER_POLL]:
        link = entry.get("link") or ""
        if link:
            entries.append(
                {"guid": entry.get("id") or link, "url": link, "title": entry.get("title", "")}
            )
    return entries


def _feed_items_record(*, feed: Feed, entries: list[dict]) -> list[int]:
    """Record the items not seen before; returns their ids."""
    by_key = {_item_key(entry["guid"]): entry for entry in entries}
    seen = set(
        PageImport.objects.filter(feed=feed, item_key__in=list(by_key)).values_list(
            "item_key", flat=True
        )
    )
    fresh = [
        PageImport(
            feed=feed,
            item_key=key,
            url=entry["url"][:2000],
            title=str(entry["title"])[:500],
            sent_at=timezone.now(),  # sent when the poll commits
        )
        for key, entry in by_key.items()
        if key not in seen
    ]
    # ignore_conflicts: a poll that somehow overlaps another records each item once.
    PageImport.objects.bulk_create(fresh, ignore_conflicts=True)
    return list(
        PageImport.objects.filter(
            feed=feed, item_key__in=[page.item_key for page in fresh], attempts=0
        ).values_list("pk", flat=True)
    )


def _item_key(guid: str) -> str:
    return hashlib.sha256(str(guid).encode()).hexdigest()


def _feed_failed(*, feed: Feed, error: str, now: datetime.datetime) -> None:
    """Back off: the next poll waits interval x 2^failures, capped."""
    failures = feed.failures + 1
    pause = min(
        feed.interval_minutes * 60 * 2**failures, max(settings.NEWSFACTS_FEED_MAX_BACKOFF, 60)
    )
    Feed.objects.filter(pk=feed.pk).update(
        sent_at=None,
        failures=failures,
        last_error=error[:2000],
        last_polled_at=now,
        next_poll_at=now + datetime.timedelta(seconds=pause),
    )
    logger.warning("Feed %s failed (%s in a row): %s", feed.pk, failures, error)


def feeds_send_due() -> int:
    """Send a poll task for every active feed that is due and not already sent within the
    lease; returns how many were sent."""
    now = timezone.now()
    due = list(
        Feed.objects.filter(is_active=True, next_poll_at__lte=now)
        .filter(Q(sent_at=None) | Q(sent_at__lte=now - LEASE))
        .values_list("pk", flat=True)
    )
    sent = [pk for pk in due if _send(POLL_FEED, pk)]
    Feed.objects.filter(pk__in=sent).update(sent_at=now)
    return len(sent)


# --- pages --------------------------------------------------------------------------------


def page_imports_create(
    *, urls: list[str], requested_by: AbstractBaseUser | None = None, send: bool = True
) -> tuple[list[PageImport], list[tuple[str, str]]]:
    """Record pasted URLs for import, sent to the workers on commit (``send=False``: the
    caller runs them itself, as ``manage.py import_url`` does).

    Returns the recorded imports and the (url, reason) of those refused at once: not a web
    address, or pasted twice."""
    recorded, refused, seen = [], [], set()
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        try:
            fetching.check_url(url)
        except fetching.FetchError as exc:
            refused.append((url, str(exc)))
            continue
        if url in seen:
            refused.append((url, "Pasted twice; imported once."))
            continue
        seen.add(url)
        recorded.append(
            PageImport(url=url[:2000], requested_by=requested_by, sent_at=timezone.now())
        )
    with transaction.atomic():
        recorded = PageImport.objects.bulk_create(recorded)
        for page in recorded if send else []:
            transaction.on_commit(functools.partial(page_import_send, page_id=page.pk))
    return recorded, refused


@dataclass
class HtmlUpload:
    """An uploaded HTML file, decoded but not parsed, and what the editor typed beside it."""

    name: str
    html: str
    given: dict = field(default_factory=dict)  # title, outlet, url, published_date


def html_uploads_create(
    *, uploads: list[HtmlUpload], requested_by: AbstractBaseUser | None = None
) -> list[PageImport]:
    """Record uploaded HTML files for a worker to read, sent on commit.

    Reading HTML takes time that grows faster than its markup, so no request does it: the
    editor is answered at once and each file becomes an article (or keeps its error) like
    a page imported by URL."""
    recorded = [
        PageImport(
            upload_name=upload.name[:255],
            html=upload.html,
            given={k: str(v) for k, v in upload.given.items() if v},
            title=str(upload.given.get("title") or "")[:500],
            requested_by=requested_by,
            sent_at=timezone.now(),
        )
        for upload in uploads
    ]
    with transaction.atomic():
        recorded = PageImport.objects.bulk_create(recorded)
        for page in recorded:
            transaction.on_commit(functools.partial(page_import_send, page_id=page.pk))
    return recorded


def page_import_send(*, page_id: int) -> bool:
    if _send(IMPORT_PAGE, page_id):
        return True
    # Not on its way after all: the sweeper's next round sends it.
    PageImport.objects.filter(pk=page_id).update(sent_at=None)
    return False


def page_import_run(*, page_id: int) -> PageImport | None:
    """Fetch, read and store one page, if it is due and no other delivery holds it.

    Returns the import as it ended, or None when there was nothing to do."""
    now = timezone.now()
    claimed = PageImport.objects.filter(
        pk=page_id,
        state__in=[PageImport.State.PENDING, PageImport.State.FETCHING],
        next_attempt_at__lte=now,
        attempts__lt=settings.NEWSFACTS_PAGE_MAX_ATTEMPTS,
    ).update(
        state=PageImport.State.FETCHING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + LEASE,
        sent_at=None,
        updated_at=now,
    )
    if not claimed:
        return None
    page = PageImport.objects.select_related("feed").get(pk=page_id)
    try:
        _page_import(page)
    except fetching.FetchError as exc:
        retry = exc.transient or exc.status == 404  # a fresh story may not be online yet
        _page_failed(page, str(exc), retry=retry)
    except (webpages.PageError, UploadError) as exc:
        _page_failed(page, str(exc), retry=False)
    return page


def _page_import(page: PageImport) -> None:
    if page.html:
        return _uploaded_page_import(page)
    checked = webpages.canonical_url(page.url)
    known = _article_at(checked)
    if known:
        return _page_done(page, article=known, duplicate=True)
    fetched = fetching.fetch(page.url)
    fetched.raise_for_status()
    found = webpages.page_article(fetched.body, url=fetched.url, content_type=fetched.content_type)
    page.canonical_url = found.canonical_url[:2000]
    page.url_key = _url_key(page.canonical_url)
    page.author = found.author[:300]
    # The page's own canonical URL, and where redirects led, unless already looked up.
    for url in dict.fromkeys([found.canonical_url, webpages.canonical_url(fetched.url)]):
        known = None if url == checked else _article_at(url)
        if known:
            return _page_done(page, article=known, duplicate=True)
    try:
        article = article_create(
            text=found.text,
            title=found.title or page.title,
            outlet=found.outlet or (page.feed.outlet if page.feed else ""),
            url=found.canonical_url,
            published_date=found.published_date,
            uploaded_by=page.requested_by,
        )
    except DuplicateArticle as exc:
        return _page_done(page, article=exc.existing, duplicate=True)
    except IntegrityError:
        # Another worker stored the same body a moment ago (the body hash is unique).
        existing = article_duplicate_of(text=found.text, title=found.title)
        if existing is None:
            raise
        return _page_done(page, article=existing, duplicate=True)
    _page_done(page, article=article, duplicate=False)


def _uploaded_page_import(page: PageImport) -> None:
    """An uploaded HTML file: bounded, read, stored; its markup dropped once stored."""
    name = page.upload_name or f"upload {page.pk}"
    found = html_to_text(page.html, name=name)  # bounded by its markup first
    given = page.given or {}
    try:
        article = article_create(
            text=found.text,
            title=given.get("title") or found.title,
            outlet=given.get("outlet") or found.outlet,
            url=given.get("url") or found.url,
            published_date=given.get("published_date") or found.published_date,
            uploaded_by=page.requested_by,
        )
    except DuplicateArticle as exc:
        article, duplicate = exc.existing, True
    else:
        duplicate = False
    page.html = ""
    page.title = article.title[:500]
    page.save(update_fields=["html", "title"])
    _page_done(page, article=article, duplicate=duplicate)


def _article_at(url: str) -> Article | None:
    """An article already stored under this canonical URL (imported, or uploaded with it)."""
    if not url:
        return None
    imported = (
        PageImport.objects.filter(url_key=_url_key(url), state=PageImport.State.IMPORTED)
        .exclude(article=None)
        .select_related("article")
        .order_by()
        .first()
    )
    if imported:
        return imported.article
    # Articles uploaded by hand with their URL; Article.url has no index (it is not this
    # module's table), so this one is a scan, without a sort.
    return Article.objects.filter(url=url).order_by().first()


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _page_done(page: PageImport, *, article: Article, duplicate: bool) -> None:
    page.article = article
    page.state = PageImport.State.DUPLICATE if duplicate else PageImport.State.IMPORTED
    page.error = ""
    page.save(
        update_fields=[
            "article",
            "state",
            "error",
            "canonical_url",
            "url_key",
            "author",
            "updated_at",
        ]
    )
    if page.feed_id and not duplicate:
        Feed.objects.filter(pk=page.feed_id).update(items_imported=F("items_imported") + 1)


def _page_failed(page: PageImport, error: str, *, retry: bool) -> None:
    """Keep the error; wait 1, 2, 4... minutes (at most six hours) before the next try,
    or give up when the error is the page's own or the tries are used up."""
    out_of_tries = page.attempts >= settings.NEWSFACTS_PAGE_MAX_ATTEMPTS
    page.error = error[:2000]
    if retry and not out_of_tries:
        page.state = PageImport.State.PENDING
        pause = min(60 * 2 ** (page.attempts - 1), 6 * 60 * 60)
        page.next_attempt_at = timezone.now() + datetime.timedelta(seconds=pause)
    else:
        page.state = PageImport.State.FAILED
        if retry:
            page.error = f"Gave up after {page.attempts} tries: {page.error}"
    page.save(
        update_fields=[
            "state",
            "error",
            "next_attempt_at",
            "canonical_url",
            "url_key",
            "author",
            "updated_at",
        ]
    )


def page_import_timed_out(*, page_id: int, seconds: float) -> None:
    """A page that took the worker longer than its time limit to read fails, not retried:
    it would take as long the next time."""
    page = PageImport.objects.filter(pk=page_id, state=PageImport.State.FETCHING).first()
    if page:
        _page_failed(page, f"Reading the page took longer than {seconds:.0f} s.", retry=False)


def page_imports_retry(*, page_ids: list[int]) -> int:
    """Try failed imports again from the start (the admin's "Try again")."""
    ids = list(
        PageImport.objects.filter(pk__in=page_ids)
        .filter(Q(state=PageImport.State.FAILED) | Q(state=PageImport.State.PENDING))
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    PageImport.objects.filter(pk__in=ids).update(
        state=PageImport.State.PENDING, attempts=0, next_attempt_at=now, sent_at=now
    )
    for page_id in ids:
        transaction.on_commit(functools.partial(page_import_send, page_id=page_id))
    return len(ids)


def page_imports_send_due() -> int:
    """Send every import that is due (waiting to be retried, or held by a lease that ran
    out because its worker died) and not already sent within the lease (it may still be
    waiting in the queue, or never have reached it)."""
    now = timezone.now()
    PageImport.objects.filter(
        state=PageImport.State.FETCHING,
        next_attempt_at__lte=now,
        attempts__gte=settings.NEWSFACTS_PAGE_MAX_ATTEMPTS,
    ).update(
        state=PageImport.State.FAILED,
        error="Gave up: the worker stopped while reading this page on every try.",
        updated_at=now,
    )
    due = list(
        PageImport.objects.filter(
            state__in=[PageImport.State.PENDING, PageImport.State.FETCHING],
            next_attempt_at__lte=now,
        )
        .filter(Q(sent_at=None) | Q(sent_at__lte=now - LEASE))
        .values_list("pk", flat=True)[:1000]
    )
    sent = [pk for pk in due if _send(IMPORT_PAGE, pk)]
    PageImport.objects.filter(pk__in=sent).update(sent_at=now)
    return len(sent)


def _send(task: str, pk: int) -> bool:
    try:
        broker.send_web(task, args=[pk])
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("%s %s stays for the sweeper: the broker refused it (%s)", task, pk, exc)
        return False
    return True
