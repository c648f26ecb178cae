"""The queue's claim row, rendered in Python.

A queue page is fifty rows, and each row holds a quick-review form (a CSRF token, two URLs,
the status buttons). Rendered by the template language that came to about 2 ms a row, most
of a page's time, and held the queue at 16 requests/s on two cores (docs/benchmarks.md,
"Load"). Here a row costs a few tens of microseconds: the parts every row shares (URL
prefixes, the token field, each status's buttons) are built once per page render, and each
row only escapes its own values. The markup is the one the template had; `{% claim_row %}`
is still used inside the `claim-row` partial, so htmx swaps and the plain-request fallbacks
are unchanged. A page's table asks for all its rows at once (`{% claim_rows %}`): through
a `{% for %}` and the partial, each row paid the template's per-node work again.
"""

from __future__ import annotations

import html

from django import template
from django.middleware.csrf import get_token
from django.template.base import render_value_in_context
from django.template.defaulttags import querystring
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from claims.formatting import format_quantities
from claims.models import Claim
from claims.selectors_queue import QueueRow

register = template.Library()

# A pk no real claim or article has: each row's URL is the reversed one split around it,
# joined again with the row's own pk.
_PK = 999_999_999


class _PageParts:
    """What every row of one response shares; built for its first row."""

    def __init__(self, context: template.Context) -> None:
        request = context.get("request")
        self.can_review = bool(context.get("can_review"))
        self.can_assign = bool(context.get("can_assign"))
        self.kept = context.get("kept") or ()
        self.next = escape(context.get("next") or (request.get_full_path() if request else ""))
        self.article_url = reverse("claims-article", args=[_PK]).split(str(_PK))
        self.status_url = reverse("claims-set-status", args=[_PK]).split(str(_PK))
        token = escape(get_token(request)) if request is not None else ""
        self.csrf_field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        statuses = [(str(value), str(label)) for value, label in Claim.Status.choices]
        self.status_labels = dict(statuses)
        self.type_labels = {str(value): str(label) for value, label in Claim.Type.choices}
        self.dismissed_labels = {
            str(value): str(label).lower()
            for value, label in Claim._meta.get_field("dismissed").choices
            if value
        }
        # Each row offers every status but its own.
        self.buttons = {
            current: "".join(
                f'\n        <button type="submit" name="status" value="{value}" '
                f'class="status-{value}" data-status-key="{value[:1]}">{escape(label)}</button>'
                for value, label in statuses
                if value != current
            )
            for current, _ in statuses
        }


def _parts(context: template.Context) -> _PageParts:
    # Kept on the request: each row is a partial, rendered with a render_context of its
    # own, and everything the parts hold is the same for every row of one response.
    request = context.get("request")
    parts = getattr(request, "_claim_row_parts", None)
    if parts is None:
        parts = _PageParts(context)
        if request is not None:
            request._claim_row_parts = parts
    return parts


def _truncate(text: str, length: int) -> str:
    """As `truncatechars`: at most ``length`` characters, the last an ellipsis when cut.
    (Truncator looks the ellipsis up in the translation catalogue on every call.)"""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _esc(text: str) -> str:
    """Django's ``escape`` (which is this call) without its lazy-string check and SafeString:
    a row escapes a dozen values, a page six hundred."""
    return html.escape(str(text))


@register.simple_tag(takes_context=True)
def claim_row(context: template.Context, claim: QueueRow) -> str:
    return mark_safe(
        _row(_parts(context), claim, oob=bool(context.get("oob")), error=context.get("error"))
    )


@register.simple_tag(takes_context=True)
def claim_rows(context: template.Context, claims: list[QueueRow]) -> str:
    """The rows of a page, as the `claim-row` partial renders each of them in turn."""
    parts = _parts(context)
    return mark_safe("".join([_row(parts, claim, oob=False, error=None) for claim in claims]))


