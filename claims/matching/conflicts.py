"""Conflicting figures: two matched claims whose figures for one thing cannot both be right.

``figures_conflict(a, b)`` takes two ``ClaimFigures`` (a claim's text with the quantities
and times the extraction engine stored on it, as dicts) and returns a ``Conflict`` for each
pair of their figures that count the same thing, in the same unit, over the same time, and
whose values leave no room for both: "more than 80,000 people have died since March 2011"
against "70,000 people have died since March 2011".

What counts as the same thing, read in order:
1. **Time.** Each claim's times (``at``, ``by``, ``during``, ``since``) must agree where both
   give one of the same relation: a June figure is not compared with a March one. When both
   articles' dates (``as_of``) are known and a month or more apart, a count "since" a date
   may only have grown: the later figure conflicts only if it is below the earlier one.
2. **Unit.** Equal units ("people", "USD", "percent"); a figure with no unit is compared
   with a count of things, never with money, a share or a length. $12bn and £12bn are not
   compared (no exchange rate is right for every date).
3. **What is counted.** The words around each figure (to the next clause) name it. Words of
   different measures ("killed" and "injured", "exports" and "imports") keep two figures
   apart; so does a word of scope only one of them has ("total", "peak", "over the year").
   When a claim gives several figures, each is paired with the one of the other claim whose
   words it shares most, each figure used once.

Values become intervals before they are compared: "more than 80,000" is 80,000 and up;
"about 85,000" is ±10%; "nearly 2 million" is 1.8–2 million; "up to 200" is 0–200; a range
or "hundreds of thousands" is its ``low``–``high``; a plain figure is as precise as it is
written ("80,000" is a round number, ±5%; "80,312" is exact). Intervals that do not
overlap conflict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .text import STOP_WORDS, terms

LOWER_BOUND = {
    "more than", "over", "above", "at least", "upwards of", "in excess of", "no fewer than",
    "no less than", "well over", "just over", "more then", "a minimum of", "exceeding",
}  # fmt: skip
UPPER_BOUND_INCLUSIVE = {
    "up to", "no more than", "as many as", "as much as", "a maximum of", "at most", "not more than",
}  # fmt: skip
UPPER_BOUND_STRICT = {"fewer than", "less than", "under", "below", "just under", "just below"}
JUST_BELOW = {"nearly", "almost", "close to"}
APPROXIMATE = {
    "about", "around", "roughly", "approximately", "some", "an estimated", "estimated", "circa",
}  # fmt: skip

APPROXIMATE_SPREAD = 0.10  # "about 85,000": 76,500-93,500
JUST_BELOW_SPREAD = 0.10  # "nearly 2 million": 1.8-2 million
ROUNDING_CAP = 0.05  # a round figure stands for its neighbours up to 5% away
GROWTH_GAP_DAYS = 28  # articles further apart than this report different moments

# Units that are not counts of things: a bare figure is never compared with these.
MEASURE_UNITS = {"percent", "fraction", "USD", "GBP", "EUR", "JPY", "INR", "RUB", "CNY", "CHF"}

# Different measures of one event (stems). Two figures whose words name different ones are
# different things, whatever else they share.
MEASURES = {
    "death": {"die", "dead", "death", "kill", "fatal", "live", "toll", "murder"},
    "injury": {"injur", "hurt", "wound"},
    "displacement": {"fled", "flee", "refuge", "displac", "homeless", "evacu"},
    "arrest": {"arrest", "detain", "held"},
    "export": {"export"},
    "import": {"import"},
    "birth": {"born", "birth"},
    "sales": {"sold", "sale", "sell"},
    "profit": {"profit"},
    "revenue": {"revenu", "turnov", "sale"},
    "loss": {"loss", "lost"},
}
SCOPE = {
    "total", "peak", "overal", "annual", "year", "averag", "median", "cumul", "weekend", "daili",
    "month",
}  # fmt: skip
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]|\b(?:and|while|but|whereas|with|compared)\b", re.I)
_WINDOW = 4  # content words each side of a figure


@dataclass(frozen=True)
class ClaimFigures:
    """A claim as the conflict check reads it. ``quantities``/``times``: the engine's dicts
    (``value, low, high, qualifier, unit, text`` / ``value, relation``); ``as_of``: the date
    its article reports (ISO), when known."""

    text: str
    quantities: Sequence[dict] = ()
    times: Sequence[dict] = ()
    as_of: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Figure ``a`` of the first claim and figure ``b`` of the second cannot both be right."""

    a: dict
    b: dict
    reason: str
    counted: tuple[str, ...] = field(default=())


