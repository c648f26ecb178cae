"""The address a request came from, for login throttling (django-axes).

Behind ``NEWSFACTS_PROXY_COUNT`` reverse proxies, each appends the address it received the
request from to ``X-Forwarded-For``; the entry the outermost proxy appended is the client,
and anything to its left was written by the client itself and proves nothing. Without a
proxy the header is ignored: anyone could send it.

Why not django-ipware: its ``proxy_count`` expects the last proxy's own address inside the
header, which nginx's ``$proxy_add_x_forwarded_for`` never writes; with one proxy it
answers None for every client, and axes then throttles all of them as one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NEWSFACTS_PROXY_COUNT if settings.NEWSFACTS_BEHIND_PROXY else 0
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote  # not through every proxy: the direct peer is all we know
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
