"""``/favicon.ico``: browsers ask for it on every page whatever the page links to.

The desk's icon is an SVG (claims/static/claims/favicon.svg); it is served here under the
old name too, so the request that every browser makes is answered instead of a 404.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent.parent / "claims" / "static" / "claims" / "favicon.svg"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/svg+xml")
