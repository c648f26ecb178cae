"""The surface cues of a sentence, for the check-worthiness scorer (no Django): regular
expressions for figures, percentages, money, years, comparisons, sources, opinion markers,
modals, questions and courtesies, plus the proper nouns. ``scan`` runs them once per
sentence; the lexical model's cue features (``cue_features_from_scan``) and the reasons a
reviewer reads (checkworthiness.py) both come from that one scan.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (
    r"hundred|thousand|million|billion|trillion|dozen|twice|double[ds]?|triple[ds]?|half|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety"
)
_CUES: list[tuple[str, re.Pattern[str], str]] = [
    # (feature name, pattern on the original text, reason template)
    (
        "figure",
        re.compile(
            rf"(?<![\w.])[$£€]?\d[\d,.]*(?:\s+(?:{_NUMBER_WORDS}))?\b|\b(?:{_NUMBER_WORDS})\b", re.I
        ),
        "contains a figure '{}'",
    ),
    ("percent", re.compile(r"%|\bper ?cent\b|\bpercentage\b", re.I), "contains a percentage"),
    (
        "money",
        re.compile(  # the whole amount: the reason names "$310 million", not "$3"
            r"[$£€]\s?\d[\d,.]*(?:\s+(?:million|billion|trillion|bn|m)\b)?|"
            r"\b(?:dollars?|euros?|pounds sterling|cents?|budget|tax(?:es)?)\b",
            re.I,
        ),
        "mentions money '{}'",
    ),
    (
        "year",
        re.compile(r"\b(?:1[89]|20)\d\d\b|\blast year\b|\bsince\b", re.I),
        "refers to a date '{}'",
    ),
    (
        "compare",
        re.compile(
            r"\b(?:more|less|fewer) than\b|\b(?:highest|lowest|largest|biggest|smallest|most|least|"
            r"record|increased?|decreased?|doubled|tripled|cut|rose|fell|grew|dropped|"
            r"went (?:up|down))\b",
            re.I,
        ),
        "comparison or change '{}'",
    ),
    (
        "source",
        re.compile(
            r"\baccording to\b|\b(?:report(?:ed|s)?|study|studies|survey|poll|statistics|data|"
            r"census|audit|analysis)\b",
            re.I,
        ),
        "cites a source '{}'",
    ),
    (
        "opinion",
        re.compile(
            r"\bI (?:think|believe|feel|hope|guess|suppose|want|wish|love|like)\b|"
            r"\bin my (?:opinion|view)\b|\bI'm (?:sure|proud|happy|glad|confident)\b|"
            r"\bwe (?:need|must|should|have) to\b",
            re.I,
        ),
        "opinion marker '{}'",
    ),
    (
        "modal",
        re.compile(
            r"\b(?:will|would|should|could|might|may|must|shall|gonna|going to)\b|'ll\b", re.I
        ),
        "modal or future '{}'",
    ),
    ("question", re.compile(r"\?\s*[\"')\]]*\s*$"), "is a question"),
    (
        "courtesy",
        re.compile(
            r"\b(?:thank(?:s| you)|hello|good (?:evening|morning|night)|congratulations|"
            r"ladies and gentlemen|excuse me|let me (?:say|finish))\b",
            re.I,
        ),
        "courtesy or procedure '{}'",
    ),
]
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself)\b")
_CAP = r"(?:[A-Z][a-z]+(?:['’]s)?|[A-Z]{2,}|[A-Z]\.(?:[A-Z]\.)+)"
# A capitalised run may contain "of/the/for" ("Bureau of Labor Statistics").
_PROPER = re.compile(rf"(?<=[\w,;:).] ){_CAP}(?:\s(?:(?:of|the|for)\s)?{_CAP})*")
_NOT_PROPER = {"I", "I'm", "OK", "Mr", "Mrs", "Ms", "Dr"}

Scan = tuple[list[tuple[str, str, str]], list[str]]


def scan(text: str) -> Scan:
    """Run every cue regex once: ``([(name, template, matched text)], proper nouns)``.

    Shared by the model's cue features and the reasons so each regex runs once per sentence."""
    hits = []
    for name, pat, template in _CUES:
        m = pat.search(text)
        if m:
            hits.append((name, template, m.group(0).strip()))
    return hits, _proper_nouns(text)


def cue_features_from_scan(text: str, found: Scan) -> list[str]:
    hits, names = found
    feats = [name for name, _, _ in hits]
    if _FIRST_PERSON.search(text):
        feats.append("first_person")
    feats.append(f"proper_{min(len(names), 3)}")
    n_words = len(text.split())
    feats.append(
        "len_"
        + ("lt5" if n_words < 5 else "lt10" if n_words < 10 else "lt20" if n_words < 20 else "ge20")
    )
    return feats


def _proper_nouns(text: str) -> list[str]:
    """Capitalised word runs not at the start of the sentence: a cheap proxy for names."""
    return [m for m in _PROPER.findall(text) if m not in _NOT_PROPER]
