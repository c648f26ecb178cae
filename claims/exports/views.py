"""Export views: the dashboard's filters applied to a streamed CSV and to ClaimReview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from claims import permissions, selectors
from claims.decorators import desk_view
from claims.exports.claimreview import (
    claimreview_document,
    claimreview_documents,
    is_publishable,
    json_array_chunks,
    json_ld_dumps,
    json_ld_script,
)
from claims.exports.csv_export import csv_chunks
from claims.forms import ClaimFilterForm
from claims.models import Article, Claim
from claims.selectors import ClaimFilters


def _wants_bom(request: HttpRequest) -> bool:
    return request.GET.get("bom", "").lower() in ("1", "true", "yes", "on")


def csv_response(request: HttpRequest, claims, *, name: str) -> StreamingHttpResponse:
    """A streamed CSV download of these claims, with links back to this server."""
    chunks = csv_chunks(claims, link_base=request.build_absolute_uri("/"), bom=_wants_bom(request))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    # The desk's working data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@desk_view(permission=permissions.VIEW_CLAIMS)
def export_claims_csv(request: HttpRequest) -> StreamingHttpResponse:
    filters = ClaimFilterForm(request.GET).to_filters()
    return csv_response(
        request, selectors.claims_for_export(filters=filters), name="newsfacts-claims"
    )


# --- ClaimReview (schema.org JSON-LD) ------------------------------------------------------

JSON_LD = "application/ld+json"
SCRIPT_BLOCK = "text/plain; charset=utf-8"


@desk_view(permission=permissions.VIEW_CLAIMS)
def claim_claimreview(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("article", "verdict__rating"), pk=pk)
    if claim.dismissed:
        return JsonResponse(
            {"error": f"Claim {claim.pk} was dismissed as not a claim: nothing to publish."},
            status=404,
        )
    if not is_publishable(claim):
        return JsonResponse(
            {
                "error": f"Claim {claim.pk} is {claim.status} and not rated: only rated, "
                "verified and disputed claims have a verdict to publish."
            },
            status=404,
        )
    document = claimreview_document(
        claim, claim_url=request.build_absolute_uri(claim.get_absolute_url())
    )
    if _wants_script(request):
        return HttpResponse(json_ld_script(document), content_type=SCRIPT_BLOCK)
    return HttpResponse(json_ld_dumps(document, indent=2), content_type=JSON_LD)


def _wants_script(request: HttpRequest) -> bool:
    """``?as=script``: the ready-to-paste <script type="application/ld+json"> block, as
    plain text (never served as HTML: it is for copying into the desk's own pages)."""
    return request.GET.get("as") == "script"


def _feed_response(request: HttpRequest, claims) -> StreamingHttpResponse:
    documents = claimreview_documents(claims, link_base=request.build_absolute_uri("/"))
    chunks = json_array_chunks(documents)
    if _wants_script(request):
        response = StreamingHttpResponse(_in_script_block(chunks), content_type=SCRIPT_BLOCK)
    else:
        response = StreamingHttpResponse(chunks, content_type=JSON_LD)
    response["Cache-Control"] = "private, no-store"
    return response


def _in_script_block(chunks):
    yield '<script type="application/ld+json">\n'
    yield from chunks
    yield "</script>\n"


@desk_view(permission=permissions.VIEW_CLAIMS)
def claimreview_feed(request: HttpRequest) -> StreamingHttpResponse:
    """The ClaimReviews of the dashboard's claims under its filters (verdicts only)."""
    filters = ClaimFilterForm(request.GET).to_filters()
    return _feed_response(request, selectors.claims_for_claimreview(filters=filters))


@desk_view(permission=permissions.VIEW_CLAIMS)
def article_claimreview(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    article = get_object_or_404(Article, pk=pk)
    claims = selectors.claims_for_claimreview(filters=ClaimFilters(article=article.pk))
    return _feed_response(request, claims.order_by("start", "id"))  # reading order
