"""Quantities in news text: counts, money, percentages, number words, vague magnitudes.

Plain regular expressions over the text, compiled once: a fact-check desk needs the
figure, its bounds and its unit, and wire copy writes them in a small number of ways.
See docs/extraction.md for why this is not quantulum3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Quantity

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}  # fmt: skip
_ABBREVIATED_SCALES = {
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "bn": 1_000_000_000,
    "b": 1_000_000_000, "tn": 1_000_000_000_000, "trn": 1_000_000_000_000,
}  # fmt: skip
_FRACTIONS = {
    "half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3,
    "one-third": 1 / 3, "two thirds": 2 / 3, "two-thirds": 2 / 3, "a quarter": 0.25,
    "one quarter": 0.25, "one-quarter": 0.25, "three quarters": 0.75, "three-quarters": 0.75,
    "a fifth": 0.2, "one-fifth": 0.2, "a tenth": 0.1,
}  # fmt: skip
# "hundreds of thousands" cannot be one number; a reviewer reads it as a range.
_MAGNITUDES = {
    "dozens": (24, 96), "scores": (40, 180), "hundreds": (200, 900),
    "thousands": (2_000, 9_000), "tens of thousands": (20_000, 90_000),
    "hundreds of thousands": (200_000, 900_000), "millions": (2_000_000, 9_000_000),
    "tens of millions": (20_000_000, 90_000_000),
    "hundreds of millions": (200_000_000, 900_000_000), "billions": (2e9, 9e9),
}  # fmt: skip
_CURRENCY_SYMBOLS = {
    "$": "USD", "us$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "a$": "AUD",
    "c$": "CAD", "hk$": "HKD", "rs": "INR", "rs.": "INR",
}  # fmt: skip
_CURRENCY_WORDS = {
    "dollars": "USD", "dollar": "USD", "pounds": "GBP", "pound": "GBP", "sterling": "GBP",
    "euros": "EUR", "euro": "EUR", "yen": "JPY", "rupees": "INR", "roubles": "RUB",
    "rubles": "RUB", "yuan": "CNY", "francs": "CHF", "usd": "USD", "gbp": "GBP", "eur": "EUR",
}  # fmt: skip
_LOWER_BOUND = {
    "more than", "over", "above", "at least", "upwards of", "in excess of", "no fewer than",
    "no less than", "well over", "just over", "more then", "a minimum of", "exceeding",
}  # fmt: skip
_UPPER_BOUND = {
    "up to", "fewer than", "less than", "under", "below", "no more than", "as many as",
    "as much as", "a maximum of", "at most", "nearly", "almost", "close to", "just under",
    "just below", "not more than",
}  # fmt: skip
_APPROXIMATE = {
    "about", "around", "roughly", "approximately", "some", "an estimated", "estimated",
    "nearly", "almost", "close to", "circa",
}  # fmt: skip
_QUALIFIERS = sorted(_LOWER_BOUND | _UPPER_BOUND | _APPROXIMATE, key=len, reverse=True)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WORD = _alt(list(_UNITS) + list(_TENS))
_WORD_NUMBER = (
    rf"(?:(?:{_WORD})(?:[- ](?:{_alt(_UNITS)}))?|an?(?=[ -](?:{_alt(_SCALES)})\b))"
    rf"(?:[ -](?:and[ -])?(?:{_alt(_SCALES)}|{_WORD}))*"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_SCALE = rf"(?:\s?(?:{_alt(_SCALES)})\b|(?:{_alt(_ABBREVIATED_SCALES)})\b)"
_CURRENCY_PREFIX = rf"(?:{_alt(_CURRENCY_SYMBOLS)})\s?"
_PERCENT = r"(?:\s?%|\s(?:per\s?cent|percent|percentage points?|pc)\b)"
_CURRENCY_SUFFIX = rf"(?:\s(?:{_alt(_CURRENCY_WORDS)})\b)"

# One amount: "$4.2 billion", "£600m", "80,000", "3.4 percent", "eight", "two dozen".
_AMOUNT = (
    rf"(?:{_CURRENCY_PREFIX})?"
    rf"(?:(?<![\w.,/-])(?:{_DIGITS})(?![\d])|\b{_WORD_NUMBER}\b(?:\s+dozen\b)?|\ba\s+dozen\b)"
    rf"(?:{_SCALE})?(?:{_PERCENT}|{_CURRENCY_SUFFIX})?"
)
_QUANTITY_RE = re.compile(
    # Every quantity starts a word; failing fast mid-word makes the scan several times cheaper.
    rf"(?<![\w$£€¥₹])(?=[\w$£€¥₹.])"
    rf"(?:\b(?P<qual>{_alt(_QUALIFIERS)})\s+)?"
    rf"(?:"
    rf"\bbetween\s+(?P<b_lo>{_AMOUNT})\s+and\s+(?P<b_hi>{_AMOUNT})"
    rf"|\bfrom\s+(?P<f_lo>{_AMOUNT})\s+to\s+(?P<f_hi>{_AMOUNT})"
    rf"|\b(?P<mag>(?:tens|hundreds)\s+of\s+(?:thousands|millions)|dozens|hundreds|thousands"
    rf"|millions|billions)\b"
    rf"|\b(?P<frac>{_alt(_FRACTIONS)})\b(?=\s+(?:of|the|a|an|[a-z]+ers?)\b|[.,;:)]|\s+this\b)"
    rf"|(?P<lo>{_AMOUNT})(?:\s?(?:-|–|—|to)\s?(?P<hi>{_AMOUNT}))?"
    rf")"
    rf"(?P<hyphen_unit>-(?:[a-z]+))?",
    re.IGNORECASE,
)
_AMOUNT_PARTS = re.compile(
    rf"^(?P<cur>{_CURRENCY_PREFIX})?(?P<num>{_DIGITS}|.+?)"
    rf"(?P<scale>{_SCALE})?(?P<pct>{_PERCENT})?(?P<curword>{_CURRENCY_SUFFIX})?$",
    re.IGNORECASE | re.DOTALL,
)
# Words that look like a number but are not a count in news copy.
_NOT_A_NUMBER = {"a", "an", "one", "zero"}
# "Chapter 11", "Article 50", "Windows 10": a number that is part of a name mid-sentence.
_NAMED_NUMBER_RE = re.compile(r"[a-z,] [A-Z][A-Za-z]+ $")
_CLOCK_OR_CODE = re.compile(r"^(?::\d|\s?(?:am|pm|a\.m\.|p\.m\.)\b|[a-z]\d|\d)", re.IGNORECASE)


@dataclass
class FoundQuantity:
    start: int
    end: int
    quantity: Quantity
    has_digits: bool


def words_to_number(words: str) -> float | None:
    """ "twenty-five" -> 25, "two hundred thousand" -> 200000, "two dozen" -> 24."""
    tokens = re.split(r"[\s-]+", words.lower().strip())
    total = 0.0
    current = 0.0
    seen = False
    for tok in tokens:
        if tok in ("and", ""):
            continue
        if tok in ("a", "an"):
            current += 1
        elif tok in _UNITS:
            current += _UNITS[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok == "dozen":
            current = (current or 1) * 12
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok in _SCALES:
            total += (current or 1) * _SCALES[tok]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _parse_amount(text: str) -> tuple[float | None, str | None, bool]:
    """Return (value, unit, has_digits) for one amount such as "$4.2 billion"."""
    m = _AMOUNT_PARTS.match(text.strip())
    if not m:
        return None, None, False
    num = m.group("num").strip()
    has_digits = any(ch.isdigit() for ch in num)
    if has_digits:
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            return None, None, False
    else:
        value = words_to_number(num)
        if value is None:
            return None, None, False
    scale = (m.group("scale") or "").strip().lower()
    if scale:
        value *= _SCALES.get(scale) or _ABBREVIATED_SCALES.get(scale, 1)
    unit = None
    if m.group("cur"):
        unit = _CURRENCY_SYMBOLS.get(m.group("cur").strip().lower())
    elif m.group("curword"):
        unit = _CURRENCY_WORDS.get(m.group("curword").strip().lower())
    pct = (m.group("pct") or "").strip().lower()
    if pct:
        unit = "percentage points" if pct.startswith("percentage") else "percent"
    return value, unit, has_digits


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    return float(int(value)) if float(value).is_integer() else round(value, 6)


# A tally: "voted 9-2", "a 6-3 decision", "by 172 votes to 161". The winning side comes first,
# so a pair whose first number is the larger, next to a word of voting or judging, is a tally
# ("3-5 percent" is a range, "won 2-1" a score).
_TALLY_RE = re.compile(
    r"(?<![\w.,/-])(?P<a>\d{1,3}(?:,\d{3})*)(?:\s?[-–]\s?|\s+votes?\s+to\s+)"
    r"(?P<b>\d{1,3}(?:,\d{3})*)(?![\d%]|[.,]\d|\s?(?:percent|per cent|points?)\b)"
)
_TALLY_CONTEXT = re.compile(
    r"\b(?:vot(?:e|es|ed|ing)|ballot|rul(?:e|ed|ing)|decision|verdict|majority|jury|justices"
    r"|judges|margin|split|unanimous(?:ly)?|approved|passed|rejected)\b",
    re.IGNORECASE,
)
# "Ayse Yilmaz, 42, a teacher": an age set off after a name is not a figure of the story.
_AGE_BEFORE = re.compile(r"[A-Z][\w'’-]+,[ \t]$")


def _tallies(text: str) -> list[FoundQuantity]:
    out = []
    for m in _TALLY_RE.finditer(text):
        a = float(m.group("a").replace(",", ""))
        b = float(m.group("b").replace(",", ""))
        if b > a or not _TALLY_CONTEXT.search(text, max(0, m.start() - 60), m.end() + 25):
            continue
        quantity = Quantity(
            text=m.group(0), value=_clean(a), low=_clean(b), high=_clean(a), qualifier="tally"
        )
        out.append(FoundQuantity(m.start(), m.end(), quantity, True))
    return out


def _is_age(q: FoundQuantity, text: str) -> bool:
    v = q.quantity
    return (
        q.has_digits
        and v.unit is None
        and v.qualifier is None
        and v.value is not None
        and 0 < v.value < 120
        and text[q.end : q.end + 1] in (",", ".", ")", ";")
        and bool(_AGE_BEFORE.search(text, max(0, q.start - 40), q.start))
    )


def find_quantities(text: str) -> list[FoundQuantity]:
    """Every quantity in `text`, with character offsets into it. A tally is one quantity:
    value and high the winning side, low the losing side, qualifier "tally"."""
    tallies = _tallies(text) if "-" in text or "–" in text or " to " in text else []
    if not tallies:
        return [q for q in _find_quantities(text) if not _is_age(q, text)]
    out = list(tallies)
    for q in _find_quantities(text):
        if any(t.start < q.end and q.start < t.end for t in tallies) or _is_age(q, text):
            continue
        out.append(q)
    out.sort(key=lambda q: q.start)
    return out


def _find_quantities(text: str) -> list[FoundQuantity]:
    found: list[FoundQuantity] = []
    pos = 0
    while True:
        m = _QUANTITY_RE.search(text, pos)
        if m is None:
            return found
        pos = m.end()
        q = _quantity_from_match(m, text)
        if q is not None:
            found.append(q)
        elif m.group("hi"):
            # "rose 2% to $11.1bn" is two figures, not a range: take the first, rescan the rest.
            lo = _QUANTITY_RE.fullmatch(text, m.start(), m.end("lo"))
            q = _quantity_from_match(lo, text) if lo else None
            if q is not None:
                found.append(q)
            pos = m.start("hi")


def _quantity_from_match(m: re.Match, text: str) -> FoundQuantity | None:
    qual = (m.group("qual") or "").lower() or None
    low = high = value = None
    unit = None
    has_digits = False
    if m.group("mag"):
        low, high = _MAGNITUDES[re.sub(r"\s+", " ", m.group("mag").lower())]
        qual = qual or "vague"
    elif m.group("frac"):
        value = _FRACTIONS[m.group("frac").lower()]
        unit = "fraction"
    else:
        lo_text = m.group("b_lo") or m.group("f_lo") or m.group("lo")
        hi_text = m.group("b_hi") or m.group("f_hi") or m.group("hi")
        lo_stripped = lo_text.strip().lower()
        if lo_stripped in _NOT_A_NUMBER and not hi_text and not m.group("hyphen_unit"):
            return None
        if not hi_text and _CLOCK_OR_CODE.match(text[m.end() : m.end() + 4]):
            return None
        lo_val, lo_unit, has_digits = _parse_amount(lo_text)
        if lo_val is None:
            return None
        if has_digits and not m.group("qual") and _looks_like_year(lo_text, text, m):
            return None
        if (
            has_digits
            and not hi_text
            and not lo_unit
            and _NAMED_NUMBER_RE.search(text, max(0, m.start() - 40), m.start())
        ):
            return None
        unit = lo_unit
        if hi_text:
            hi_val, hi_unit, _ = _parse_amount(hi_text)
            if hi_val is None or hi_val < lo_val or (lo_unit and hi_unit and lo_unit != hi_unit):
                return None
            unit = unit or hi_unit
            # "between 90 and 95 percent": the scale or unit of the upper end applies to both.
            if _scale_of(hi_text) > 1 and _scale_of(lo_text) == 1:
                lo_val *= _scale_of(hi_text)
            low, high = lo_val, hi_val
            qual = qual or ("between" if (m.group("b_lo") or m.group("f_lo")) else "range")
        else:
            value = lo_val
    hyphen = m.group("hyphen_unit")
    if hyphen:
        unit = unit or hyphen[1:].lower()
    if value is not None and qual:
        if qual in _LOWER_BOUND:
            low = value
        elif qual in _UPPER_BOUND:
            high = value
    quantity = Quantity(
        text=m.group(0),
        value=_clean(value),
        low=_clean(low),
        high=_clean(high),
        qualifier=qual,
        unit=unit,
    )
    return FoundQuantity(m.start(), m.end(), quantity, has_digits)


def _scale_of(amount_text: str) -> float:
    m = _AMOUNT_PARTS.match(amount_text.strip())
    scale = (m.group("scale") or "").strip().lower() if m else ""
    return _SCALES.get(scale) or _ABBREVIATED_SCALES.get(scale, 1)


def _looks_like_year(amount: str, text: str, m: re.Match) -> bool:
    digits = amount.strip()
    if not re.fullmatch(r"(?:1[89]|20)\d\d", digits):
        return False
    after = text[m.end() : m.end() + 2]
    return not after.startswith(("%", " p"))


def compact(q: Quantity) -> str:
    """A reviewer's shorthand: "more than 80,000" -> "80,000+"."""

    def fmt(v: float | None) -> str:
        if v is None:
            return "?"
        if q.unit in ("USD", "GBP", "EUR", "JPY"):
            sym = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥"}[q.unit]
            for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
                if abs(v) >= size:
                    return f"{sym}{v / size:g}{suffix}"
            return f"{sym}{v:,.0f}" if float(v).is_integer() else f"{sym}{v:,.2f}"
        if float(v).is_integer():
            return f"{v:,.0f}"
        return f"{v:,.2f}".rstrip("0").rstrip(".")

    if q.unit == "fraction":
        return q.text
    pct = "%" if q.unit == "percent" else ""
    if q.value is None and q.low is not None and q.high is not None:
        return f"{fmt(q.low)}–{fmt(q.high)}{pct}"
    body = fmt(q.value) + pct
    if q.qualifier in _LOWER_BOUND:
        return f"{body}+"
    if q.qualifier in ("up to", "as many as", "as much as", "at most", "a maximum of"):
        return f"up to {body}"
    if q.qualifier in _UPPER_BOUND:
        return (
            f"<{body}"
            if q.qualifier in ("fewer than", "less than", "under", "below")
            else (f"nearly {body}")
        )
    if q.qualifier in _APPROXIMATE:
        return f"~{body}"
    return body
