"""Direct quotations as character spans, curly or straight, across paragraphs.

Wire style leaves a quote open at the end of a paragraph when the next paragraph carries
on the same quotation (and opens with a fresh quotation mark). Unbalanced marks are
common in scraped copy: a quote still open at a paragraph end is closed there, never
allowed to swallow the rest of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH_RE = re.compile(r"[^\n]+")
_MARKS_RE = re.compile(r"[\"“”«»„]")
_OPENING_CONTEXT = set(" \t\n([{—–-/:")
_STRIP_TAIL = " \t\n,;:"


@dataclass
class QuotePassage:
    start: int  # inside the opening mark
    end: int  # before the closing mark (trailing comma trimmed)
    group: int  # passages continuing one quotation across paragraphs share a group
    closed: bool


def find_quote_passages(text: str) -> list[QuotePassage]:
    passages: list[QuotePassage] = []
    group = 0
    continuing = False  # the previous paragraph ended inside a quotation
    for para in _PARAGRAPH_RE.finditer(text):
        stripped_start = para.start() + (len(para.group()) - len(para.group().lstrip()))
        starts_with_quote = stripped_start < para.end() and text[stripped_start] in '"“«„'
        if not (continuing and starts_with_quote):
            group += 1
        continuing = False
        depth = 0
        opened_at = -1
        for mark in _MARKS_RE.finditer(text, para.start(), para.end()):
            ch = mark.group()
            pos = mark.start()
            if ch == '"':
                prev = text[pos - 1] if pos > para.start() else " "
                nxt = text[pos + 1] if pos + 1 < para.end() else " "
                opening = prev in _OPENING_CONTEXT and not nxt.isspace()
                closing = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
                if opening and depth > 0:
                    # Scraped copy often loses the paragraph break between two quoted
                    # paragraphs: a fresh opening mark ends the quotation before it.
                    _add(passages, text, opened_at, pos, group, False)
                    opened_at = mark.end()
                    continue
                if closing and not opening and depth == 0:
                    continue  # a closing mark with nothing to close
                ch = "“" if depth == 0 else "”"
            if ch in "“«„":
                if depth == 0:
                    opened_at = mark.end()
                depth += 1
            elif depth > 0:
                depth -= 1
                if depth == 0:
                    _add(passages, text, opened_at, pos, group, True)
        if depth > 0:
            _add(passages, text, opened_at, para.end(), group, False)
            continuing = True
    return passages


def _add(out: list[QuotePassage], text: str, start: int, end: int, group: int, closed: bool):
    while end > start and text[end - 1] in _STRIP_TAIL:
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    if end > start:
        out.append(QuotePassage(start, end, group, closed))
