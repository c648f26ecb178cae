"""Personal API tokens: made (shown once), checked on every API request, revoked."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from claims.models import ApiToken

# Recognisable in a leaked config file or a secret scanner's rules.
TOKEN_PREFIX = "nf_"
# last_used_at is written at most this often, so a busy client costs no write per request.
USE_RECORDED_EVERY = datetime.timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(
    *,
    user: AbstractBaseUser,
    name: str,
    scope: str = ApiToken.Scope.READ,
    expires_at: datetime.datetime | None = None,
    created_by: AbstractBaseUser | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the secret, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
        prefix=raw[:12],
        key_hash=_digest(raw),
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The usable token that ``raw`` is (not revoked, not expired, its user active), else None."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_revoke(*, token_ids: list[int]) -> int:
    """Revoke tokens for good (they stay listed, with when); returns how many were live."""
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked_at=None).update(
        revoked_at=timezone.now()
    )
