"""Corrections in the article view: dismiss and restore a claim, edit it, add a missed one.

Thin, like claims/views.py: a form, a service call, and the review panel back for htmx
(with ``claimChanged`` so the text, its highlights and counters follow), or a redirect
with a message for a plain form post.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import trigger_client_event

from claims import permissions, selectors, services
from claims.decorators import desk_view
from claims.forms import ClaimAddForm, ClaimCorrectForm, ClaimDismissForm, ClaimRestoreForm
from claims.models import Article, Claim
from claims.services.corrections import (
    quantities_as_lines,
    quantities_from_lines,
    times_as_lines,
    times_from_lines,
)
from claims.views import _form_errors, _panel_context, _panel_url, _redirect_back


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimDismissForm(request.POST)
    return _apply(
        request,
        claim,
        form,
        lambda data: services.claim_dismiss(
            claim_id=claim.pk,
            user=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            note=data["note"],
        ),
        done=lambda fresh: f"Dismissed: {fresh.get_dismissed_display().lower()}.",
    )


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_restore(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimRestoreForm(request.POST)
    return _apply(
        request,
        claim,
        form,
        lambda data: services.claim_restore(
            claim_id=claim.pk,
            user=request.user,
            expected_version=data["version"],
            note=data["note"],
        ),
        done=lambda fresh: "Restored: the claim is back in the queue.",
    )


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimCorrectForm(request.POST)

    def correct(data: dict) -> Claim:
        # The form shows the current values; only what the reviewer changed is a correction.
        quantities = data["quantities"].strip()
        times = data["times"].strip()
        return services.claim_correct(
            claim_id=claim.pk,
            user=request.user,
            expected_version=data["version"],
            span=form.span(),
            type=data["type"],
            speaker=data["speaker"],
            quantities=(
                None
                if quantities == quantities_as_lines(claim.quantities)
                else quantities_from_lines(quantities)
            ),
            times=None if times == times_as_lines(claim.times) else times_from_lines(times),
            note=data["note"],
        )

    return _apply(request, claim, form, correct, done=lambda fresh: "Correction saved.")


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim the extraction missed, from words selected in article ``pk``."""
    article = get_object_or_404(Article, pk=pk)
    form = ClaimAddForm(request.POST)
    error, claim = "", None
    if not form.is_valid():
        error = _form_errors(form)
    elif form.span() is None:
        error = "Select the claim's words in the article first."
    else:
        try:
            claim = services.claim_add(
                article_id=article.pk,
                user=request.user,
                span=form.span(),
                type=form.cleaned_data["type"],
                speaker=form.cleaned_data["speaker"],
                note=form.cleaned_data["note"],
            )
        except services.ReviewRuleError as exc:
            error = str(exc)
    if not request.htmx:
        if error:
            return _redirect_back(
                request, messages.ERROR, error, default=article.get_absolute_url()
            )
        messages.success(request, "Claim added.")
        return redirect(_panel_url(claim))
    if error:
        response = render(
            request,
            "claims/article.html#add-claim",
            {
                "article": article,
                "add_error": error,
                "add_typed": request.POST,
                "claim_types": Claim.Type.choices,
            },
        )
        # The form sits outside the panel; htmx swaps it in place to show the error.
        response["HX-Retarget"] = "#add-claim"
        response["HX-Reswap"] = "outerHTML"
        return response
    claim = selectors.claim_detail(claim_id=claim.pk)
    response = render(request, "claims/article.html#review-panel", _panel_context(request, claim))
    response["HX-Push-Url"] = f"{article.get_absolute_url()}?claim={claim.pk}"
    trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


def _apply(request: HttpRequest, claim: Claim, form, change, *, done) -> HttpResponse:
    """Run ``change(cleaned_data)`` and answer: the panel (htmx) or a redirect with a message."""
    error, conflict = "", False
    if not form.is_valid():
        error = _form_errors(form)
    else:
        try:
            claim = change(form.cleaned_data)
        except services.ReviewConflict as exc:
            claim, error, conflict = exc.claim, str(exc), True
        except services.ReviewRuleError as exc:
            error = str(exc)
    if not request.htmx:
        level = messages.ERROR if error else messages.SUCCESS
        return _redirect_back(request, level, error or done(claim), default=_panel_url(claim))
    claim = selectors.claim_detail(claim_id=claim.pk)
    typed = request.POST if error else {}
    response = render(
        request,
        "claims/article.html#review-panel",
        _panel_context(request, claim, error=error, conflict=conflict, typed=typed),
    )
    if not error or conflict:
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response
