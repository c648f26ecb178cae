"""Where a sentence holds more than one statement: coordinated clauses, each with its own
subject and figure, become two claims, and a statement followed by a question is read up to
the break."""

from __future__ import annotations

import re

from spacy.tokens import Token

from .classify import has_day_date, has_finite_verb, is_question
from .units import DocIndex, Frame, Unit, main_verb

# A break between two clauses: a spaced dash or a semicolon.
_CLAUSE_BREAK = re.compile(r"\s[-–—]+\s|;\s")
# Words that open a question ("Why did...", "Did the minister...").
_QUESTION_OPENERS = frozenset(
    """who whom whose what which when where why how do does did is are was were am can could
    will would shall should may might must has have had""".split()  # noqa: SIM905
)


def statement_before_question(unit: Unit, text: str) -> Unit:
    """A question that follows a statement in the same sentence leaves the statement a claim:
    "Unemployment rose to 7.1 percent in March – so why is the minister celebrating?" gives
    the unit up to the dash. Any other unit comes back as it is."""
    if not is_question(text, unit.start, unit.end):
        return unit
    breaks = list(_CLAUSE_BREAK.finditer(text, unit.start, unit.end))
    if not breaks:
        return unit
    end = breaks[-1].start()
    tokens = [t for t in unit.tokens if t.idx + len(t) <= end]
    words = [t for t in tokens if not (t.is_punct or t.is_space)]
    if len(words) < 4 or words[0].lower_ in _QUESTION_OPENERS:
        return unit
    if not has_finite_verb(tokens, unit.start, end):
        return unit
    return Unit(unit.start, end, tokens, unit.root)


def split_clauses(
    unit: Unit, index: DocIndex, frame: Frame | None
) -> list[tuple[int, int, Token]] | None:
    """'More than 80,000 people have died and hundreds of thousands fled': two claims."""
    root = main_verb(unit)
    if frame is not None:
        if frame.content_head is None:
            return None
        root = frame.content_head
        acted = _act_then_speech(unit, frame.content_head)
        if acted:
            return acted
    for conj in root.children:
        if conj.dep_ != "conj" or conj.pos_ not in ("VERB", "AUX"):
            continue
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
            continue
        cc = next((c for c in root.children if c.dep_ == "cc" and c.i < conj.i), None)
        if cc is None:
            continue
        first = (unit.start, cc.idx, root)
        end = unit.end
        if frame is not None and conj.right_edge.idx + len(conj.right_edge) <= unit.end:
            end = conj.right_edge.idx + len(conj.right_edge)  # leave ", officials said" out
        second = (max(conj.left_edge.idx, cc.idx + len(cc)), end, conj)
        if all(_fact(index, s, e) for s, e, _ in (first, second)):
            return [first, second]
    # "The council voted 9-2 to approve the plan, after ridership rose by 18 percent": a
    # clause of its own subject and figure, hung on the main verb by "after"/"as"/"while".
    for sub in root.children:
        if sub.dep_ != "advcl" or sub.pos_ not in ("VERB", "AUX"):
            continue
        mark = next((c for c in sub.children if c.dep_ == "mark" and c.i < sub.i), None)
        if mark is None or mark.lower_ not in _FACT_MARKS or mark.idx <= unit.start:
            continue
        # Set off by a comma: without one ("walked out after talks over a pay rise of 5 to 7
        # percent collapsed") the clause is the reason inside one fact, not a second fact.
        # ", a day after his party won 41 percent": the comma may come before a measure of
        # time that opens the clause.
        opener = sub.left_edge if sub.left_edge.i < mark.i else mark
        # A change of its own ("would cut 4,000 jobs after its sales fell 9 percent") is a
        # second fact even without the comma.
        if (opener.i == 0 or opener.nbor(-1).text != ",") and sub.lemma_ not in _CHANGE_LEMMAS:
            continue
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in sub.children):
            continue
        first = (unit.start, opener.idx, root)
        second = (mark.idx + len(mark), unit.end, sub)
        if all(_fact(index, s, e) for s, e, _ in (first, second)):
            return [first, second]
    return _relative_fact(unit, index, root)


def _act_then_speech(unit: Unit, content: Token) -> list[tuple[int, int, Token]] | None:
    """'The bank kept its rate at 4.25 percent on Wednesday and said it expected to cut it':
    what the subject did, then what it said: two claims, the source carried into both."""
    verb = content.head
    if verb.dep_ != "conj" or not (unit.start <= verb.head.idx < verb.idx):
        return None
    act = verb.head
    if act.pos_ not in ("VERB", "AUX") or any(c.dep_ in ("ccomp", "xcomp") for c in act.children):
        return None
    cc = next((c for c in act.children if c.dep_ == "cc" and c.i < verb.i), None)
    if cc is None or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None
    return [(unit.start, cc.idx, act), (cc.idx + len(cc), unit.end, content)]


def _fact(index: DocIndex, start: int, end: int) -> bool:
    """A stretch that can stand as a claim of its own: a figure or a date to the day."""
    return bool(index.quantities_in(start, end)) or has_day_date(index, start, end)


def _relative_fact(unit: Unit, index: DocIndex, root: Token) -> list[tuple[int, int, Token]] | None:
    """'…would not withdraw the reform, which parliament approved on Thursday by 287 votes to
    252': a relative clause with its own subject and its own dated fact or tally is a claim
    of its own (the sentence's source is carried into it); so is a figure in a relative
    clause after a dated happening that holds no figure. Read off the surface, since the
    small parser often breaks such clauses apart."""
    tokens = unit.tokens
    for k, t in enumerate(tokens[1:-2], start=1):
        if t.lower_ not in ("which", "whom") or tokens[k - 1].text != ",":
            continue
        nxt = tokens[k + 1]
        own_subject = nxt.pos_ in ("NOUN", "PROPN", "DET", "PRON", "ADJ")
        verb = next(
            (v for v in tokens[k + 1 :] if v.tag_ in ("VBD", "VBN", "VBZ", "VBP", "MD")), None
        )
        if verb is None:
            continue
        start, end = t.idx, unit.end
        first_end = tokens[k - 1].idx
        if not has_finite_verb(tokens, unit.start, first_end):
            continue
        if own_subject:
            found = index.quantities_in(start, end)
            if not (
                any(fq.quantity.qualifier == "tally" for fq in found)
                or has_day_date(index, start, end)
            ):
                continue
        elif not (
            # "The collapse happened on Wednesday at the mine, which produces a quarter of
            # the copper": a dated happening, then a figure about the place: two facts.
            has_day_date(index, unit.start, first_end)
            and not index.quantities_in(unit.start, first_end)
            and index.quantities_in(start, end)
        ):
            continue
        return [(unit.start, first_end, root), (start, end, verb)]
    return None


_CHANGE_LEMMAS = frozenset(
    "rise fall grow increase decrease drop decline climb jump slump surge double halve".split()  # noqa: SIM905
)
_FACT_MARKS = frozenset({"after", "as", "while", "whereas"})
