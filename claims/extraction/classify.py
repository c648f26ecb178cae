"""What kind of claim a stretch is, if any: prediction, statistic, attribution or event.

Also the tests the rest of the engine shares: is it a question, an exclamation, a statement
with a finite verb, an opinion (words of judgement with nothing to measure them against),
a forecast.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.tokens import Token

from .claim import make_claim, named_entities, times_in
from .speakers import FORWARD_LOOKING_CUES
from .speakers import SPEECH_VERBS as SPEECH_LEMMAS
from .types import ClaimType, Entity, ExtractedClaim, TimeRef
from .units import DocIndex, Frame, Unit, main_verb

_FUTURE_AUX = frozenset({"will", "'ll", "’ll", "shall", "wo", "may", "might"})
_REPORTED_FUTURE_AUX = _FUTURE_AUX | {"would", "could"}
_SCHEDULED_WORDS = frozenset({"due", "set", "scheduled", "slated", "poised", "expected"})
_FORWARD_LEMMAS = frozenset({"forecast", "predict", "pledge", "vow", "promise", "project"})
_OPINION_WORDS = frozenset(
    """think believe feel hope love hate wish like enjoy fear doubt great wonderful terrible
    awful disappointing disappointed delighted happy sad proud amazing fantastic brilliant
    beautiful shame pity excited thrilled sorry glad lovely horrible dreadful best worst
    incredible exciting boring good bad nice should must ought deserve frustrated tired angry
    upset worried furious heartbreaking heartbroken fair unfair unacceptable outrageous
    shocking worrying disgraceful ridiculous""".split()  # noqa: SIM905 - easier to edit
)
_NOT_OPINION_POS = frozenset({"ADP", "SCONJ", "PROPN"})


def typed_claim(
    unit: Unit,
    index: DocIndex,
    start: int,
    end: int,
    head: Token | None,
    frame: Frame | None,
    shared_times: list[TimeRef] | None,
) -> ExtractedClaim | None:
    """The claim over start:end, typed by the first kind that fits; None for an opinion, an
    exclamation without a figure, or a stretch with nothing checkable."""
    found_quantities = index.quantities_in(start, end)
    quantities = [q.quantity for q in found_quantities]
    times = times_in(start, end, unit, index)
    if not times and shared_times:
        times = list(shared_times)
    entities = named_entities(start, end, index)
    speaker = frame.speaker if frame else None
    content_head = frame.content_head if frame else None
    if content_head is None:
        content_head = head or main_verb(unit)
    checkable = bool(quantities or times or _non_speaker_entities(entities, speaker))
    # Names do not make an opinion checkable ("Silva is a brilliant player"), but a named
    # source's stated position on named parties is a claim ("Moscow is hoping that…").
    named_position = bool(frame and speaker and _non_speaker_entities(entities, speaker))
    if not (quantities or times or named_position) and opinion_only(unit.tokens, start, end):
        return None
    if not quantities and is_exclamation(index.text, start, end):
        return None
    if is_prediction(content_head, frame, end if head is not None else None):
        kind = ClaimType.PREDICTION
    elif quantities:
        dated = _dated_happening(found_quantities, start, end, content_head, index)
        kind = ClaimType.EVENT if dated else ClaimType.STATISTIC
    elif _act_with_reason(content_head, frame) and checkable:
        # "added the companies to its list on Monday, saying they had supplied parts": the
        # subject's act is the claim, what it said is its reason.
        kind = ClaimType.EVENT
    elif frame is not None and (speaker or checkable):
        kind = ClaimType.ATTRIBUTION
    elif checkable and has_finite_verb(unit.tokens, start, end):
        kind = ClaimType.EVENT
    else:
        return None
    if kind == ClaimType.PREDICTION and not (checkable or speaker):
        return None
    return make_claim(
        index,
        start,
        end,
        kind,
        quantities=quantities,
        times=times,
        speaker=speaker,
        cue=frame.cue if frame else None,
        entities=entities,
        head=head,
    )


_DAY_VALUE = re.compile(r"(?:\d{4}|-)-\d\d-\d\d$")
_WEEKDAY_TEXT = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
# A figure that is what the sentence reports: the subject or object of a verb.
_CHANGE_LEMMAS = frozenset(
    """rise fall grow increase decrease drop decline climb jump slow slump surge double triple
    halve reach hit total shrink expand gain lose fell rose""".split()  # noqa: SIM905
)
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "oprd", "dative"})


def has_day_date(index: DocIndex, start: int, end: int) -> bool:
    """A date to the day (or a weekday) in start:end."""
    lo = bisect_left(index.time_starts, start)
    for ft in index.times[lo:]:
        if ft.start >= end:
            break
        t = ft.time
        if _WEEKDAY_TEXT.search(t.text) or (t.value and _DAY_VALUE.search(t.value)):
            return True
    return False


def _dated_happening(found: list, start: int, end: int, head: Token, index: DocIndex) -> bool:
    """A vote with its tally, or a dated happening whose figures only describe it ("began a
    48-hour strike on Tuesday", "declared an emergency in 23 counties on Wednesday"): an event,
    not a statistic. A change ("rose", "fell"), a percentage, a sum of money, or a count that
    is the subject or object of a verb ("killed 11 people on Tuesday") keeps it a statistic,
    and so does a date that only says when the source spoke ("…, the ministry said on Monday")."""
    if any(fq.quantity.qualifier == "tally" for fq in found):
        return True
    if head.lemma_.lower() in _CHANGE_LEMMAS:
        return False
    lo = bisect_left(index.time_starts, start)
    dated = False
    for ft in index.times[lo:]:
        if ft.start >= end:
            break
        t = ft.time
        # The index holds each date as read without the article's date: a weekday has no
        # value yet, "July 23" is "--07-23".
        if not (_WEEKDAY_TEXT.search(t.text) or (t.value and _DAY_VALUE.search(t.value))):
            continue
        span = index.doc.char_span(ft.start, ft.end, alignment_mode="expand")
        if span is not None and (span.root.i == head.i or head in span.root.ancestors):
            dated = True
            break
    if not dated:
        return False
    for fq in found:
        q = fq.quantity
        span = index.doc.char_span(fq.start, fq.end, alignment_mode="expand")
        # "for a fraud that cost investors 180 million pounds": a figure in a clause that
        # describes a noun describes it, whatever it is.
        if span is not None and any(a.dep_ in ("relcl", "acl") for a in _between(span.root, head)):
            continue
        if q.unit and (q.unit.startswith("percent") or q.unit.isupper()):
            return False
        if _MODIFIER_FIGURE.search(q.text):
            continue  # "a 48-hour strike", "an eight-day trial": the figure describes a noun
        if span is None:
            return False
        node = span.root
        while node.dep_ in ("nummod", "compound", "quantmod") and node.head.i != node.i:
            node = node.head
        if node.dep_ in _ARGUMENT_DEPS:
            return False
        # "holds a lead of eight points": the figure measures what the main verb reports.
        prep = node.head
        if (
            node.dep_ == "pobj"
            and prep.lower_ == "of"
            and prep.head.dep_ in _ARGUMENT_DEPS
            and prep.head.head.i == head.i
        ):
            return False
    return True


def _between(node: Token, head: Token) -> list[Token]:
    """node and its ancestors below head (all of them if head is not among them)."""
    out = [node]
    for a in node.ancestors:
        if a.i == head.i:
            break
        out.append(a)
    return out


_MODIFIER_FIGURE = re.compile(r"[\w]-[a-z]+$")


def _act_with_reason(content_head: Token, frame: Frame | None) -> bool:
    if frame is None:
        return False
    # The frame's content is the clause under "saying", or "saying" itself when the parser
    # took the act's verb ("added") for the speech verb.
    verb = content_head.head if content_head.dep_ == "ccomp" else content_head
    act = verb.head
    return (
        verb.tag_ == "VBG"
        and verb.dep_ == "advcl"
        and act.i != verb.i
        and act.pos_ == "VERB"
        and act.i < verb.i
        # "added the companies to its list": a speech verb with an object is an act.
        and (act.lemma_ not in SPEECH_LEMMAS or any(c.dep_ == "dobj" for c in act.children))
    )


def _non_speaker_entities(entities: list[Entity], speaker: str | None) -> list[Entity]:
    if not speaker:
        return entities
    return [e for e in entities if e.text not in speaker and speaker not in e.text]


def is_prediction(head: Token, frame: Frame | None, end: int | None = None) -> bool:
    """A forecast or pledge. `end` bounds a claim split off a longer sentence: a coordinated
    verb past it is another claim's ("had lost a third of the crop, and that it would pay")."""
    if frame is not None and frame.cue in FORWARD_LOOKING_CUES:
        return True
    heads = [head]
    if frame is not None:
        # "said operations had been suspended and that it expected losses of $30m a week"
        heads.extend(
            c
            for c in head.children
            if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and (end is None or c.idx < end)
        )
    return any(_is_forward(h, frame) for h in heads)


def _is_forward(head: Token, frame: Frame | None) -> bool:
    if head.lemma_.lower() in _FORWARD_LEMMAS:
        return True
    if frame is not None and head.lemma_ in ("expect", "anticipate"):
        return True  # a source's reported expectation is a forecast
    aux_words = _REPORTED_FUTURE_AUX if frame is not None else _FUTURE_AUX
    auxes = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    # "would have produced 40,000 tons": a past that did not happen, not a forecast.
    counterfactual = head.tag_ == "VBN" and any(c.lower_ == "have" for c in auxes)
    for child in auxes:
        if child.lower_ in aux_words and not (counterfactual and child.lower_ != "will"):
            return True
    for child in head.children:
        # "is due to begin next month", "are scheduled to resume": a fixed future.
        if (
            child.dep_ in ("acomp", "attr", "oprd")
            and child.lower_ in _SCHEDULED_WORDS
            and any(c.dep_ == "xcomp" for c in child.children)
        ):
            return True
        if (
            child.dep_ in ("xcomp", "ccomp")
            and head.lemma_ in ("expect", "set", "plan", "go", "aim")
            and (head.lemma_ != "go" or head.tag_ == "VBG")
        ):
            return True
    return False


def has_finite_verb(tokens: list[Token], start: int, end: int) -> bool:
    return any(
        t.pos_ in ("VERB", "AUX") and t.tag_ in ("VBD", "VBZ", "VBP", "MD", "VBN")
        for t in tokens
        if start <= t.idx < end
    )


# "The best figures in the history of the port" measures against a record: checkable.
_RECORD_FRAME = re.compile(
    r"\b(?:in (?:the |its |their |our )?history|on record|since records began|of all time|"
    r"ever recorded)\b",
    re.I,
)
_SUPERLATIVES = frozenset({"best", "worst"})


def opinion_only(tokens: list[Token], start: int, end: int) -> bool:
    """Words of judgement or feeling ("brilliant", "frustrated", "should"); "best" and
    "worst" are not judgement when the stretch names the record they are measured against."""
    words = [t for t in tokens if start <= t.idx < end]
    record = None
    for t in words:
        if not (t.lower_ in _OPINION_WORDS or t.lemma_ in _OPINION_WORDS):
            continue
        if t.pos_ in _NOT_OPINION_POS:
            continue
        if t.lower_ in _SUPERLATIVES:
            if record is None:
                record = bool(_RECORD_FRAME.search(" ".join(w.text for w in words)))
            if record:
                continue
        return True
    return False


def is_question(text: str, start: int, end: int) -> bool:
    return text[start:end].rstrip(" \"”’'").endswith("?")


def is_exclamation(text: str, start: int, end: int) -> bool:
    return text[start:end].rstrip(" \"”’'").endswith("!")
