"""Corrections: a reviewer fixes what the extraction got wrong.

- ``claim_dismiss`` / ``claim_restore``: "not a claim", with a reason, and back;
- ``claim_correct``: a claim's span (chosen by selecting text), type, speaker, quantities
  and times, the extraction's own values kept beside the correction (``Claim.machine``);
- ``claim_add``: a claim the extraction missed (``origin`` reviewer).

Each is a history entry (``StatusChange.action``) and, like a status change, applies only
to the version the reviewer loaded: a stale version raises ``ReviewConflict``.
Offsets from the browser are checked against the article body; the selected words must be
the body's words at those offsets, or the correction is refused.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Article, Claim, StatusChange
from claims.services.reconciliation import claim_fingerprint
from claims.services.review import ReviewConflict, ReviewRuleError

# A claim is a sentence or a few; a longer selection is a slip of the mouse.
MAX_SPAN_CHARS = 2000
# The fields a correction may change, and so the ones kept from the extraction.
CORRECTED_FIELDS = ("start", "end", "text", "type", "speaker", "quantities", "times")
MACHINE_FIELDS = (*CORRECTED_FIELDS, "cue", "summary")
TIME_RELATIONS = ("at", "since", "until", "by", "during")


def claim_dismiss(
    *, claim_id: int, user: AbstractBaseUser, reason: str, expected_version: int, note: str = ""
) -> Claim:
    """Mark an extracted claim "not a claim", for ``reason`` (a ``Claim.Dismissal``)."""
    if reason not in Claim.Dismissal.values:
        raise ReviewRuleError("Choose why this is not a claim.")
    with transaction.atomic():
        claim = _claim_bump(claim_id, user, expected_version, dismissed=reason)
        if claim.dismissed:
            raise ReviewRuleError("This claim is already dismissed.")
        _history(claim, user, StatusChange.Action.DISMISSED, note, {"reason": reason})
    return _fresh(claim_id)


def claim_restore(
    *, claim_id: int, user: AbstractBaseUser, expected_version: int, note: str = ""
) -> Claim:
    """Undo a dismissal: the claim is back in the queue, the counts and the exports."""
    with transaction.atomic():
        claim = _claim_bump(claim_id, user, expected_version, dismissed="")
        if not claim.dismissed:
            raise ReviewRuleError("This claim is not dismissed.")
        _history(claim, user, StatusChange.Action.RESTORED, note, {"reason": claim.dismissed})
    return _fresh(claim_id)


def claim_correct(
    *,
    claim_id: int,
    user: AbstractBaseUser,
    expected_version: int,
    span: tuple[int, int, str] | None = None,
    type: str | None = None,
    speaker: str | None = None,
    quantities: list[dict] | None = None,
    times: list[dict] | None = None,
    note: str = "",
) -> Claim:
    """Correct a claim; ``None`` leaves a field as it is. ``span`` is (start, end, the
    selected words), checked against the body. The first correction keeps the
    extraction's values in ``machine``."""
    claim = Claim.objects.select_related("article", "reviewed_by").get(pk=claim_id)
    if claim.version != expected_version:
        raise ReviewConflict(claim)
    values: dict = {}
    if span is not None:
        start, end = span_in_body(claim.article.body, *span)
        values.update(start=start, end=end, text=claim.article.body[start:end])
    if type is not None:
        if type not in Claim.Type.values:
            raise ReviewRuleError(f"Unknown claim type {type!r}.")
        values["type"] = type
    if speaker is not None:
        values["speaker"] = speaker.strip()[:200]
    if quantities is not None:
        values["quantities"] = quantities
    if times is not None:
        values["times"] = times
    changed = {
        name: [getattr(claim, name), value]
        for name, value in values.items()
        if getattr(claim, name) != value
    }
    if not changed:
        raise ReviewRuleError("Nothing to correct: change the span, type, speaker or values.")
    updates = {name: pair[1] for name, pair in changed.items()}
    if "text" in changed:
        # The extraction's one-line summary described the old span.
        updates["summary"] = ""
    if claim.machine is None and claim.origin == Claim.Origin.MACHINE:
        updates["machine"] = {name: getattr(claim, name) for name in MACHINE_FIELDS}
    with transaction.atomic():
        _claim_bump(claim_id, user, expected_version, **updates)
        _history(claim, user, StatusChange.Action.EDITED, note, {"changed": changed})
    return _fresh(claim_id)


def claim_add(
    *,
    article_id: int,
    user: AbstractBaseUser,
    span: tuple[int | None, int | None, str],
    type: str = Claim.Type.STATISTIC,
    speaker: str = "",
    note: str = "",
) -> Claim:
    """Add a claim the extraction missed, from words selected in the article."""
    article = Article.objects.get(pk=article_id)
    if type not in Claim.Type.values:
        raise ReviewRuleError(f"Unknown claim type {type!r}.")
    start, end = span_in_body(article.body, *span)
    text = article.body[start:end]
    overlapping = article.claims.filter(
        start__lt=end, end__gt=start, is_orphaned=False, dismissed=""
    ).first()
    if overlapping and (overlapping.start, overlapping.end) == (start, end):
        raise ReviewRuleError(f"That text is already claim {overlapping.pk}.")
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                article=article,
                start=start,
                end=end,
                text=text,
                type=type,
                speaker=speaker.strip()[:200],
                # The reviewer judged it worth checking: it belongs near the top of the queue.
                score=1.0,
                score_reasons=["added by a reviewer"],
                fingerprint=claim_fingerprint(text),
                origin=Claim.Origin.REVIEWER,
            )
            _history(claim, user, StatusChange.Action.ADDED, note, {"span": [start, end]})
    except IntegrityError:
        raise ReviewRuleError("These words are already a claim of this article.") from None
    return _fresh(claim.pk)


