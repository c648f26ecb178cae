"""Views: thin. They read with selectors, write with services, and render partials for htmx.

Every view wears ``desk_view`` (claims/decorators.py): method, login, permission, htmx.
Every htmx endpoint also works as a plain request: GETs of a partial redirect to the page
that holds it (``partial_of=``), POSTs redirect back to ``next`` with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from claims import (
    charts,
    permissions,
    selectors,
    selectors_article,
    selectors_matching,
    selectors_queue,
    services,
)
from claims.decorators import desk_view
from claims.forms import (
    ClaimAssignForm,
    ClaimBulkForm,
    ClaimFilterForm,
    ClaimStatusForm,
    reviewer_choices,
)
from claims.models import Article, Claim, ExtractionJob
from claims.services.corrections import quantities_as_lines, times_as_lines

QUEUE_PAGE_SIZE = 50


# --- the queue ---------------------------------------------------------------------------


@desk_view(permission=permissions.VIEW_CLAIMS, htmx=True)
def claims_queue(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET)
    filters = form.to_filters()
    page = selectors.claim_page(
        filters=filters, after=request.GET.get("after", ""), size=QUEUE_PAGE_SIZE, queue_rows=True
    )
    context = {
        **_queue_context(request, filters),
        "form": form,
        "page": page,
        "filtered_article": (
            Article.objects.filter(pk=filters.article).only("title").first()
            if filters.article
            else None
        ),
    }
    # A back button whose page htmx no longer holds in its cache asks for the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "claims/queue.html#claim-table", context)
    context.update(
        assignee_choices=reviewer_choices(),
        **_jobs_context(request),
    )
    return render(request, "claims/queue.html", context)


def _jobs_context(request: HttpRequest) -> dict:
    jobs = selectors.jobs_needing_attention()
    return {
        "jobs": jobs,
        "jobs_active": any(job.is_active for job in jobs),
        "can_run": request.user.has_perm(permissions.RUN_EXTRACTION),
    }


def _queue_context(request: HttpRequest, filters: selectors.ClaimFilters) -> dict:
    can_assign = request.user.has_perm(permissions.ASSIGN_CLAIMS)
    counts = selectors.claim_status_counts(filters=filters)
    return {
        "filters": filters,
        "counts": counts,
        "count_bar": charts.stacked_bar(counts),
        "statuses": Claim.Status,
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
        "can_assign": can_assign,
        "bulk_form": ClaimBulkForm() if can_assign else None,
        # After a refused bulk action without JavaScript: what was ticked and chosen.
        "kept": {int(i) for i in request.GET.get("keep", "").split(",") if i.isdigit()},
        "bulk": {
            name: request.GET.get(f"bulk_{name}", "")
            for name in ("action", "status", "assignee", "note")
        },
    }


def _queue_url(request: HttpRequest) -> str:
    """The queue under the request's filters."""
    return f"{reverse('claims-queue')}?{request.GET.urlencode()}"


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_queue_url)
def claims_counts(request: HttpRequest) -> HttpResponse:
    """The per-status counters of the queue; they refresh when a claim changes."""
    filters = ClaimFilterForm(request.GET).to_filters()
    counts = selectors.claim_status_counts(filters=filters)
    context = {"counts": counts, "count_bar": charts.stacked_bar(counts), "filters": filters}
    return render(request, "claims/queue.html#status-counts", context)


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=lambda request: "claims-queue")
def outlet_options(request: HttpRequest) -> HttpResponse:
    """The outlet filter's suggestions, asked for when the field is first focused: a desk
    with thousands of outlets should not send them all with every queue page."""
    context = {"outlets": selectors.outlet_names()}
    return render(request, "claims/queue.html#outlet-options", context)


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=lambda request: "claims-queue")
def jobs_live(request: HttpRequest) -> HttpResponse:
    """The queue's box of articles still being processed (polled while any is active)."""
    return render(request, "claims/queue.html#jobs-live", _jobs_context(request))


@desk_view(permission=permissions.VIEW_CLAIMS)
def claims_overview(request: HttpRequest) -> HttpResponse:
    chart = charts.overview_chart(selectors.claim_status_overview())
    repeats = selectors_matching.disputed_repeats()
    return render(request, "claims/overview.html", {"chart": chart, "disputed_repeats": repeats})


# --- the article view --------------------------------------------------------------------


