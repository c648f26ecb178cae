"""Export views: the dashboard's filters applied to a streamed CSV and to ClaimReview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims import exports, permissions, selectors
from claims.forms import ClaimFilterForm


def _wants_bom(request: HttpRequest) -> bool:
    return request.GET.get("bom", "").lower() in ("1", "true", "yes", "on")


def csv_response(request: HttpRequest, claims, *, name: str) -> StreamingHttpResponse:
    """A streamed CSV download of these claims, with links back to this server."""
    chunks = exports.csv_chunks(
        claims, link_base=request.build_absolute_uri("/"), bom=_wants_bom(request)
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    # The desk's working data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
@permission_required(permissions.VIEW_CLAIMS, raise_exception=True)
def export_claims_csv(request: HttpRequest) -> StreamingHttpResponse:
    filters = ClaimFilterForm(request.GET).to_filters()
    return csv_response(
        request, selectors.claims_for_export(filters=filters), name="newsfacts-claims"
    )
