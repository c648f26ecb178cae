"""Dates and periods in news text, normalised to ISO 8601 (or the part of it that is known).

"since March 2011" -> "2011-03" (since); "by 2030" -> "2030" (by); "on Monday", "last year"
and "May 7" are resolved against the article's date when the caller knows it, otherwise a
year-less "--05-07" is the honest answer.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .types import TimeRef

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_RELATIONS = {
    "since": "since", "from": "since", "as of": "at", "until": "until", "till": "until",
    "before": "until", "through": "until", "by": "by", "during": "during",
    "throughout": "during", "in": "at", "on": "at", "at": "at", "after": "at",
}  # fmt: skip

# Months are matched case-sensitively so that the modal "may" is never a month.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORD = r"(?:st|nd|rd|th)?"
_PREP = (
    r"(?:(?P<prep>[Ss]ince|[Ff]rom|[Aa]s of|[Uu]ntil|[Tt]ill|[Bb]efore|[Tt]hrough|[Bb]y"
    r"|[Dd]uring|[Tt]hroughout|[Ii]n|[Oo]n|[Aa]t|[Aa]fter)\s+(?:the\s+)?)?"
)
_PART = (
    r"(?P<part>mid-|[Ee]arly\s+|[Ll]ate\s+|the\s+end\s+of\s+|the\s+start\s+of\s+"
    r"|the\s+beginning\s+of\s+)?"
)
_TIME_RE = re.compile(
    rf"\b{_PREP}{_PART}(?:"
    rf"(?:(?P<d1>\d{{1,2}}){_ORD}\s+)?(?P<mon>{_MONTH})(?![a-z])(?:\s+(?P<d2>\d{{1,2}}){_ORD}\b)?"
    rf"(?:,?\s+(?P<yr>(?:1[89]|20)\d\d)\b|\s+(?P<myrel>last|this|next)\s+year\b)?"
    rf"|(?P<year>(?:1[0-9]|20)\d\d)(?P<decade>s)?(?![\d%,.]\d|%| ?per ?cent)"
    rf"|(?P<wdrel>last\s+|next\s+|this\s+)?(?P<wd>{_WEEKDAY})"
    rf"|(?P<srel>last|this|next|past)\s+(?P<season>spring|summer|autumn|fall|winter)"
    rf"|(?P<rel>yesterday|today|tomorrow|(?:last|this|next|past)\s+(?:year|month|week)(?:'s|’s)?)"
    rf")\b",
)


@dataclass
class FoundTime:
    start: int
    end: int
    time: TimeRef
    prep: str | None  # the preposition in the text, when there is one
    match: re.Match | None = None


def find_times(
    text: str, reference: datetime.date | None = None, *, future: bool = False
) -> list[FoundTime]:
    """Every time expression in `text`; `future` says how to read "on Monday"."""
    found = []
    for m in _TIME_RE.finditer(text):
        value = _value(m, reference, future)
        if value is False:
            continue
        prep = (m.group("prep") or "").lower() or None
        relation = _RELATIONS.get(prep or "", "at")
        if m.group("decade") and relation == "at":
            relation = "during"
        found.append(FoundTime(m.start(), m.end(), TimeRef(m.group(0), value, relation), prep, m))
    return found


def resolve(found: FoundTime, reference: datetime.date | None, *, future: bool) -> TimeRef:
    """The same time read again for a given article date and tense (no second scan)."""
    value = _value(found.match, reference, future) if found.match is not None else None
    return TimeRef(found.time.text, value or None, found.time.relation)


def _value(m: re.Match, ref: datetime.date | None, future: bool) -> str | None | bool:
    if m.group("mon"):
        month = MONTHS[m.group("mon").rstrip(".").lower()]
        day = int(m.group("d1") or m.group("d2") or 0)
        if day > 31:
            return False
        if m.group("mon") == "May" and not day and not m.group("yr") and not m.group("prep"):
            return False  # "May" alone is far more often the name or the modal
        if m.group("yr"):
            year = int(m.group("yr"))
        elif m.group("myrel"):
            if ref is None:
                return None
            year = ref.year + {"last": -1, "this": 0, "next": 1}[m.group("myrel")]
        else:
            year = _infer_year(month, day, ref, future)
        if year is None:
            return f"--{month:02d}-{day:02d}" if day else f"--{month:02d}"
        if day:
            try:
                return datetime.date(year, month, day).isoformat()
            except ValueError:
                return f"{year}-{month:02d}"
        return f"{year}-{month:02d}"
    if m.group("year"):
        if m.group("year") < "1800" and (
            not m.group("prep") or re.match(r" [a-z]", m.string[m.end() : m.end() + 2])
        ):
            return False  # "in 1500 boats": only "since 1750." reads as a year this early
        if m.group("decade"):
            return m.group("year")[:3]
        return m.group("year")
    if m.group("wd"):
        if ref is None:
            return None
        target = WEEKDAYS[m.group("wd").lower()]
        rel = (m.group("wdrel") or "").strip().lower()
        if rel == "next" or (future and rel != "last"):
            delta = (target - ref.weekday()) % 7 or 7
            return (ref + datetime.timedelta(days=delta)).isoformat()
        delta = (ref.weekday() - target) % 7
        if rel == "last" and delta == 0:
            delta = 7
        return (ref - datetime.timedelta(days=delta)).isoformat()
    if m.group("season"):
        return _season(m.group("srel"), m.group("season"), ref)
    rel = m.group("rel").lower().replace("’s", "").replace("'s", "")
    rel = re.sub(r"\s+", " ", rel)
    if ref is None:
        return None
    if rel == "today":
        return ref.isoformat()
    if rel == "yesterday":
        return (ref - datetime.timedelta(days=1)).isoformat()
    if rel == "tomorrow":
        return (ref + datetime.timedelta(days=1)).isoformat()
    when, unit = rel.split(" ")
    step = {"last": -1, "past": -1, "this": 0, "next": 1}[when]
    if unit == "year":
        return str(ref.year + step)
    if unit == "month":
        index = ref.year * 12 + ref.month - 1 + step
        return f"{index // 12}-{index % 12 + 1:02d}"
    year, week, _ = (ref + datetime.timedelta(weeks=step)).isocalendar()
    return f"{year}-W{week:02d}"


# Seasons as ISO 8601-2 sub-year groupings (2024-22 is summer 2024), northern meteorological
# seasons; a winter belongs to the year of its December.
_SEASONS = {
    "spring": (21, 3),
    "summer": (22, 6),
    "autumn": (23, 9),
    "fall": (23, 9),
    "winter": (24, 12),
}


def _season(when: str, name: str, ref: datetime.date | None) -> str | None:
    """ "last summer" is the latest summer already over, "next spring" the first still to
    start, "this winter" the one the article's date falls in or nearest to it this year."""
    if ref is None:
        return None
    code, first_month = _SEASONS[name.lower()]

    # Months since the season of the reference year began (winter of year Y begins in its Dec).
    def starts(year: int) -> int:
        return year * 12 + first_month - 1

    now = ref.year * 12 + ref.month - 1
    this_year = ref.year - 1 if name.lower() == "winter" and ref.month <= 2 else ref.year
    if when == "this":
        year = this_year
    elif when == "next":
        year = this_year if starts(this_year) > now else this_year + 1
    else:  # last, past: the latest one that has ended
        year = this_year if starts(this_year) + 3 <= now else this_year - 1
    return f"{year}-{code}"


def _infer_year(month: int, day: int, ref: datetime.date | None, future: bool) -> int | None:
    if ref is None:
        return None
    candidate = (month, day or 1)
    if future and candidate < (ref.month, ref.day):
        return ref.year + 1
    # A past-tense report of "December 12" in a January article means last December.
    if not future and (month - ref.month) % 12 >= 6 and month > ref.month:
        return ref.year - 1
    return ref.year


def describe(t: TimeRef) -> str:
    """The time as a reviewer reads it in a summary: "since March 2011"."""
    text = re.sub(_PREP, "", t.text, count=1).strip() if t.text else ""
    text = text.replace("’s", "").replace("'s", "")
    if t.relation == "at":
        prep = re.match(r"\s*(\w+)", t.text or "")
        word = prep.group(1).lower() if prep else ""
        if word in ("in", "on", "at", "after"):
            return f"{word} {text}"
        return text
    return f"{t.relation} {text}"