@desk_view(permission=permissions.VIEW_CLAIMS)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("uploaded_by"), pk=pk)
    selected = request.GET.get("claim", "")
    claim = None
    if selected.isdigit():
        claim = selectors.claim_detail_queryset().filter(pk=int(selected), article=article).first()
    context = {
        **_article_context(request, article, at=claim.start if claim else None),
        **_panel_context(request, claim),
        "job": selectors.article_latest_job(article=article),
        "can_run": request.user.has_perm(permissions.RUN_EXTRACTION),
    }
    return render(request, "claims/article.html", context)


def _article_context(request: HttpRequest, article: Article, at: int | None = None) -> dict:
    """The counts of every claim, and the text and claims of one part of the article
    (``?part=``, from 0): a long article's page loads its parts as the reader scrolls."""
    counts = selectors_article.article_status_counts(article=article)
    return {
        **_article_part_context(request, article, at=at),
        # Dismissed claims are counted apart: the page says how many it hides.
        "dismissed_count": counts.pop("dismissed"),
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
        "claim_types": Claim.Type.choices,
        "counts": counts,
        "count_bar": charts.stacked_bar(counts),
    }


def _article_part_context(request: HttpRequest, article: Article, at: int | None = None) -> dict:
    """One part of the text: ``?part=``, else the one holding offset ``at``, else the first."""
    number = request.GET.get("part", "")
    part = selectors_article.article_part(
        article=article,
        number=int(number) if number.isdigit() else 0,
        size=settings.NEWSFACTS_ARTICLE_PAGE_CHARS,
        containing=at if not number.isdigit() else None,
    )
    show_dismissed = request.GET.get("dismissed") == "1"
    claims = list(
        selectors_article.article_part_claims(
            article=article, part=part, include_dismissed=show_dismissed
        )
    )
    return {
        "article": article,
        "part": part,
        "show_dismissed": show_dismissed,
        "claims": claims,
        "highlighted": selectors_article.article_highlight(
            article=article, claims=claims, start=part.start, end=part.end
        ),
    }


def _article_part_page(request: HttpRequest, pk: int) -> str:
    part = request.GET.get("part", "")
    url = get_object_or_404(Article, pk=pk).get_absolute_url()
    return f"{url}?part={part}" if part.isdigit() else url


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_article_part_page)
def article_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The next part of a long article's text, loaded when the reader scrolls to it."""
    article = get_object_or_404(Article, pk=pk)
    context = _article_part_context(request, article)
    return render(request, "claims/article.html#article-part", context)


def _panel_context(request: HttpRequest, claim: Claim | None, **extra) -> dict:
    can_assign = request.user.has_perm(permissions.ASSIGN_CLAIMS)
    return {
        "claim": claim,
        "statuses": Claim.Status,
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
        "can_assign": can_assign,
        # Corrections (claims/views_corrections.py): the edit form's current values.
        "claim_types": Claim.Type.choices,
        "dismissal_reasons": Claim.Dismissal.choices,
        "quantity_lines": quantities_as_lines(claim.quantities) if claim else "",
        "time_lines": times_as_lines(claim.times) if claim else "",
        "rating_scale": selectors.verdict_scale() if claim else [],
        "can_comment": request.user.has_perm(permissions.COMMENT_CLAIMS),
        "assign_form": (
            ClaimAssignForm(initial={"assignee": claim.assignee_id})
            if claim and can_assign
            else None
        ),
        # The desk's memory: past verdicts, the claim elsewhere, conflicting figures.
        "memory": selectors_matching.claim_memory(claim=claim) if claim else None,
        **extra,
    }


def _article_page(request: HttpRequest, pk: int) -> Article:
    return get_object_or_404(Article, pk=pk)


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_article_page)
def article_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The highlighted text with its progress bar; refreshed when a claim changes."""
    article = get_object_or_404(Article, pk=pk)
    return render(request, "claims/article.html#article-text", _article_context(request, article))


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_article_page)
def article_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job state box; htmx polls it while the job is queued or running."""
    article = get_object_or_404(Article, pk=pk)
    job = selectors.article_latest_job(article=article)
    response = render(
        request,
        "claims/article.html#job-state",
        {
            "article": article,
            "job": job,
            "can_run": request.user.has_perm(permissions.RUN_EXTRACTION),
            "job_finished": bool(job and not job.is_active),
        },
    )
    if job and not job.is_active:
        # Tell the page the claims are in, so it can reload its claim list.
        trigger_client_event(response, "jobFinished", {"state": job.state})
    return response


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_article_page)
def article_claim_index(request: HttpRequest, pk: int) -> HttpResponse:
    """The review panel with no claim chosen: the article's claim list, refreshed when the
    extraction job finishes (so new claims appear without a reload)."""
    article = get_object_or_404(Article, pk=pk)
    context = {**_article_context(request, article), **_panel_context(request, None)}
    return render(request, "claims/article.html#review-panel", context)


