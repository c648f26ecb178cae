"""Where a sentence holds more than one statement: coordinated clauses, each with its own
subject and figure, become two claims, and a statement followed by a question is read up to
the break."""

from __future__ import annotations

import re

from spacy.tokens import Token

from .classify import has_finite_verb, is_question
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
        if all(index.quantities_in(s, e) for s, e, _ in (first, second)):
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
        if mark.i == 0 or mark.nbor(-1).text != ",":
            continue
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in sub.children):
            continue
        first = (unit.start, mark.idx, root)
        second = (mark.idx + len(mark), unit.end, sub)
        if all(index.quantities_in(s, e) for s, e, _ in (first, second)):
            return [first, second]
    return None


_FACT_MARKS = frozenset({"after", "as", "while", "whereas"})
