"""A fetched web page to an article: its text and metadata, read by trafilatura, bounded.

Feeds and URL imports share this step (claims/services/feeds.py); uploads keep their own
(claims/uploads.py). A page is read only after fetching bounded its size; its markup is
bounded too, because trafilatura's time grows faster than the number of tags (measured:
20,000 tags 0.9 s, 100,000 tags 5 s, 200,000 tags 13 s on the benchmark machine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import courlan
import trafilatura

# Generous for news pages (a heavy one has ~15,000 tags) and a ~2 s parse at worst.
MAX_TAGS = 50_000
_TAG = re.compile(rb"<[A-Za-z!/?]")
# Parse time grows faster than the number of attributes too, even in few tags.
MAX_ATTRIBUTES = 50_000
_ATTRIBUTE = re.compile(rb"[\s\"'][A-Za-z_:][-A-Za-z0-9_:.]*\s*=")


class PageError(ValueError):
    """The page holds no article the desk can import; the message says why."""


@dataclass
class WebArticle:
    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    published_date: str = ""
    canonical_url: str = ""


def canonical_url(url: str) -> str:
    """The URL one article is known by: scheme and host lower-cased, default port, tracking
    parameters (utm_*, fbclid...) and the fragment dropped, the query sorted."""
    try:
        normalised = courlan.normalize_url(url.strip())
    except (ValueError, AttributeError):
        normalised = url.strip()
    return normalised.split("#", 1)[0]


def check_markup(html: bytes, *, name: str) -> None:
    """Refuse markup too big to read in bounded time: counting is linear, parsing is not."""
    tags = len(_TAG.findall(html))
    if tags > MAX_TAGS:
        raise PageError(f"{name} has {tags:,} tags, more than the {MAX_TAGS:,} the desk reads.")
    attributes = len(_ATTRIBUTE.findall(html))
    if attributes > MAX_ATTRIBUTES:
        raise PageError(
            f"{name} has {attributes:,} attributes, more than the {MAX_ATTRIBUTES:,} "
            "the desk reads."
        )


def page_article(html: bytes, *, url: str, content_type: str = "") -> WebArticle:
    """The article in a page's HTML; PageError when there is none to import."""
    if content_type and content_type not in ("text/html", "application/xhtml+xml"):
        raise PageError(f"{url} is {content_type}, not a web page.")
    if b"\0" in html[:4096]:
        raise PageError(f"{url} is a binary file, not a web page.")
    check_markup(html, name=url)
    # Bytes, so trafilatura reads the page's own charset declaration (or detects one).
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False
    )
    if not document or not (document.text or "").strip():
        raise PageError(f"{url}: no article text found on the page.")
    return WebArticle(
        text=document.text,
        title=(document.title or "").strip(),
        outlet=(document.sitename or "").strip(),
        author=(document.author or "").strip(),
        published_date=document.date or "",
        canonical_url=canonical_url(document.url or url),
    )
