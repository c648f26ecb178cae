"""Who is calling the API: a personal token, its scope, its user's permissions, its rate."""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from claims import services
from claims.models import ApiToken

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token's user becomes ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.api_token_authenticate(raw=token.strip())
        if found:
            request.user = found.user
        return found


def require(request: HttpRequest, permission: str, *, write: bool = False) -> None:
    """403 unless the token may write (for a change) and its user has ``permission``."""
    token: ApiToken = request.auth
    if write and token.scope != ApiToken.Scope.WRITE:
        raise HttpError(403, "This token may only read; a read and write token is needed.")
    if not request.user.has_perm(permission):
        raise HttpError(403, "Your role does not allow this.")


class TokenThrottle(BaseThrottle):
    """At most NEWSFACTS_API_THROTTLE requests per token, counted in a fixed window in the
    shared cache (an atomic increment, so every web process counts the same requests).

    When the cache is down the request is let through: the desk's API should not fail
    because its rate counter did."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        limit, period = _rate(settings.NEWSFACTS_API_THROTTLE)
        now = time.time()
        window = int(now // period)
        self._wait = period - (now % period)
        key = f"api-throttle:{token.pk}:{window}"
        try:
            cache = caches["api"]
            cache.add(key, 0, timeout=period + 1)
            count = cache.incr(key)
        except Exception as exc:  # Redis down, or any cache error: count nothing
            logger.warning("API throttle not counted (%s)", exc)
            return True
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@functools.cache
def _rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()]


def signed_in_or_token(view):
    """The schema and its docs page: for people signed in to the desk, or a valid token;
    anyone else is sent to the login page, like everywhere on the desk."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            token = services.api_token_authenticate(raw=raw.strip())
            if scheme.lower() != "bearer" or token is None:
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded
