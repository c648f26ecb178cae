"""Server-drawn charts: geometry for inline SVG, computed here and drawn by templates.

Only numbers and labels leave this module; the templates escape every label (outlet
names come from uploads and are untrusted).
"""

from __future__ import annotations

from dataclasses import dataclass

from claims.models import Claim

STATUS_ORDER = [
    Claim.Status.VERIFIED,
    Claim.Status.SOURCED,
    Claim.Status.DISPUTED,
    Claim.Status.UNREVIEWED,
]


@dataclass
class BarPart:
    status: str
    label: str
    count: int
    x: float
    width: float
    percent: float


@dataclass
class BarRow:
    label: str
    total: int
    y: float
    parts: list[BarPart]


def stacked_bar(counts: dict[str, int], *, width: float = 100.0) -> list[BarPart]:
    """One horizontal bar split by status, in a fixed order, scaled to ``width``."""
    total = sum(counts.get(status, 0) for status in STATUS_ORDER)
    parts, x = [], 0.0
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        share = count / total if total else 0.0
        parts.append(
            BarPart(
                status=status,
                label=Claim.Status(status).label,
                count=count,
                x=round(x, 3),
                width=round(share * width, 3),
                percent=round(share * 100, 1),
            )
        )
        x += share * width
    return parts


@dataclass
class OverviewChart:
    desk: BarRow
    outlets: list[BarRow]
    width: int
    label_width: int
    bar_width: int
    row_height: int
    height: int
    legend: list[tuple[str, str]]


def overview_chart(overview: dict, *, max_outlets: int = 25) -> OverviewChart:
    """Desk-wide bar on top, then one bar per outlet (busiest first), all to 100 %."""
    label_width, bar_width, row_height = 190, 480, 30
    desk = BarRow(
        label="Whole desk",
        total=sum(overview["desk"].values()),
        y=0,
        parts=stacked_bar(overview["desk"], width=bar_width),
    )
    outlets = [
        BarRow(
            label=name,
            total=sum(counts.values()),
            y=(index + 2) * row_height,
            parts=stacked_bar(counts, width=bar_width),
        )
        for index, (name, counts) in enumerate(overview["outlets"][:max_outlets])
    ]
    return OverviewChart(
        desk=desk,
        outlets=outlets,
        width=label_width + bar_width + 70,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        height=(len(outlets) + 2) * row_height,
        legend=[(status, Claim.Status(status).label) for status in STATUS_ORDER],
    )
