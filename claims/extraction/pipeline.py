"""A tiny spaCy component that keeps the dateline out of the story's first sentence.

Without it the parser reads "GLASGOW, Nov. 2 (Reuters) - More than 100 countries pledged…"
as one sentence rooted on GLASGOW, and the first sentence of every wire story loses its
real verb. Marking a sentence start where the story begins lets the parser (which respects
preset boundaries) parse the lead sentence on its own.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .article import find_dateline

DATELINE_COMPONENT = "newsfacts_dateline"


@Language.component(DATELINE_COMPONENT)
def mark_dateline(doc: Doc) -> Doc:
    # Doc.text joins every token; the dateline lives in the first few dozen.
    dateline = find_dateline("".join(t.text_with_ws for t in doc[:80]))
    if dateline is None:
        return doc
    for token in doc:
        if token.idx >= dateline.end:
            if token.i > 0:
                token.is_sent_start = True
            break
    return doc


def add_dateline_component(nlp: Language) -> None:
    if DATELINE_COMPONENT in nlp.pipe_names:
        return
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(DATELINE_COMPONENT, before="parser")
    else:
        nlp.add_pipe(DATELINE_COMPONENT, first=True)
