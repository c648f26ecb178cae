"""The figures and dates of a bare sentence, without spaCy: for texts the pipeline never
parses, such as an imported fact-check's claim, so its figures can be checked against the
desk's claims (claims/matching/conflicts.py) like those of a claim the engine extracted.

The same readers the pipeline uses (``find_quantities``, ``find_times``), as the same dicts
a claim stores (``Quantity`` and ``TimeRef`` fields). What the pipeline adds with a parse
is missing here: a count's unit from the noun it counts ("80,000 *people*"), and the tense
of the clause for a weekday; a figure without a unit is still compared with counts.
"""

from __future__ import annotations

import datetime

from .quantities import find_quantities
from .times import find_times, resolve


def read_figures(
    text: str, reference: datetime.date | None = None
) -> tuple[list[dict], list[dict]]:
    """(quantities, times) of ``text``; relative dates are read as past, for ``reference``."""
    quantities = [dict(vars(found.quantity)) for found in find_quantities(text)]
    times = [
        dict(vars(resolve(found, reference, future=False))) for found in find_times(text, reference)
    ]
    return quantities, times
