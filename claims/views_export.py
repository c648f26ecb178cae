"""Export views: the dashboard's filters applied to a streamed CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims import exports, permissions, selectors
from claims.forms import ClaimFilterForm


@require_GET
@login_required
@permission_required(permissions.VIEW_CLAIMS, raise_exception=True)
def export_claims_csv(request: HttpRequest) -> StreamingHttpResponse:
    filters = ClaimFilterForm(request.GET).to_filters()
    claims = selectors.claim_list(filters=filters)
    bom = request.GET.get("bom") in ("1", "true", "yes")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        exports.csv_lines(claims, bom=bom), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="newsfacts-claims-{stamp}.csv"'
    return response