def _row(parts: _PageParts, claim: QueueRow, *, oob: bool, error) -> str:
    pk = claim.pk
    status = claim.status
    article_url = str(claim.article_id).join(parts.article_url)
    out = [
        f'<tr id="claim-{pk}" class="claim status-{_esc(status)}" data-claim="{pk}"',
        ' hx-swap-oob="true">' if oob else ">",
    ]
    if parts.can_assign:
        checked = " checked" if pk in parts.kept else ""
        out.append(
            f'\n  <td class="pick"><input type="checkbox" name="claim" value="{pk}:{claim.version}"'
            f' form="bulk-form" aria-label="Select claim {pk}"{checked}></td>'
        )
    summary = _truncate(claim.summary or claim.text, 160)
    out.append(
        f'\n  <td class="claim-main">\n    <a class="summary" href="{article_url}?claim={pk}'
        f'#review-panel">{_esc(summary)}</a>'
    )
    if claim.quantities:
        figures = format_quantities(claim.quantities, separator=" · ")
        out.append(f'\n    <p class="figures">{_esc(figures)}</p>')
    out.append(f"\n    <details><summary>Full text</summary>{_esc(claim.text)}</details>\n    ")
    if claim.has_past_verdict:
        out.append('<span class="badge memory past-verdict">past verdict</span>')
    if claim.repeats_disputed:
        out.append('<span class="badge memory status-disputed">repeats a disputed claim</span>')
    if claim.has_figure_conflict:
        out.append('<span class="badge memory conflict">conflicting figures</span>')
    if error:
        out.append(f'\n    <p class="error" role="alert">{escape(error)}</p>')
    outlet = claim.article_outlet
    outlet = f'<span class="muted"> · {_esc(outlet)}</span>' if outlet else ""
    assignee = _esc(claim.assignee_name) if claim.assignee_name else "—"
    out.append(
        "\n  </td>"
        f'\n  <td data-label="Type">{_esc(parts.type_labels.get(claim.type, claim.type))}</td>'
        f'\n  <td data-label="Score" class="num">{claim.score:.2f}</td>'
        f'\n  <td data-label="Speaker">{_esc(claim.speaker)}</td>'
        f'\n  <td data-label="Article"><a href="{article_url}">'
        f"{_esc(_truncate(claim.article_title, 60))}</a>{outlet}</td>"
        f'\n  <td data-label="Assignee">{assignee}</td>'
        f'\n  <td data-label="Status" class="status-cell">'
        f'\n    <span class="badge status-{_esc(status)}">'
        f"{_esc(parts.status_labels.get(status, status))}</span>"
    )
    if claim.dismissed:
        label = parts.dismissed_labels.get(claim.dismissed, claim.dismissed)
        out.append(f'\n    <span class="badge dismissed">Dismissed · {_esc(label)}</span>')
    if parts.can_review and not claim.dismissed:
        status_url = str(pk).join(parts.status_url)
        out.append(
            f'\n    <form method="post" action="{status_url}" class="review quick"'
            f'\n          hx-post="{status_url}" hx-target="#claim-{pk}" hx-swap="outerHTML">'
            f"\n      {parts.csrf_field}"
            f'\n      <input type="hidden" name="version" value="{claim.version}">'
            '\n      <input type="hidden" name="view" value="row">'
            f'\n      <input type="hidden" name="next" value="{parts.next}">'
            '\n      <input type="url" name="source_url" placeholder="Source URL"'
            f' aria-label="Source URL for claim {pk}">'
            '\n      <input type="text" name="note" placeholder="Note"'
            f' aria-label="Note for claim {pk}">'
            f'\n      <span class="status-buttons">{parts.buttons.get(status, "")}'
            "\n      </span>\n    </form>"
        )
    out.append("\n  </td>\n</tr>")
    return "".join(out)


# The status counters above the table: a link and a slice of the bar per status. Their
# two `{% for %}` loops, some fifty variable look-ups, cost half of what the fifty rows
# cost; these tags write the same markup, each value formatted and escaped as the template
# did (render_value_in_context) and each link's query as `{% querystring %}` makes it.


@register.simple_tag(takes_context=True)
def status_count_links(context: template.Context) -> str:
    queue_url = conditional_escape(reverse("claims-queue"))
    current = context["filters"].status
    out = []
    for part in context["count_bar"]:
        status = render_value_in_context(part.status, context)
        active = " active" if current == part.status else ""
        query = conditional_escape(querystring(context, status=part.status, after=None))
        label, count = (render_value_in_context(v, context) for v in (part.label, part.count))
        out.append(
            f'\n      <a class="count status-{status}{active}" href="{queue_url}{query}">'
            f'{label} <b data-count="{status}">{count}</b></a>\n      '
        )
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def status_count_rects(context: template.Context) -> str:
    out = []
    for part in context["count_bar"]:
        if not part.width:
            continue
        status, label, count = (
            render_value_in_context(value, context)
            for value in (part.status, part.label, part.count)
        )
        out.append(
            f'<rect class="fill-{status}" x="{render_value_in_context(part.x, context)}" y="0" '
            f'width="{render_value_in_context(part.width, context)}" height="3"><title>{label}: '
            f"{count} ({render_value_in_context(part.percent, context)} %)</title></rect>"
        )
    return mark_safe("".join(out))
