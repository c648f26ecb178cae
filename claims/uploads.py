"""Turning uploaded bytes into article text: size bounds, encodings, HTML, JSONL.

Every refusal is an ``UploadError`` whose message an editor can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import html as htmllib
import json
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

import charset_normalizer
import trafilatura
from django.conf import settings

from claims import extraction, webpages

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ALLOWED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
_WEB_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
# libxml2 (under trafilatura) silently drops everything nested deeper than 255 elements;
# markup deeper than this is flattened first so its text survives.
MAX_HTML_DEPTH = 100
_VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "pre", "table", "ul", "ol",
}  # fmt: skip


class UploadError(ValueError):
    pass


@dataclass
class UploadedArticle:
    """One article's worth of an upload, before it becomes an Article."""

    text: str
    name: str = ""
    # Set when this part of the upload could not be read: the import reports it and
    # goes on with the rest of the file.
    error: str = ""
    title: str = ""
    outlet: str = ""
    url: str = ""
    published_date: str = ""


def check_upload_size(upload) -> None:
    """Refuse an uploaded file by its declared size, before reading it into memory."""
    limit = settings.NEWSFACTS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise UploadError(f"{upload.name} is {upload.size:,} bytes; the limit is {limit:,} bytes.")


def check_text_size(text: str, *, name: str = "The pasted text") -> None:
    """Refuse text larger than a file may be: a paste is bounded like an upload."""
    limit = settings.NEWSFACTS_MAX_UPLOAD_BYTES
    size = len(text.encode("utf-8", errors="replace"))
    if size > limit:
        raise UploadError(
            f"{name} is {size:,} bytes; the limit is {limit:,} bytes (as for files). "
            "Split the article, or import only its relevant part."
        )


def decode_text(data: bytes, *, name: str = "upload") -> str:
    """Decode bytes as text: BOMs first, then UTF-8, then a detected legacy encoding."""
    limit = settings.NEWSFACTS_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise UploadError(f"{name} is {len(data):,} bytes; the limit is {limit:,} bytes.")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return strip_controls(data.decode(encoding, errors="replace"))
    if b"\x00" in data:
        raise UploadError(f"{name} looks like a binary file, not text.")
    try:
        return strip_controls(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise UploadError(f"{name} is not text in any encoding NewsFacts recognises.")
    # A short text reads equally cleanly in several single-byte encodings and the
    # detector's pick among them is close to a coin toss; Windows-1252 (a superset of
    # Latin-1) is what Western newsrooms' legacy files are, so it wins such ties.
    cleanest = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= cleanest + 0.01]
    chosen = next((m for m in tied if m.encoding in WESTERN_ENCODINGS), matches[0])
    return strip_controls(str(chosen))


def strip_controls(text: str) -> str:
    """Drop control characters (NUL included: PostgreSQL cannot store it) but keep
    line breaks and tabs; they only ever come from broken files or escaped JSON."""
    return "".join(ch for ch in text if ch >= " " or ch in "\n\r\t").replace("\r\n", "\n")


def article_parts(text: str, title: str = "") -> extraction.ArticleParts:
    """Headline, dateline and body of an article's text, line breaks and controls cleaned.

    With an explicit title the whole text is body; a blank line keeps parse_article from
    taking the first paragraph for a headline.
    """
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    return extraction.parse_article(f"{title.strip()}\n\n{text}" if title.strip() else text)


def body_hash(body: str) -> str:
    """Hash of the body as a reader sees it: Unicode-normalised, whitespace collapsed."""
    normalised = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(normalised.encode()).hexdigest()


def is_web_url(url: str) -> bool:
    """Only web addresses are stored as links the desk clicks: never javascript: or data:."""
    return bool(_WEB_URL.match(url))


