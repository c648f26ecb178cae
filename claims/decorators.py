"""``desk_view``: the one decorator every desk view wears.

    @desk_view(permission=permissions.VIEW_CLAIMS, htmx=True)
    def claims_queue(request): ...

    @desk_view(permission=permissions.VIEW_CLAIMS, partial_of=lambda request: "claims-queue")
    def jobs_live(request): ...  # htmx only; a plain GET is sent to the queue

A request meets the checks in this order, the order the desk has always used:

1. the HTTP method: any other gets 405;
2. signing in: an anonymous visitor is redirected to the login page (never a 403 that
   would tell them the page exists for someone else);
3. the role's permission: a signed-in user without it gets 403;
4. htmx: the response varies on ``HX-Request``, so no cache hands a partial to a plain
   request or the whole page to htmx; with ``partial_of`` a plain request is redirected to
   the page that holds the partial.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers


def desk_view(
    *,
    permission: str,
    methods: Sequence[str] = ("GET",),
    htmx: bool = False,
    partial_of: Callable[..., object] | None = None,
) -> Callable:
    """Guard a desk view: methods, login, ``permission``, and what htmx changes.

    ``htmx``: the view answers htmx and plain requests differently.
    ``partial_of``: the view returns only a partial, for htmx. A plain request is redirected
    to ``partial_of(request, **url_kwargs)``: anything ``redirect()`` takes (a URL, a URL
    name, an object with ``get_absolute_url``). It may raise Http404.
    """

    def decorate(view: Callable) -> Callable:
        guarded = view
        if partial_of is not None:
            guarded = _partial_only(guarded, partial_of)
        if htmx or partial_of is not None:
            guarded = vary_on_headers("HX-Request")(guarded)
        guarded = permission_required(permission, raise_exception=True)(guarded)
        guarded = login_required(guarded)
        guarded = require_http_methods(list(methods))(guarded)
        # tests/test_desk_views.py checks that every desk URL leads to a view with this mark.
        guarded.desk_permission = permission
        return guarded

    return decorate


def _partial_only(view: Callable, page_of: Callable[..., object]) -> Callable:
    @functools.wraps(view)
    def partial_or_redirect(request, *args, **kwargs):
        if not request.htmx:
            return redirect(page_of(request, *args, **kwargs))
        return view(request, *args, **kwargs)

    return partial_or_redirect
