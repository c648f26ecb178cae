"""The queue's bulk actions: set the status of, or assign, many ticked claims at once.

Thin like every view (claims/views.py): the rules live in services.claims_bulk_set_status
and services.claims_assign; a change that would downgrade a judged claim asks first.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import trigger_client_event

from claims import permissions, selectors, selectors_queue, services
from claims.decorators import desk_view
from claims.forms import ClaimBulkForm
from claims.models import Claim
from claims.views import _assigned_message, _form_errors, _redirect_back, _safe_next


@desk_view(permission=permissions.ASSIGN_CLAIMS, methods=("POST",), htmx=True)
def claims_bulk(request: HttpRequest) -> HttpResponse:
    """A desk chief's action over the ticked claims: set their status or assign them.

    A status change that would move verified or disputed claims first asks (naming them);
    the changed rows come back as out-of-band swaps, so the claims that were refused stay
    ticked and the chosen action stays chosen.
    """
    form = ClaimBulkForm(request.POST)
    result, level, changed, judged = "", messages.ERROR, [], []
    if not form.is_valid():
        result = _form_errors(form)
    elif form.cleaned_data["action"] == "assign":
        assignee = form.cleaned_data["assignee"]
        changed = list(form.cleaned_data["versions"])
        count = services.claims_assign(claim_ids=changed, assignee=assignee)
        result, level = _assigned_message(assignee, count), messages.SUCCESS
    else:
        data = form.cleaned_data
        judged = selectors.claims_judged_to_change(
            claim_ids=data["versions"], status=data["status"]
        )
        if judged and not data["judged"]:
            return _bulk_confirm(request, form, judged)
        report = services.claims_bulk_set_status(
            versions=data["versions"],
            user=request.user,
            status=data["status"],
            note=data["note"],
            change_judged=data["judged"] == "change",
        )
        changed = report.changed
        result = _bulk_status_message(report, data["status"])
        level = messages.WARNING if report.refused else messages.SUCCESS
    if not request.htmx:
        if level == messages.SUCCESS:
            return _redirect_back(request, level, result, default=reverse("claims-queue"))
        messages.add_message(request, level, result)
        return redirect(_keep_ticked(request, changed))
    response = render(
        request,
        "claims/queue.html#bulk-result",
        {
            "result": result,
            "level": messages.DEFAULT_TAGS[level],
            "rows": selectors_queue.claim_rows(
                selectors.claim_list_for_review().filter(pk__in=changed)
            ),
            "statuses": Claim.Status,
            "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
            "can_assign": True,
            "next": _safe_next(request),
        },
    )
    if changed:
        # The counters refresh; the table is not reloaded, which would untick the rest.
        trigger_client_event(response, "claimChanged", {"ids": changed})
    return response


def _keep_ticked(request: HttpRequest, changed: list[int]) -> str:
    """The queue again, with the claims not changed still ticked and the action still chosen
    (a plain form post, where the page reloads)."""
    next_url = _safe_next(request) or reverse("claims-queue")
    path, _, query = next_url.partition("?")
    params = QueryDict(query, mutable=True)
    for name in ("keep", "bulk_action", "bulk_status", "bulk_assignee", "bulk_note"):
        params.pop(name, None)
    kept = [
        value.partition(":")[0]
        for value in request.POST.getlist("claim")
        if value.partition(":")[0].isdigit() and int(value.partition(":")[0]) not in changed
    ]
    params["keep"] = ",".join(kept)
    for name in ("action", "status", "assignee", "note"):
        if request.POST.get(name):
            params[f"bulk_{name}"] = request.POST[name]
    return f"{path}?{params.urlencode()}"


def _bulk_status_message(report, status: str) -> str:
    label = Claim.Status(status).label.lower()
    result = f"Marked {len(report.changed)} claims {label}."
    moves = [
        f"{count} {Claim.Status(was).label.lower()} → {label}"
        for (was, _), count in sorted(report.moves.items())
        if was and was != status
    ]
    if moves:
        result = result[:-1] + ": " + ", ".join(moves) + "."
    if report.kept_judged:
        kept = ", ".join(
            f"{n} {Claim.Status(s).label.lower()}"
            for s, n in sorted(Counter(s for _, s in report.kept_judged).items())
        )
        result += f" Left as they were: {kept}."
    if report.refused:
        reasons = sorted({reason for _, reason in report.refused})
        result += f" {len(report.refused)} refused: " + " ".join(reasons)
    return result


def _bulk_confirm(request: HttpRequest, form: ClaimBulkForm, judged: list[Claim]) -> HttpResponse:
    """Ask before a bulk status change moves verified or disputed claims; nothing applied."""
    label = Claim.Status(form.cleaned_data["status"]).label.lower()
    context = {
        "judged": judged,
        "target": label,
        "ticked": request.POST.getlist("claim"),
        "data": form.cleaned_data,
        "next": _safe_next(request),
    }
    if request.htmx:
        return render(request, "claims/queue.html#bulk-confirm", context)
    return render(request, "claims/bulk_confirm.html", context)
