"""Turning uploaded bytes into article text: size bounds, encodings, HTML, JSONL.

Every refusal is an ``UploadError`` whose message an editor can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import charset_normalizer
import trafilatura
from django.conf import settings

from claims import extraction

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
ALLOWED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
_WEB_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


class UploadError(ValueError):
    pass


@dataclass
class UploadedArticle:
    """One article's worth of an upload, before it becomes an Article."""

    text: str
    name: str = ""
    title: str = ""
    outlet: str = ""
    url: str = ""
    published_date: str = ""


def check_upload_size(upload) -> None:
    """Refuse an uploaded file by its declared size, before reading it into memory."""
    limit = settings.NEWSFACTS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise UploadError(f"{upload.name} is {upload.size:,} bytes; the limit is {limit:,} bytes.")


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


def html_to_text(html: str, *, name: str = "upload") -> UploadedArticle:
    """Reduce an HTML page to its article text (trafilatura drops menus, ads, scripts)."""
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
        return list(read_jsonl(text, name=name))
    return [UploadedArticle(text=text, name=name)]


def read_jsonl(text: str, *, name: str = "upload"):
    """Yield articles from JSON Lines: {"text"|"body", "title"?, "outlet"?, "url"?, ...}."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UploadError(f"{name} line {number}: not valid JSON ({exc.msg}).") from None
        if not isinstance(record, dict):
            raise UploadError(f"{name} line {number}: expected a JSON object.")
        body = record.get("text") or record.get("body")
        if not isinstance(body, str) or not body.strip():
            raise UploadError(f'{name} line {number}: no "text" or "body" field.')
        yield UploadedArticle(
            text=body,
            name=f"{name}:{number}",
            title=str(record.get("title") or ""),
            outlet=str(record.get("outlet") or record.get("source") or ""),
            url=str(record.get("url") or ""),
            published_date=str(record.get("published_date") or record.get("date") or ""),
        )
