"""Figures as a reader writes them: "$310 million", "3.9%", "9-2", "more than 80,000 people".

Plain Python (no Django), shared by the review panel, the queue and the CSV's display column,
so a figure reads the same everywhere. The raw numbers stay in the data (and the CSV's
``quantity_values`` column); this is only how they are shown.
"""

from __future__ import annotations

import re

CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹"}
_SCALES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]
# A score or a vote tally ("9-2", "3–1") is two numbers, not a subtraction or a range.
_TALLY = re.compile(r"^\s*(\d+)\s*[-–]\s*(\d+)\s*$")
# Qualifiers that a range or the words themselves already say.
_SILENT_QUALIFIERS = {"between", "vague", "range"}


def _plain(number: float) -> str:
    """1234567 -> "1,234,567"; 3.9 -> "3.9"; 6.50 -> "6.5" (at most two decimals)."""
    if float(number).is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def format_number(number: float) -> str:
    """Millions and above in words, as newspapers do: 310000000 -> "310 million"."""
    size = abs(number)
    for scale, word in _SCALES:
        if size >= scale:
            return f"{_plain(round(number / scale, 2))} {word}"
    return _plain(number)


def _with_unit(figure: str, unit: str | None) -> str:
    if not unit:
        return figure
    if unit == "percent":
        return f"{figure}%"
    symbol = CURRENCY_SYMBOLS.get(unit)
    if symbol:
        return f"{symbol}{figure}"
    return f"{figure} {unit}"


def format_quantity(quantity: dict) -> str:
    """One normalised quantity (a claim's ``quantities`` item) as a reader would write it."""
    text = (quantity.get("text") or "").strip()
    tally = _TALLY.match(text)
    if tally:
        return f"{tally.group(1)}-{tally.group(2)}"
    value, low, high = quantity.get("value"), quantity.get("low"), quantity.get("high")
    unit, qualifier = quantity.get("unit"), (quantity.get("qualifier") or "").strip()
    if qualifier == "vague":
        return text  # "hundreds of thousands": a reader's words already
    if value is None and low is not None and high is not None:
        if unit in CURRENCY_SYMBOLS:  # "$1 million–$2 million"
            return f"{_with_unit(format_number(low), unit)}–{_with_unit(format_number(high), unit)}"
        figure = f"{format_number(low)}–{format_number(high)}"  # "60–70%", "5–8 people"
        return _with_unit(figure, unit)
    number = value if value is not None else (low if low is not None else high)
    if number is None:
        return text
    shown = _with_unit(format_number(float(number)), unit)
    if qualifier and qualifier not in _SILENT_QUALIFIERS:
        shown = f"{qualifier} {shown}"
    return shown


def format_quantities(quantities: list[dict] | None, *, separator: str = "; ") -> str:
    return separator.join(format_quantity(q) for q in quantities or [] if isinstance(q, dict))