def figures_conflict(a: ClaimFigures, b: ClaimFigures) -> list[Conflict]:
    if not a.quantities or not b.quantities or not _times_agree(a.times, b.times):
        return []
    cumulative_gap = _report_gap(a, b)
    figures_a = [_Figure.of(q, a.text) for q in a.quantities]
    figures_b = [_Figure.of(q, b.text) for q in b.quantities]
    conflicts = []
    for fa, fb in _align(figures_a, figures_b):
        if cumulative_gap is not None and _is_cumulative(a, b):
            # Reported weeks apart: a count since a date may grow, never shrink.
            earlier, later = (fa, fb) if cumulative_gap > 0 else (fb, fa)
            if later.interval[1] < earlier.interval[0]:
                conflicts.append(_conflict(fa, fb, "a count since a date cannot fall"))
            continue
        if cumulative_gap is not None:
            continue  # figures of different moments
        if fa.interval[1] < fb.interval[0] or fb.interval[1] < fa.interval[0]:
            conflicts.append(_conflict(fa, fb, f"{fa.describe()} against {fb.describe()}"))
    return conflicts


def _conflict(fa: _Figure, fb: _Figure, reason: str) -> Conflict:
    return Conflict(
        dict(fa.quantity), dict(fb.quantity), reason, tuple(sorted(fa.words & fb.words))
    )


@dataclass
class _Figure:
    quantity: dict
    unit: str | None
    interval: tuple[float, float]
    words: set[str]

    @classmethod
    def of(cls, quantity: dict, text: str) -> _Figure:
        q = dict(quantity)
        return cls(q, q.get("unit"), interval(q), _words_around(text, q.get("text") or ""))

    def describe(self) -> str:
        return str(self.quantity.get("text") or self.quantity.get("value"))

    def measures(self) -> set[str]:
        return {name for name, stems in MEASURES.items() if self.words & stems}


def interval(q: dict) -> tuple[float, float]:
    """The values a quantity allows, as (low, high); open ends are infinite."""
    value, low, high = q.get("value"), q.get("low"), q.get("high")
    qualifier = (q.get("qualifier") or "").lower()
    if value is None:
        lo = low if low is not None else -math.inf
        hi = high if high is not None else math.inf
        return (float(lo), float(hi))
    value = float(value)
    if qualifier in LOWER_BOUND:
        return (value, math.inf)
    if qualifier in UPPER_BOUND_INCLUSIVE or qualifier in UPPER_BOUND_STRICT:
        return (min(0.0, value), value)
    if qualifier in JUST_BELOW:
        return (value * (1 - JUST_BELOW_SPREAD), value)
    if qualifier in APPROXIMATE:
        spread = abs(value) * APPROXIMATE_SPREAD
        return (value - spread, value + spread)
    spread = min(_rounding(q.get("text") or "", value), abs(value) * ROUNDING_CAP)
    return (value - spread, value + spread)


def _rounding(text: str, value: float) -> float:
    """Half the place of the last significant digit as written: "80,000" ±5,000, "4.5" ±0.05."""
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if not digits or value == 0:
        return 0.0
    written = digits.group(0).replace(",", "")
    if "." in written:
        place_written = 10.0 ** -len(written.split(".")[1])
    else:
        stripped = written.rstrip("0")
        place_written = 10.0 ** (len(written) - len(stripped)) if stripped else 1.0
    number = float(written)
    scale = abs(value) / number if number else 1.0  # "4.2bn" written 4.2, worth 4.2e9
    return place_written * scale / 2