class _DepthFlattener(HTMLParser):
    """Rewrites HTML keeping every text node but no element deeper than ``max_depth``
    (a block dropped that deep leaves a line break, so paragraphs stay apart)."""

    def __init__(self, max_depth: int):
        super().__init__(convert_charrefs=True)
        self.max_depth = max_depth
        self.parts: list[str] = []
        self.open: list[str] = []
        self.flattened = 0

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_TAGS:
            self.parts.append(self.get_starttag_text())
            return
        self.open.append(tag)
        if len(self.open) <= self.max_depth:
            self.parts.append(self.get_starttag_text())
            return
        self.flattened += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("<br>")

    def handle_startendtag(self, tag, attrs):
        self.parts.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            if len(self.open) < self.max_depth:
                self.parts.append(f"</{closed}>")
            if closed == tag:
                break

    def handle_data(self, data):
        self.parts.append(htmllib.escape(data, quote=False))

    def handle_decl(self, decl):
        self.parts.append(f"<!{decl}>")


def flatten_deep_html(html: str, *, max_depth: int = MAX_HTML_DEPTH) -> tuple[str, int]:
    """The page with no element nested deeper than ``max_depth``, and how many elements
    were flattened (0: the page is returned unchanged)."""
    flattener = _DepthFlattener(max_depth)
    flattener.feed(html)
    flattener.close()
    if not flattener.flattened:
        return html, 0
    return "".join(flattener.parts), flattener.flattened


def html_to_text(html: str, *, name: str = "upload") -> UploadedArticle:
    """Reduce an HTML page to its article text (trafilatura drops menus, ads, scripts).

    Bounded by the size of its markup first: a worker calls this for uploaded pages
    (services.feeds), ``manage.py import_articles`` for files on disk."""
    try:
        webpages.check_markup(html.encode("utf-8", "replace"), name=name)
    except webpages.PageError as exc:
        raise UploadError(str(exc)) from None
    html, _ = flatten_deep_html(html)
    extracted = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if not extracted or not (extracted.text or "").strip():
        raise UploadError(f"{name}: no article text found in this HTML page.")
    text = extracted.text
    title = (extracted.title or "").strip()
    first, _, rest = text.lstrip().partition("\n")
    if title and rest.strip() and first.strip().casefold() == title.casefold():
        # The page's <h1> is its title, not the first paragraph of the story (it would be
        # extracted as a claim, and it hides the dateline that opens the story).
        text = rest.lstrip("\n")
    return UploadedArticle(
        text=text,
        name=name,
        title=extracted.title or "",
        outlet=extracted.sitename or "",
        url=extracted.url or "",
        published_date=extracted.date or "",
    )


def is_html_upload(name: str) -> bool:
    """HTML is read by a worker (claims.services.feeds.html_uploads_create), never in a
    request: its parse time grows faster than its markup."""
    return PurePath(name).suffix.lower() in HTML_SUFFIXES


def read_upload(name: str, data: bytes) -> list[UploadedArticle]:
    """Read one uploaded file into the articles it holds (several for JSONL)."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(ALLOWED_SUFFIXES))
        raise UploadError(f"{name}: unsupported file type {suffix or '(none)'}; use {allowed}.")
    text = decode_text(data, name=name)
    if suffix in HTML_SUFFIXES:
        return [html_to_text(text, name=name)]
    if suffix in JSONL_SUFFIXES:
        articles = list(read_jsonl(text, name=name))
        if not articles:
            raise UploadError(f"{name}: no articles in this JSON Lines file.")
        return articles
    return [UploadedArticle(text=text, name=name)]


def read_jsonl(text: str, *, name: str = "upload"):
    """Yield articles from JSON Lines: {"text"|"body", "title"?, "outlet"?, "url"?, ...}.

    A line that cannot be read is yielded with its ``error`` (line number and reason), so
    one bad line costs only itself.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield _jsonl_article(line, name=f"{name}:{number}")
        except UploadError as exc:
            yield UploadedArticle(text="", name=f"{name} line {number}", error=str(exc))


def _jsonl_article(line: str, *, name: str) -> UploadedArticle:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UploadError(f"not valid JSON ({exc.msg}).") from None
    if not isinstance(record, dict):
        raise UploadError("expected a JSON object.")
    body = record.get("text") or record.get("body")
    if not isinstance(body, str) or not body.strip():
        raise UploadError('no "text" or "body" field.')
    return UploadedArticle(
        text=body,
        name=name,
        title=str(record.get("title") or ""),
        outlet=str(record.get("outlet") or record.get("source") or ""),
        url=str(record.get("url") or ""),
        published_date=str(record.get("published_date") or record.get("date") or ""),
    )