def span_in_body(body: str, start: int | None, end: int | None, text: str) -> tuple[int, int]:
    """Checked offsets of the selected ``text`` in ``body``, trimmed of outer whitespace.

    With offsets, the body's words there must be the selected words (whitespace aside):
    a stale page or a forged request is refused, never stored. Without offsets (a form
    posted without JavaScript), the words must occur exactly once in the body.
    """
    wanted = " ".join(text.split())
    if start is None or end is None:
        if not wanted:
            raise ReviewRuleError("Select the claim's words in the article.")
        pattern = r"\s+".join(re.escape(word) for word in wanted.split(" "))
        found = list(re.finditer(pattern, body))
        if len(found) != 1:
            raise ReviewRuleError(
                "Those words are not in the article."
                if not found
                else "Those words occur more than once: select them in the article."
            )
        start, end = found[0].span()
    if not 0 <= start < end <= len(body):
        raise ReviewRuleError("The selection is outside the article's text.")
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start == end:
        raise ReviewRuleError("Select some words, not only space.")
    if end - start > MAX_SPAN_CHARS:
        raise ReviewRuleError(f"A claim is at most {MAX_SPAN_CHARS:,} characters.")
    if wanted and " ".join(body[start:end].split()) != wanted:
        raise ReviewRuleError(
            "The selection does not match the article's text (was the page out of date?). "
            "Reload and select again."
        )
    return start, end


_NUMBER = r"-?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?"
_QUANTITY_LINE = re.compile(
    rf"^(?P<low>{_NUMBER})(?:\s*(?:-|–|to)\s*(?P<high>{_NUMBER}))?\s*(?P<unit>.*)$"
)
_TIME_VALUE = re.compile(
    r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2}|\d{4}-W\d{2}|\d{4}-Q[1-4])$"
)


def quantities_from_lines(lines: str) -> list[dict]:
    """A reviewer's quantities, one a line: ``80000 people``, ``10-20 percent``."""
    quantities = []
    for number, line in enumerate(lines.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = _QUANTITY_LINE.match(line)
        if not match:
            raise ReviewRuleError(
                f"Quantity line {number} ({line!r}): write a number, or low-high, then the "
                "unit, e.g. “80000 people” or “3.5-4 percent”."
            )
        low = float(match["low"].replace(",", ""))
        high = float(match["high"].replace(",", "")) if match["high"] else None
        quantities.append(
            {
                "text": line,
                "value": low if high is None else None,
                "low": low if high is not None else None,
                "high": high,
                "qualifier": "between" if high is not None else None,
                "unit": match["unit"].strip() or None,
            }
        )
    return quantities


def times_from_lines(lines: str) -> list[dict]:
    """A reviewer's times, one a line: ``2011-03``, ``since 2011-03``, ``--05-07``."""
    times = []
    for number, line in enumerate(lines.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        relation = words.pop(0).lower() if words[0].lower() in TIME_RELATIONS else "at"
        if len(words) != 1 or not _TIME_VALUE.match(words[0]):
            raise ReviewRuleError(
                f"Time line {number} ({line.strip()!r}): write an ISO date or part of one, "
                "optionally after since/until/by/during, e.g. “since 2011-03”."
            )
        times.append({"text": line.strip(), "value": words[0], "relation": relation})
    return times


def quantities_as_lines(quantities: list[dict]) -> str:
    """The inverse of quantities_from_lines, to prefill the edit form."""
    lines = []
    for q in quantities or []:
        if q.get("value") is not None:
            number = _plain(q["value"])
        elif q.get("low") is not None and q.get("high") is not None:
            number = f"{_plain(q['low'])}-{_plain(q['high'])}"
        elif q.get("low") is not None:
            number = _plain(q["low"])
        else:
            continue
        lines.append(f"{number} {q.get('unit') or ''}".strip())
    return "\n".join(lines)


def times_as_lines(times: list[dict]) -> str:
    lines = []
    for t in times or []:
        if t.get("value"):
            relation = t.get("relation") or "at"
            lines.append(t["value"] if relation == "at" else f"{relation} {t['value']}")
    return "\n".join(lines)


def _plain(number: float) -> str:
    return f"{number:.0f}" if float(number).is_integer() else f"{number:g}"


def _claim_bump(claim_id: int, user: AbstractBaseUser, expected_version: int, **updates) -> Claim:
    """The claim as it was, after applying ``updates`` if nobody changed it since
    ``expected_version`` (the same conditional update as a status change)."""
    claim = Claim.objects.get(pk=claim_id)
    now = timezone.now()
    won = Claim.objects.filter(pk=claim_id, version=expected_version).update(
        version=F("version") + 1, reviewed_by=user, reviewed_at=now, updated_at=now, **updates
    )
    if not won:
        raise ReviewConflict(Claim.objects.select_related("reviewed_by").get(pk=claim_id))
    return claim


def _history(claim: Claim, user, action: str, note: str, detail: dict) -> StatusChange:
    return StatusChange.objects.create(
        claim=claim,
        changed_by=user,
        from_status=claim.status,
        to_status=claim.status,
        note=note.strip(),
        action=action,
        detail=detail,
    )


def _fresh(claim_id: int) -> Claim:
    return Claim.objects.select_related("article", "assignee", "reviewed_by").get(pk=claim_id)
