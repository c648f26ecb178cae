"""Who said it: speech verbs, subjects, "according to", and pronouns resolved to names."""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Token

from .types import SpeakerKind


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs that introduce what someone said; "agree" and "announce plans" are events.
SPEECH_VERBS = _words(
    """say tell add state stress note warn claim announce insist explain write argue report
    confirm deny reiterate suggest predict estimate admit acknowledge declare urge reply respond
    testify tweet post comment conclude emphasise emphasize indicate maintain allege assert
    disclose reveal forecast complain recall concede vow pledge promise caution signal observe
    remark affirm contend find show"""
)
# Cues that make the reported content a forecast or a pledge whatever its tense.
FORWARD_LOOKING_CUES = _words("predict forecast vow pledge promise")
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_GROUP_PRONOUNS = frozenset({"they", "it"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_TRIM_RIGHT_DEPS = frozenset({"relcl", "appos", "punct", "acl", "cc", "conj", "advcl"})


# "The study found that…" is sourcing; "Judges found that…" is an event, not a source.
_FINDING_VERBS = _words("find show")
_DOCUMENT_SOURCES = _words(
    "study survey report research poll analysis review investigation inquiry audit figures "
    "data statistics census paper researchers"
)


def is_speech_verb(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    lemma = token.lemma_.lower()
    if lemma in _FINDING_VERBS:
        return any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in _DOCUMENT_SOURCES
            for c in token.children
        )
    return lemma in SPEECH_VERBS


# Verbs that frame a quotation beside them but not reported content: "“Why now?” she asked"
# is speech, "asked the court to rehear the case" is not a source's statement.
_QUOTE_ONLY_VERBS = _words("ask wonder shout exclaim chant joke quip yell scream whisper")


def is_quote_verb(token: Token) -> bool:
    """A verb that can frame a direct quotation: a speech verb, or "ask", "shout"…"""
    if token.pos_ == "VERB" and token.lemma_.lower() in _QUOTE_ONLY_VERBS:
        return True
    return is_speech_verb(token)


def subject_of(verb: Token) -> Token | None:
    """The subject of a speech verb, following "he said, adding that" back to "said"."""
    for _ in range(3):
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS:
                return child
        if verb.dep_ in ("advcl", "conj", "xcomp", "pcomp") and verb.head is not verb:
            verb = verb.head
        else:
            return None
    return None


def according_to(token: Token) -> Token | None:
    """For the token "according", the head of the source: "according to diplomatic sources"."""
    for child in token.children:
        if child.lower_ == "to":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        for child in nxt.children:
            if child.dep_ == "pobj":
                return child
    return None


def name_of(token: Token) -> str:
    """The name or noun phrase a speaker token stands for, trimmed of clauses."""
    doc = token.doc
    if token.ent_iob_ in ("B", "I") and token.ent_type_ in _NAME_LABELS:
        start = token.i
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        end = token.i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        span = doc[start:end]
        text = span.text
        if span[0].lower_ == "the":
            text = doc[start + 1 : end].text
        return text.replace("’s", "").replace("'s", "")
    for child in token.children:
        # "Munoz's lawyer, Pedro Garcia, said": the name beats the description.
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return name_of(child)
    named = _apposed_name(token)
    if named:
        return named
    # "the interior ministry" is tagged PROPN by the small model: a lower-case word is a
    # common noun, read with its modifiers below.
    if token.pos_ == "PROPN" and not token.text.islower():
        start = token.i
        while (
            start > 0
            and doc[start - 1].pos_ == "PROPN"
            and doc[start - 1].head.i
            in (
                token.i,
                start,
            )
        ):
            start -= 1
        return doc[start : token.i + 1].text
    # A common-noun source: "diplomatic sources", "a spokesman for the ministry".
    start = token.left_edge.i
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in _TRIM_RIGHT_DEPS:
            break
        end = child.right_edge.i + 1
    end = min(end, token.i + 6)
    for i in range(token.i + 1, end):
        if doc[i].is_punct:
            end = i
            break
    return doc[start:end].text.strip(" ,")


def _apposed_name(token: Token) -> str | None:
    """ "according to the company, Resolution Copper.": a name set off right after a common
    noun, read off the surface because the parser often hangs it elsewhere."""
    doc = token.doc
    i = token.i + 1
    if token.pos_ != "NOUN" or i + 1 >= len(doc) or doc[i].text != ",":
        return None
    end = i + 1
    while end < len(doc) and doc[end].pos_ == "PROPN":
        end += 1
    if end == i + 1 or (end < len(doc) and doc[end].text not in (".", ",", ";")):
        return None
    return doc[i + 1 : end].text


class SpeakerMemory:
    """Named people seen so far, so that "he said" can be read as the person meant."""

    def __init__(self, doc: Doc):
        self.positions: list[int] = []
        self.names: list[str] = []
        self.is_person: list[bool] = []
        # "Pat Caddell" named once as a PERSON makes a later "Caddell" labelled ORG a person.
        surnames = {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON"}
        for token in doc:
            if token.dep_ not in _SUBJECT_DEPS and token.dep_ != "pobj":
                continue
            if token.pos_ != "PROPN":
                continue
            head = token.head
            speaking = is_speech_verb(head) or (
                token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according"
            )
            if token.dep_ == "pobj" and not speaking:
                continue
            # "Caddell continued:" before a quoted paragraph introduces speech.
            nxt = head.i + 1
            speaking = speaking or (nxt < len(doc) and doc[nxt].text == ":" and head.i > token.i)
            # The small model often labels people ORG or nothing: a named subject that
            # speaks, or an unlabelled one, is taken for a person.
            person = (
                token.ent_type_ in ("PERSON", "")
                or (token.ent_type_ == "ORG" and speaking)
                or token.text in surnames
            )
            if person or speaking:
                self.positions.append(token.idx)
                self.names.append(name_of(token))
                self.is_person.append(person)
        # "the company, Resolution Copper": the article names what "the company" stands
        # for, so a later "the company said" is Resolution Copper. Only a description the
        # article itself sets beside a name is bound: a guess from the last organisation
        # named would be wrong too often.
        self.bound: dict[str, list[tuple[int, str]]] = {}
        for token in doc:
            if token.pos_ == "NOUN" and token.lower_ in _BINDABLE_NOUNS:
                named = _apposed_name(token)
                if named:
                    self.bound.setdefault(token.lower_, []).append((token.idx, named))

    def bound_name(self, token: Token) -> str | None:
        """The name a bare "the company" / "the agency" was given earlier in the article."""
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
            return None
        if any(c.dep_ not in ("det", "punct") for c in token.children):
            return None  # "the company's lawyers", "the agency in Geneva"
        found = None
        for pos, name in self.bound.get(token.lower_, ()):
            if pos >= token.idx:
                break
            found = name
        return found

    def resolve(self, pronoun: Token) -> str | None:
        """The most recent named person before the pronoun, as subject or speaker."""
        lower = pronoun.lower_
        idx = bisect_right(self.positions, pronoun.idx) - 1
        want_person = lower in _PERSON_PRONOUNS
        while idx >= 0:
            if self.is_person[idx] == want_person or not want_person:
                return self.names[idx]
            idx -= 1
        return None


def speaker_name(token: Token, memory: SpeakerMemory) -> str | None:
    lower = token.lower_
    if lower in _PERSON_PRONOUNS:
        return memory.resolve(token)
    if lower in _GROUP_PRONOUNS or lower in ("i", "we", "you", "who", "which", "that"):
        return None
    if token.pos_ == "NOUN" and memory.bound:
        bound = memory.bound_name(token)
        if bound:
            return bound
    name = name_of(token)
    return name or None


# Head nouns of a speaker that is an institution ("the interior ministry said", "China's
# foreign ministry said in a statement") and of one that is a person ("a spokesman for the
# ministry", "officials"). A document that "found" something is published by an institution.
_INSTITUTION_NOUNS = _words(
    """ministry department government police agency office company firm court council
    committee commission bank authority authorities service army military navy forces party
    parliament congress senate house embassy administration union institute university
    board bureau group organisation organization association federation foundation
    cabinet kremlin pentagon secretariat regulator watchdog tribunal campaign coalition
    alliance network fund corporation corp inc ltd plc team club league hospital
    school prosecutors prosecution opposition junta command directorate statement"""
) | _DOCUMENT_SOURCES - {"researchers"}
_PERSON_NOUNS = _words(
    """spokesman spokeswoman spokesperson official officials source sources minister
    president secretary chief director leader head adviser advisor aide lawyer attorney
    researcher researchers scientist expert experts analyst analysts economist witness
    witnesses resident residents doctor doctors officer officers governor mayor senator
    judge diplomat diplomats man woman people member members chairman chairwoman candidate"""
)
# Descriptions an article may bind to a name ("the company, Resolution Copper").
_BINDABLE_NOUNS = _INSTITUTION_NOUNS | _words(
    "carmaker miner lender insurer retailer airline utility operator producer manufacturer"
)
_CONNECTORS = (" of ", " for ", " at ", " in ", " from ", " with ")


def speaker_kind(name: str | None, labels: dict[str, set[str]]) -> str | None:
    """ "person" or "organisation" for a speaker's name, from its head noun, then the
    entity labels the Doc gave that text (``labels``: entity text -> labels). The small
    model labels many surnames ORG ("Lavrov"), so a one-word ORG that ends a PERSON name
    elsewhere in the Doc is a person, and an unlabelled proper name is taken for one."""
    if not name:
        return None
    name = name.strip()
    lower = " " + name.lower() + " "
    for connector in _CONNECTORS:
        cut = lower.find(connector)
        if cut > 0:
            lower = lower[:cut]
    words = lower.replace("’s", "").replace("'s", "").split()
    if not words:
        return None
    head = words[-1]
    if head in _PERSON_NOUNS:
        return SpeakerKind.PERSON
    if head in _INSTITUTION_NOUNS or (
        # "the Ministry of Defence", "Department of Health"
        words[0] in _INSTITUTION_NOUNS and name[:1].isupper() and len(words) <= 2
    ):
        return SpeakerKind.ORGANISATION
    bare = name[4:] if name.lower().startswith("the ") else name
    if bare.isupper() and 2 <= len(bare.replace(".", "")) <= 6:
        return SpeakerKind.ORGANISATION  # NATO, UN, FBI, WHO
    found = labels.get(bare, set()) | labels.get(name, set())
    if "PERSON" in found:
        return SpeakerKind.PERSON
    if found & {"GPE", "NORP", "FAC"}:
        return SpeakerKind.ORGANISATION
    if "ORG" in found:
        if " " not in bare and bare in labels.get("\x00surnames", set()):
            return SpeakerKind.PERSON
        return SpeakerKind.ORGANISATION
    return SpeakerKind.PERSON


def entity_labels(doc: Doc) -> dict[str, set[str]]:
    """Entity text -> labels over a Doc, plus the last words of its PERSON names under the
    key "\\x00surnames", for speaker_kind."""
    labels: dict[str, set[str]] = {}
    surnames: set[str] = set()
    for ent in doc.ents:
        text = ent.text
        if text.lower().startswith("the "):
            text = text[4:]
        text = text.replace("’s", "").replace("'s", "")
        labels.setdefault(text, set()).add(ent.label_)
        if ent.label_ == "PERSON":
            surnames.add(text.split()[-1])
    labels["\x00surnames"] = surnames
    return labels