def _words_around(text: str, figure: str) -> set[str]:
    """Content-word stems near a figure, within its clause; the figure itself left out."""
    at = text.find(figure) if figure else -1
    if at < 0:
        return set(terms(text)) - {t for t in terms(text) if t[0].isdigit()}
    before, after = text[:at], text[at + len(figure) :]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    before = before[breaks[-1].end() :] if breaks else before
    stop = _CLAUSE_BREAK.search(after)
    after = after[: stop.start()] if stop else after
    words_before = [t for t in terms(before) if not t[0].isdigit()][-_WINDOW:]
    words_after = [t for t in terms(after) if not t[0].isdigit()][:_WINDOW]
    return {w for w in words_before + words_after if w not in STOP_WORDS}


def _comparable(fa: _Figure, fb: _Figure) -> bool:
    if fa.unit != fb.unit:
        if fa.unit and fb.unit:
            return False
        if (fa.unit or fb.unit) in MEASURE_UNITS:
            return False
    ma, mb = fa.measures(), fb.measures()
    if ma and mb and not ma & mb:
        return False
    return (fa.words & SCOPE) == (fb.words & SCOPE)


def _align(figures_a: list[_Figure], figures_b: list[_Figure]) -> list[tuple[_Figure, _Figure]]:
    """Each figure paired at most once, with the comparable figure sharing most words."""
    scored = []
    for i, fa in enumerate(figures_a):
        for j, fb in enumerate(figures_b):
            if _comparable(fa, fb):
                union = fa.words | fb.words
                overlap = len(fa.words & fb.words) / len(union) if union else 1.0
                agree = fa.interval[1] >= fb.interval[0] and fb.interval[1] >= fa.interval[0]
                scored.append((overlap, agree, i, j))
    pairs, used_a, used_b = [], set(), set()
    for _, _, i, j in sorted(scored, key=lambda s: (-s[0], not s[1], s[2], s[3])):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((figures_a[i], figures_b[j]))
    return pairs


def _time_parts(value: str | None) -> tuple[str | None, str | None, str | None] | None:
    """(year, month, day) of an ISO value or part of one ("2011-03", "--05-07")."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4}|-)-?(\d{2})?-?(\d{2})?", value.strip())
    if not m:
        return None
    year = m.group(1) if m.group(1) != "-" else None
    return (year, m.group(2), m.group(3))


def _same_time(x: str | None, y: str | None) -> bool:
    px, py = _time_parts(x), _time_parts(y)
    if px is None or py is None:
        return True  # unknown: cannot tell them apart
    return all(p is None or q is None or p == q for p, q in zip(px, py, strict=True))


def _times_agree(times_a: Sequence[dict], times_b: Sequence[dict]) -> bool:
    for ta in times_a:
        for tb in times_b:
            relation_a = ta.get("relation") or "at"
            relation_b = tb.get("relation") or "at"
            same_kind = relation_a == relation_b or {relation_a, relation_b} <= {"at", "during"}
            if same_kind and not _same_time(ta.get("value"), tb.get("value")):
                return False
    return True


def _report_gap(a: ClaimFigures, b: ClaimFigures) -> int | None:
    """Days from ``a``'s article to ``b``'s, when both are known and far enough apart."""
    import datetime

    try:
        da = datetime.date.fromisoformat((a.as_of or "")[:10])
        db = datetime.date.fromisoformat((b.as_of or "")[:10])
    except ValueError:
        return None
    gap = (db - da).days
    return gap if abs(gap) > GROWTH_GAP_DAYS else None


def _is_cumulative(a: ClaimFigures, b: ClaimFigures) -> bool:
    relations = {t.get("relation") for t in (*a.times, *b.times)}
    return "since" in relations
