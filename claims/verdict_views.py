"""Views for verdict ratings and the desk's comments on a claim (both in the review panel).

Thin, like claims/views.py: forms in, services write, partials of article.html out; a plain
form post (no htmx) is redirected back to the panel with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_htmx.http import trigger_client_event

from claims import permissions, selectors, services
from claims.decorators import desk_view
from claims.forms import ClaimCommentForm, ClaimRatingForm
from claims.models import Claim
from claims.views import _form_errors, _panel_context, _panel_page, _panel_url, _redirect_back


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_set_rating(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimRatingForm(request.POST)
    error, conflict = "", False
    if not form.is_valid():
        error = _form_errors(form)
    else:
        try:
            services.claim_set_rating(
                claim_id=claim.pk,
                user=request.user,
                rating_id=form.cleaned_data["rating"],
                explanation=form.cleaned_data["explanation"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ReviewConflict as exc:
            error, conflict = str(exc), True
        except services.ReviewRuleError as exc:
            error = str(exc)
    claim = selectors.claim_detail(claim_id=claim.pk)
    if not request.htmx:
        level = messages.ERROR if error else messages.SUCCESS
        message = error or f"Rated {claim.verdict.rating.name.lower()}."
        return _redirect_back(request, level, message, default=_panel_url(claim))
    context = _panel_context(
        request,
        claim,
        rating_error=error,
        conflict=conflict,
        typed_rating=request.POST if error else {},
    )
    response = render(request, "claims/article.html#review-panel", context)
    if not error or conflict:
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


def _comments_context(request: HttpRequest, claim: Claim, **extra) -> dict:
    return {
        "claim": claim,
        "comments": selectors.claim_comments(claim=claim),
        "can_comment": request.user.has_perm(permissions.COMMENT_CLAIMS),
        **extra,
    }


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_panel_page)
def claim_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim's discussion: its comments, oldest first, and the box to add one."""
    claim = get_object_or_404(Claim, pk=pk)
    return render(request, "claims/article.html#claim-comments", _comments_context(request, claim))


@desk_view(permission=permissions.COMMENT_CLAIMS, methods=("POST",), htmx=True)
def claim_add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimCommentForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _form_errors(form)
    else:
        try:
            services.claim_add_comment(
                claim_id=claim.pk, user=request.user, body=form.cleaned_data["body"]
            )
        except services.ReviewRuleError as exc:
            error = str(exc)
    if not request.htmx:
        level = messages.ERROR if error else messages.SUCCESS
        return _redirect_back(request, level, error or "Comment added.", default=_panel_url(claim))
    typed = request.POST.get("body", "") if error else ""  # a refused comment is not lost
    context = _comments_context(request, claim, comment_error=error, typed_comment=typed)
    return render(request, "claims/article.html#claim-comments", context)
