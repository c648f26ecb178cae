"""The extraction engine's output: plain dataclasses, no Django.

Every claim is an exact span of the text it was extracted from:
``text[claim.start:claim.end] == claim.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class ClaimType:
    STATISTIC = "statistic"
    QUOTE = "quote"
    ATTRIBUTION = "attribution"
    EVENT = "event"
    PREDICTION = "prediction"

    ALL = (STATISTIC, QUOTE, ATTRIBUTION, EVENT, PREDICTION)


@dataclass
class SpeakerKind:
    """Who a speaker is, as ClaimReview needs it (``Person`` or ``Organization``)."""

    PERSON = "person"
    ORGANISATION = "organisation"

    ALL = (PERSON, ORGANISATION)


@dataclass
class Quantity:
    text: str
    value: float | None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None  # "more than", "at least", "about", "between", ...
    unit: str | None = None  # "people", "percent", "USD", ...


@dataclass
class TimeRef:
    text: str
    value: str | None  # ISO 8601 or a part of one: "2011-03", "2030", "--05-07"
    relation: str = "at"  # at, since, until, by, during


@dataclass
class Entity:
    text: str
    label: str  # PERSON, ORG, GPE, ...


@dataclass
class ExtractedClaim:
    text: str
    start: int
    end: int
    type: str
    quantities: list[Quantity] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)
    speaker: str | None = None
    # SpeakerKind.PERSON or SpeakerKind.ORGANISATION; None when there is no speaker.
    speaker_kind: str | None = None
    cue: str | None = None
    entities: list[Entity] = field(default_factory=list)
    summary: str = ""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ArticleParts:
    """What the engine reads off an article's raw text besides its claims."""

    title: str = ""
    body: str = ""  # the text after the headline, as stored on the article
    body_offset: int = 0  # raw[body_offset:body_offset + len(body)] == body
    dateline_place: str | None = None
    dateline_date: str | None = None  # ISO or partial ("--05-28" when no year)
    outlet: str | None = None
