"""Views of the desk's memory in the review panel: apply a past verdict, apply a judgement
to the rest of a confirmed group, reject a wrong match. Thin, like claims/views.py: each
reads with claims.selectors_matching and writes with claims.services.past_verdicts; with htmx
it returns the panel, without it redirects back to the panel with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import trigger_client_event

from claims import permissions, selectors
from claims.decorators import desk_view
from claims.models import Claim, ClaimMatch
from claims.services import ReviewConflict, ReviewRuleError
from claims.services.past_verdicts import claim_apply_match, claims_apply_judgement, match_reject
from claims.views import _panel_context, _panel_url


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _respond(request: HttpRequest, claim_id: int, *, message: str, error: str = "", **extra):
    claim = selectors.claim_detail(claim_id=claim_id)
    if not request.htmx:
        messages.add_message(
            request, messages.ERROR if error else messages.SUCCESS, error or message
        )
        return redirect(_panel_url(claim))
    context = _panel_context(request, claim, error=error, notice="" if error else message, **extra)
    response = render(request, "claims/article.html#review-panel", context)
    if not error or extra.get("conflict"):
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def match_apply(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    """Apply this verdict: the match's status and sources, version-checked."""
    claim = get_object_or_404(Claim, pk=pk)
    match = get_object_or_404(ClaimMatch, pk=match_pk, claim=claim, rejected_at__isnull=True)
    version = _version(request)
    if version is None:
        return _respond(request, pk, message="", error="The form lost its version; reload.")
    try:
        claim = claim_apply_match(
            claim_id=pk, match_id=match.pk, user=request.user, expected_version=version
        )
    except ReviewConflict as exc:
        return _respond(request, pk, message="", error=str(exc), conflict=True)
    except ReviewRuleError as exc:
        return _respond(request, pk, message="", error=str(exc))
    return _respond(
        request, pk, message=f"Marked {claim.get_status_display().lower()} from the match."
    )


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def match_reject_view(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    """Not the same claim: the match is not offered again."""
    claim = get_object_or_404(Claim, pk=pk)
    get_object_or_404(ClaimMatch, pk=match_pk, claim=claim)
    match_reject(claim_id=pk, match_id=match_pk, user=request.user)
    return _respond(request, pk, message="Match rejected; it will not be offered again.")


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def group_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """This claim's judgement to the other claims of its group (``target`` = "id:version")."""
    claim = get_object_or_404(Claim, pk=pk)
    targets = {}
    for value in request.POST.getlist("target"):
        target, _, version = value.partition(":")
        if target.isdigit() and version.isdigit():
            targets[int(target)] = int(version)
    if not targets:
        return _respond(request, pk, message="", error="Choose the claims to judge the same way.")
    report = claims_apply_judgement(claim_id=claim.pk, targets=targets, user=request.user)
    message = f"Marked {len(report.applied)} more claims {claim.get_status_display().lower()}."
    if report.conflicts:
        message += (
            f" {len(report.conflicts)} changed meanwhile and were left alone: "
            + ", ".join(
                f"claim {c.pk} (now {c.get_status_display().lower()})" for c in report.conflicts
            )
            + "."
        )
    for other, reason in report.refused:
        message += f" Claim {other.pk}: {reason}"
    return _respond(request, pk, message=message)
