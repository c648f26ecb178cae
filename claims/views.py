"""Views: thin. They read with selectors, write with services, and render partials for htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from claims import permissions, selectors, services
from claims.forms import ClaimFilterForm, ClaimStatusForm
from claims.models import Article, Claim, ExtractionJob

QUEUE_PAGE_SIZE = 50


@require_GET
@login_required
@permission_required(permissions.VIEW_CLAIMS, raise_exception=True)
@vary_on_headers("HX-Request")
def claims_queue(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET)
    filters = form.to_filters()
    claims = selectors.claim_list_for_review(filters=filters)
    page = Paginator(claims, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.claim_status_counts(filters=filters)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "count_rows": [(value, label, counts[value]) for value, label in Claim.Status.choices],
        "statuses": Claim.Status,
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
    }
    template = "claims/queue.html#claim-table" if request.htmx else "claims/queue.html"
    return render(request, template, context)


@require_GET
@login_required
@permission_required(permissions.VIEW_CLAIMS, raise_exception=True)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("uploaded_by"), pk=pk)
    context = {
        "article": article,
        "claims": selectors.article_claims(article=article),
        "job": selectors.article_latest_job(article=article),
        "statuses": Claim.Status,
        "can_review": request.user.has_perm(permissions.REVIEW_CLAIMS),
        "can_run": request.user.has_perm(permissions.RUN_EXTRACTION),
    }
    return render(request, "claims/article.html", context)


@require_GET
@login_required
@permission_required(permissions.VIEW_CLAIMS, raise_exception=True)
@vary_on_headers("HX-Request")
def article_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job state box; htmx polls it while the job is queued or running."""
    article = get_object_or_404(Article, pk=pk)
    job = selectors.article_latest_job(article=article)
    if not request.htmx:
        return redirect(article)
    response = render(
        request,
        "claims/article.html#job-state",
        {
            "article": article,
            "job": job,
            "can_run": request.user.has_perm(permissions.RUN_EXTRACTION),
        },
    )
    if job and not job.is_active:
        # Tell the page the claims are in, so it can reload its claim list.
        trigger_client_event(response, "jobFinished", {"state": job.state})
    return response


@require_POST
@login_required
@permission_required(permissions.RUN_EXTRACTION, raise_exception=True)
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ExtractionJob.objects.select_related("article"), pk=pk)
    services.job_retry_article(article=job.article, requested_by=request.user)
    messages.info(request, "Extraction queued again.")
    return redirect(job.article)


@require_POST
@login_required
@permission_required(permissions.REVIEW_CLAIMS, raise_exception=True)
@vary_on_headers("HX-Request")
def claim_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimStatusForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
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
        except services.ReviewConflict as conflict:
            claim, error = conflict.claim, str(conflict)
        except services.ReviewRuleError as exc:
            error = str(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Marked {claim.get_status_display().lower()}.")
        return redirect(_safe_next(request) or reverse("claims-queue"))
    claim = selectors.claim_detail(claim_id=claim.pk)
    response = render(
        request,
        "claims/queue.html#claim-row",
        {"claim": claim, "error": error, "statuses": Claim.Status, "can_review": True},
    )
    if not error:
        trigger_client_event(response, "claimChanged", {"id": claim.pk, "status": claim.status})
    return response


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""
