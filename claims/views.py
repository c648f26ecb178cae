"""Views: thin. They read with selectors, write with services, and render partials for htmx.

Every view wears ``desk_view`` (claims/decorators.py): method, login, permission, htmx.
Every htmx endpoint also works as a plain request: GETs of a partial redirect to the page
that holds it (``partial_of=``), POSTs redirect back to ``next`` with a message.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from claims import charts, permissions, selectors, services
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
        filters=filters, after=request.GET.get("after", ""), size=QUEUE_PAGE_SIZE
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
        outlets=selectors.outlet_names(),
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
def jobs_live(request: HttpRequest) -> HttpResponse:
    """The queue's box of articles still being processed (polled while any is active)."""
    return render(request, "claims/queue.html#jobs-live", _jobs_context(request))


@desk_view(permission=permissions.VIEW_CLAIMS)
def claims_overview(request: HttpRequest) -> HttpResponse:
    chart = charts.overview_chart(selectors.claim_status_overview())
    return render(request, "claims/overview.html", {"chart": chart})


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
    counts = selectors.article_status_counts(article=article)
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
    part = selectors.article_part(
        article=article,
        number=int(number) if number.isdigit() else 0,
        size=settings.NEWSFACTS_ARTICLE_PAGE_CHARS,
        containing=at if not number.isdigit() else None,
    )
    show_dismissed = request.GET.get("dismissed") == "1"
    claims = list(
        selectors.article_part_claims(article=article, part=part, include_dismissed=show_dismissed)
    )
    return {
        "article": article,
        "part": part,
        "show_dismissed": show_dismissed,
        "claims": claims,
        "highlighted": selectors.article_highlight(
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
        "claim": claim,
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
            "rows": selectors.claim_list_for_review().filter(pk__in=changed),
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
