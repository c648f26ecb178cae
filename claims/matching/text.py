"""Words and figures of a claim, read the same way for a query and for every candidate.

The lexical score and the figure features compare what these functions return, so the desk
(candidates from the database) and ``match_claims`` (candidates from memory) must read text
through them and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Links and picture links say nothing a reader could match on; a tweet is full of them.
_LINK_RE = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH_RE = re.compile(
    r"\b(" + "|".join(m[:3] + (m[3:] and f"(?:{m[3:]})?") for m in _MONTHS) + r")\.?\b", re.I
)
# An embedded tweet's signature, "— Ilhan Omar (@IlhanMN) January 6, 2020": its date says
# when it was posted, not what it claims, so it must not count as the claim's date.
_TWEET_SIGNATURE_RE = re.compile(
    r"[\u2014\u2013-]+\s*[^\u2014\u2013()]{0,80}\(@\w+\)\s*(?:\w+\.? \d{1,2}, \d{4})?\s*$"
)
_YEAR_RE = re.compile(r"(?<![\d.,$£€])(1[89]\d\d|20\d\d)(?![\d%])")
_WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# "80,000", "4.2", "1,200.5", "80000": the figure, with thousands separators.
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")
_SCALE_RE = re.compile(
    r"\s*(thousand|million|billion|trillion|bn|m|tn|k)\b|\s*(%|per\s?cent|percent)",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}

# Function words only: a claim's negation ("not") and its direction ("more", "less") stay,
# since "did not rise" and "rose" are different claims.
STOP_WORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from as into onto about
    over under is are was were be been being am do does did doing have has had having i
    me my we our us you your he him his she her it its they them their this that these
    those there here what which who whom whose when where why how all any each both such
    own same just also than too very can could will would shall should may might must s
    t rt via amp
    """.split()  # noqa: SIM905
)

_stemmer = snowballstemmer.stemmer("english")


def document_text(text: str, title: str = "") -> str:
    """What is encoded and indexed for an archived claim: its text, then its title."""
    text, title = (text or "").strip(), (title or "").strip()
    return f"{text} {title}" if title and title != text else text


def clean(text: str) -> str:
    """The text a reader sees: Unicode normalised, links dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _LINK_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _stated(text: str) -> str:
    """The text without an embedded tweet's signature. Only its date is dropped from the
    figures and dates: its author's name stays among the words, where it helps (a
    fact-check often names who said it; measured on CLEF train, docs/matching.md)."""
    return _TWEET_SIGNATURE_RE.sub(" ", clean(text)).strip()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


# The desk ranks the same archived claims again and again (a fact-check is a candidate of
# every claim on its topic): reading a text's words, figures and dates once per process
# instead of once per query is most of rank's Python. Bounded, so a worker's memory stays
# flat whatever the archive's size.
_TEXT_CACHE = 16384


def terms(text: str) -> list[str]:
    """Stemmed content words, in order, repeats kept (BM25 counts them); figures as figures.

    "80,000" and "80000" are one term, so are "died" and "dies"; stop words are dropped.
    """
    return list(_terms(text))


@lru_cache(maxsize=_TEXT_CACHE)
def _terms(text: str) -> tuple[str, ...]:
    out = []
    for match in _WORD_RE.finditer(clean(text).lower().replace("’", "'")):
        word = match.group(0)
        if word[0].isdigit():
            out.append(word.replace(",", ""))
        elif word not in STOP_WORDS:
            out.append(_stem(word.split("'")[0]))
    return tuple(out)


@lru_cache(maxsize=_TEXT_CACHE)
def figures(text: str) -> frozenset[float]:
    """The numbers a text states, scaled: "$4.2bn" is 4.2e9, "80,000" is 80000, "5%" is 5.

    Years (four digits between 1800 and 2100 with no scale) are dates, not figures; they
    are compared as times by the ranking, through the words.
    """
    found = set()
    text = _stated(text)
    for match in _NUMBER_RE.finditer(text):
        whole, fraction = match.group(1), match.group(2) or ""
        if _is_day_or_clock(text, match):
            continue
        value = float(whole.replace(",", "") + fraction)
        scale = _SCALE_RE.match(text, match.end())
        if scale and scale.group(1):
            value *= _SCALES[scale.group(1).lower()]
        elif not scale and not fraction and len(whole) == 4 and 1800 <= value <= 2100:
            continue
        found.add(round(value, 6))
    return frozenset(found)


def _is_day_or_clock(text: str, match: re.Match) -> bool:
    """ "October 8", "8 October", "8th", "10:30": a date or a time of day, not a figure."""
    before, after = text[max(0, match.start() - 12) : match.start()], text[match.end() :][:14]
    if re.match(r"(?:st|nd|rd|th)\b|:\d", after) or before.endswith(":"):
        return True
    if len(match.group(1)) <= 2 and not match.group(2):
        words = before.split()
        return _is_month(after.lstrip().split(" ")[0]) or bool(words and _is_month(words[-1]))
    return False


def _is_month(word: str) -> bool:
    # Capitalised only: "may" is mostly a verb, "May" mostly the month.
    word = word.rstrip(",.")
    return bool(word[:1].isupper() and _MONTH_RE.fullmatch(word))


def dates(text: str, times=()) -> tuple[frozenset[str], frozenset[str]]:
    """The years and the months a claim names: in its text, and in its extracted times (dicts
    with an ISO ``value`` such as "2011-03" or "--05-07")."""
    text_years, text_months = _text_dates(text)
    years, months = set(text_years), set(text_months)
    for t in times or ():
        value = (t.get("value") if isinstance(t, dict) else getattr(t, "value", None)) or ""
        parts = re.fullmatch(r"(\d{4})?-?-?(\d{2})?.*", value)
        if parts and parts.group(1):
            years.add(parts.group(1))
        if parts and parts.group(2):
            months.add(int(parts.group(2)))
    return frozenset(years), frozenset(str(m) for m in months)


@lru_cache(maxsize=_TEXT_CACHE)
def _text_dates(text: str) -> tuple[frozenset[str], frozenset[int]]:
    text = _stated(text)
    years = frozenset(_YEAR_RE.findall(text))
    months = frozenset(
        _MONTHS_BY_PREFIX[m.group(1)[:3].lower()]
        for m in _MONTH_RE.finditer(text)
        if m.group(1)[0].isupper()
    )
    return years, months


_MONTHS_BY_PREFIX = {m[:3]: i for i, m in enumerate(_MONTHS, 1)}


def quantity_values(quantities) -> frozenset[float]:
    """The figures of extracted quantities (dicts as stored on a claim, or objects)."""
    found = set()
    for q in quantities or ():
        get = q.get if isinstance(q, dict) else lambda name, q=q: getattr(q, name, None)
        for name in ("value", "low", "high"):
            value = get(name)
            if isinstance(value, int | float):
                found.add(round(float(value), 6))
    return frozenset(found)
