"""Headline, dateline and boilerplate: the parts of an article that are never claims."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .times import MONTHS
from .types import ArticleParts

_MONTH_ABBR = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day|\.)"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "PARIS, May 28 (RIA Novosti) –", "WASHINGTON, Saturday 3 August 2024 —",
# "MIAMI, Thursday, Sept. 5, 2024 (AP) —", "LONDON (Reuters) -", "WASHINGTON, Jan. 5, 2024 (AP) —",
# "NEW YORK —", "Kabul, 3 June 2013 (AFP) -".
DATELINE_RE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Za-z.'’]*(?:[ -][A-Z][A-Za-z.'’]*){0,3})"
    r"(?:,[ \t]*(?P<region>[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?))??"
    r"(?:,?[ \t]+(?P<weekday>" + _WEEKDAY + r"),?)?"
    r"(?:,?[ \t]+(?P<date>(?:\d{1,2}[ \t]+" + _MONTH_ABBR + r"|" + _MONTH_ABBR + r"[ \t]+\d{1,2})"
    r"(?:,?[ \t]+(?P<year>(?:19|20)\d\d))?))?"
    r"(?:[ \t]*\((?P<outlet>[^()\n]{2,40})\))?"
    r"[ \t]*(?:[–—]|--?)[ \t]+"
)
_BOILERPLATE_RE = re.compile(
    r"^\W*(?:leave a (?:comment|reply)|share (?:this|on)\b|subscribe\b|sign up\b|follow us\b"
    r"|click here\b|read more\b|related\b|advertisement\b|comments?\s*(?:\(\d+\))?\s*$"
    r"|all rights reserved|copyright\b|©|email this\b|print this\b|see also\b|more on this"
    r"|watch:|listen:|you may also like|recommended\b|join the conversation|tap here)",
    re.IGNORECASE,
)


@dataclass
class Dateline:
    start: int
    end: int  # where the story itself starts
    place: str
    date: str | None
    year: int | None
    outlet: str | None
    weekday: int | None = None  # Monday = 0, as datetime.date.weekday()


def find_dateline(body: str) -> Dateline | None:
    """A dateline opening the body's first paragraph, if there is one."""
    m = DATELINE_RE.match(body)
    if not m:
        lead = len(body) - len(body.lstrip())
        if lead and lead < 200:
            m = DATELINE_RE.match(body, lead)
        if not m:
            return None
    place = m.group("place")
    # A real dateline has the place in capitals or carries a date or an outlet.
    if not (place.isupper() and len(place) > 2) and not (m.group("date") or m.group("outlet")):
        return None
    weekday = _WEEKDAYS.index(m.group("weekday")[:3].lower()) if m.group("weekday") else None
    date_iso = None
    year = None
    if m.group("date"):
        parts = re.findall(r"[A-Za-z]+|\d+", m.group("date"))
        month = next((MONTHS.get(p.lower()) for p in parts if p.isalpha()), None)
        day = next((int(p) for p in parts if p.isdigit()), None)
        if m.group("year"):
            year = int(m.group("year"))
        if month and day and day <= 31:
            if year is None and weekday is not None:
                # "Thursday, Sept. 5": the weekday names the year, the latest one (up to
                # this year) in which that day fell on it, so relative dates can be read.
                year = _year_of(month, day, weekday)
            date_iso = f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
    pretty = place.title() if place.isupper() else place
    return Dateline(m.start(), m.end(), pretty, date_iso, year, m.group("outlet"), weekday)


def _year_of(month: int, day: int, weekday: int, today: datetime.date | None = None) -> int | None:
    """The latest year in which month/day fell on weekday, up to two days after today (a
    dateline may run ahead of the server's clock), and no more than 28 years back."""
    latest = (today or datetime.date.today()) + datetime.timedelta(days=2)
    for year in range(latest.year, latest.year - 29, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:  # 29 February
            continue
        if candidate <= latest and candidate.weekday() == weekday:
            return year
    return None


def is_boilerplate(text: str) -> bool:
    """Site furniture: "Leave a comment", "Share this article", "Read more: ..."."""
    return len(text) < 400 and bool(_BOILERPLATE_RE.match(text))


def _looks_like_headline(line: str) -> bool:
    if len(line) >= 300 or find_dateline(line):
        return False
    return not (line.endswith(".") and len(line.split()) > 15)


def parse_article(raw: str) -> ArticleParts:
    """Split raw plain text into headline and body, and read the dateline."""
    raw = raw.lstrip("\ufeff") if raw.startswith("\ufeff") else raw
    offset = 1 if raw and raw[0] == "\ufeff" else 0
    text = raw[offset:]
    title = ""
    body_offset = offset
    first_nl = text.find("\n")
    if first_nl > 0:
        first = text[:first_nl].strip()
        rest = text[first_nl + 1 :]
        # Plain-text convention: a headline is a short first line followed by a blank line
        # (but a story whose first paragraph is the dateline lead has no headline).
        if first and _looks_like_headline(first) and re.match(r"[ \t]*\r?\n", rest):
            title = first.lstrip("#").strip()
            body_offset = offset + first_nl + 1
            while body_offset < len(raw) and raw[body_offset] in "\r\n \t":
                body_offset += 1
    body = raw[body_offset:]
    parts = ArticleParts(title=title, body=body, body_offset=body_offset)
    dateline = find_dateline(body)
    if dateline:
        parts.dateline_place = dateline.place
        parts.dateline_date = dateline.date
        parts.outlet = dateline.outlet
    return parts