@desk_view(permission=permissions.RUN_EXTRACTION, methods=("POST",))
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ExtractionJob.objects.select_related("article"), pk=pk)
    services.job_retry_article(article=job.article, requested_by=request.user)
    messages.info(request, "Extraction queued again.")
    return redirect(job.article)


# --- the review panel --------------------------------------------------------------------


def _panel_url(claim: Claim) -> str:
    return f"{reverse('claims-article', args=[claim.article_id])}?claim={claim.pk}#review-panel"


def _panel_page(request: HttpRequest, pk: int) -> str:
    return _panel_url(get_object_or_404(Claim, pk=pk))


@desk_view(permission=permissions.VIEW_CLAIMS, partial_of=_panel_page)
def claim_panel(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claim_detail_queryset(), pk=pk)
    return render(request, "claims/article.html#review-panel", _panel_context(request, claim))


@desk_view(permission=permissions.REVIEW_CLAIMS, methods=("POST",), htmx=True)
def claim_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimStatusForm(request.POST)
    error, conflict = "", False
    if not form.is_valid():
        error = _form_errors(form)
    elif _is_empty_save(claim, form.cleaned_data):
        error = "Nothing to save: write a note or add a source, or choose a status."
    else:
        try:
            claim = services.claim_set_status(
                claim_id=claim.pk,
                user=request.user,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                source_url=form.cleaned_data["source_url"],
                source_title=form.cleaned_data["source_title"],
                counter_source=form.cleaned_data["counter_source"],
            )
        except services.ReviewConflict as exc:
            claim, error, conflict = exc.claim, str(exc), True
        except services.ReviewRuleError as exc:
            error = str(exc)
    if not request.htmx:
        level = messages.ERROR if error else messages.SUCCESS
        message = error or f"Marked {claim.get_status_display().lower()}."
        return _redirect_back(request, level, message, default=reverse("claims-queue"))
    claim = selectors.claim_detail(claim_id=claim.pk)
    # A refused change keeps what the reviewer typed; a conflict keeps it too, so they can
    # read the fresh state and save again without retyping.
    typed = request.POST if error else {}
    response = _render_claim(request, claim, error=error, conflict=conflict, typed=typed)
    if not error or conflict:
        # On a conflict the page is stale too: the fresh state must reach its highlights.
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


def _is_empty_save(claim: Claim, data: dict) -> bool:
    """ "Save" with the current status and nothing typed would only add noise to history."""
    return (
        data["status"] == claim.status
        and not data["note"].strip()
        and not data["source_url"]
        and not data["source_title"].strip()
    )


def _render_claim(request: HttpRequest, claim: Claim, **extra) -> HttpResponse:
    """The panel when the change came from the article view, else the queue row."""
    if request.POST.get("view") == "panel":
        return render(
            request, "claims/article.html#review-panel", _panel_context(request, claim, **extra)
        )
    context = {
        "claim": selectors_queue.claim_rows([claim])[0],
        "statuses": Claim.Status,
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
        "can_assign": request.user.has_perm(permissions.ASSIGN_CLAIMS),
        "next": _safe_next(request),
        **extra,
    }
    return render(request, "claims/queue.html#claim-row", context)


@desk_view(permission=permissions.ASSIGN_CLAIMS, methods=("POST",), htmx=True)
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimAssignForm(request.POST)
    error = ""
    if form.is_valid():
        services.claims_assign(claim_ids=[claim.pk], assignee=form.cleaned_data["assignee"])
    else:
        error = _form_errors(form)
    if not request.htmx:
        level = messages.ERROR if error else messages.SUCCESS
        message = error or _assigned_message(form.cleaned_data["assignee"], 1)
        return _redirect_back(request, level, message, default=_panel_url(claim))
    claim = selectors.claim_detail(claim_id=claim.pk)
    response = _render_claim(request, claim, error=error)
    if not error:
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


def _assigned_message(assignee, count: int) -> str:
    what = "1 claim" if count == 1 else f"{count} claims"
    if assignee is None:
        return f"Unassigned {what}."
    return f"Assigned {what} to {assignee.get_username()}."


# --- helpers -----------------------------------------------------------------------------


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.replace("_", " ").capitalize()) if field else ""
        text = " ".join(errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _redirect_back(request: HttpRequest, level: int, message: str, *, default: str) -> HttpResponse:
    """A plain form post (no htmx): back to ``next``, with the outcome as a message."""
    messages.add_message(request, level, message)
    return redirect(_safe_next(request) or default)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
