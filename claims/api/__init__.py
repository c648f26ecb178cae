"""The JSON API under /api/v1/ (django-ninja): claims out, articles in, verdicts back.

Every request carries a personal token (``Authorization: Bearer nf_...``) made in the
admin; the token acts as its user, so the role table of docs/product.md applies as on the
desk, and within the token's scope (read, or read and write). Requests are throttled per
token. The schema is at /api/v1/openapi.json and its docs page at /api/v1/docs; docs/api.md
is the guide.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from ninja import NinjaAPI

from claims.api import articles, claims
from claims.api.auth import TokenAuth, TokenThrottle, signed_in_or_token

api = NinjaAPI(
    title="NewsFacts API",
    version="1",
    description="Claims and verdicts of the fact-check desk. Guide: docs/api.md.",
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    urls_namespace="api-v1",
    docs_decorator=signed_in_or_token,
)
api.add_router("/claims", claims.router)
api.add_router("/", articles.router)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"The request is larger than {limit:,} bytes."}, status=413
    )
