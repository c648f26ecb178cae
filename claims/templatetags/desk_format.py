"""Template filters for how the desk shows things: figures, and summaries worth a heading."""

from __future__ import annotations

from django import template

from claims.formatting import format_quantities, format_quantity

register = template.Library()

register.filter("reader_quantity", format_quantity)


@register.filter
def reader_quantities(quantities, separator: str = "; ") -> str:
    return format_quantities(quantities, separator=separator)


@register.filter
def adds_to(summary: str, text: str) -> bool:
    """Whether a summary says something the claim's text does not show at a glance.

    A summary that is the text itself, or the text cut short ("… rose by…"), only repeats it.
    """
    summary = " ".join((summary or "").split())
    text = " ".join((text or "").split())
    if not summary:
        return False
    stem = summary.rstrip("…. ").rstrip()
    return not text.startswith(stem)
