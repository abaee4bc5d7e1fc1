"""Cross-site request forgery protection without a per-visitor token, for forms on pages
that every reader shares.

Why: a page kept in the shared cache carries no CSRF token (it is the same page for
every reader), so Django's token check would refuse the first press of its form. Current
browsers say where a request comes from in headers no page can forge:

1. `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser): `same-origin`, or
   `none` for a request the visitor made themselves, is this site; `same-site` (a
   sibling subdomain) and `cross-site` are not.
2. Without it, `Origin` (older browsers send it with every POST): this site's own scheme
   and host, or one of CSRF_TRUSTED_ORIGINS, is this site; anything else, or `null`, is not.
3. With neither, the request comes from an old or unusual client, or no browser at all:
   we cannot tell, and the caller falls back to Django's token check.

This is the scheme of Go's `net/http.CrossOriginProtection` and of a proposal for Django
(django/new-features#98, implemented as django-modern-csrf). We write the few lines here
rather than add django-modern-csrf, which replaces the CSRF middleware for the whole site:
staff in the admin keep Django's token check, and only the views that choose this one
use it (`@cross_origin_protected`). tests/core/test_cross_origin.py covers each rule.
"""

from enum import Enum
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt, csrf_protect

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
SAME_ORIGIN_FETCH_SITES = {"same-origin", "none"}
REASON_CROSS_ORIGIN = "Cross-origin request refused: it was sent from another site."


class Source(Enum):
    SAME_ORIGIN = "same-origin"
    CROSS_ORIGIN = "cross-origin"
    UNKNOWN = "unknown"


def request_source(request) -> Source:
    """Where the browser says `request` comes from (see the module docstring)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site.strip().lower() in SAME_ORIGIN_FETCH_SITES:
            return Source.SAME_ORIGIN
        return Source.CROSS_ORIGIN
    origin = request.headers.get("Origin")
    if origin is None:
        return Source.UNKNOWN
    return Source.SAME_ORIGIN if _is_own_origin(request, origin) else Source.CROSS_ORIGIN


def _is_own_origin(request, origin: str) -> bool:
    origin = origin.strip().lower()
    if origin in {trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null", from a sandboxed frame or a privacy-minded redirect.
    try:
        host = request.get_host().lower()
    except DisallowedHost:
        return False
    return parts.scheme == request.scheme and parts.netloc == host


def cross_origin_protected(view):
    """Protect `view` by where the request comes from, for anonymous visitors.

    Same-origin requests pass with no token; cross-origin ones get the CSRF failure
    page (403) and reach nothing; a request that says neither, and any from a signed-in
    user, get Django's token check as before.
    """
    token_checked_view = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return view(request, *args, **kwargs)
        source = request_source(request)
        if source == Source.CROSS_ORIGIN:
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=REASON_CROSS_ORIGIN)
        if source == Source.UNKNOWN or request.user.is_authenticated:
            return token_checked_view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper
