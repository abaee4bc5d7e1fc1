"""Conditional GET, and the shared page cache for anonymous readers.

Caching whole pages is safe only for a page that is the same for every visitor, and
Django's docs warn against caching a page that carries a CSRF token or a CSP nonce. So
the page shared by anonymous readers carries neither (a comment form on it gets its token
at submit time), and its only script is a file from the site itself, which the policy
allows without a nonce.

Pages are kept under the release (core.pagecache.release), the request's host and path,
with the keys of what they show, and checked against the stamps of those keys
(core.pagecache.changes) before they are served. A response is never stored when
anything made it personal: a cookie set, a page marked with `mark_personal`, or a
request that policy says is this visitor's own.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache as page_cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.csp import build_policy
from django.utils.http import http_date
from django.utils.text import compress_string
from django.views.decorators.http import condition

from .changes import SiteState, depends_on, page_dependencies, site_state
from .policy import is_shared_page_request, personal_cookie_values, wants_fresh_page
from .release import release_id

PAGE_CACHE_SECONDS = 24 * 60 * 60
PAGE_CACHE_VERSION = 3
CSRF_TOKEN_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
NONCE_ATTRIBUTE = re.compile(r' nonce="[^"]*"')
GZIP = re.compile(r"\bgzip\b")
# Headers a stored page keeps; the outer middleware adds the security headers again.
STORED_HEADERS = ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Link")


# Validators
# ----------------------------------------------------------------------------------------


def _state_for(request) -> SiteState | None:
    """The site's state, read once per request; None for a visitor who always gets a
    fresh page (and so no validators)."""
    if not hasattr(request, "_site_state"):
        request._site_state = None if wants_fresh_page(request) else site_state()
    return request._site_state


def page_last_modified(request, *args, **kwargs) -> datetime | None:
    state = _state_for(request)
    return state.last_modified if state else None


def page_etag(request, *args, **kwargs) -> str | None:
    """Weak, as the same page may go out gzipped or not. The same on every server that
    runs the same release. A visitor's own page also depends on the cookies that shape it."""
    state = _state_for(request)
    if state is None:
        return None
    parts = [state.fingerprint(), release_id()]
    if not is_shared_page_request(request):
        parts += personal_cookie_values(request)
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


# The shared page cache
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    # The state it was rendered in, and the keys of what it shows (None: everything).
    state: SiteState
    dependencies: frozenset[str] | None
    # Its validators as first sent, so a copy kept across many unrelated changes still
    # answers the browser's If-None-Match with a 304.
    etag: str
    headers: dict[str, str]
    body: bytes
    gzipped_body: bytes


def mark_personal(response):
    """Say that `response` is this visitor's own, whatever the request looked like: it is
    then never stored for others."""
    response.personal_page = True
    return response


def _page_cache_key(request) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"page:v{PAGE_CACHE_VERSION}:{release_id()}:{digest}"


def _make_shareable(response) -> None:
    """Take this visitor's CSRF token and CSP nonce out of the page, so that it can be
    shared (see the module docstring), and give it a policy without a nonce."""
    content = response.content.decode(response.charset)
    content = CSRF_TOKEN_VALUE.sub(r"\1\2", content)
    content = NONCE_ATTRIBUTE.sub("", content)
    response.content = content
    response.headers["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
    response.shareable_page = True


def _may_store(request, response) -> bool:
    return (
        getattr(response, "shareable_page", False)
        and not getattr(response, "personal_page", False)
        and response.status_code == 200
        # A cookie set on the way out (a session begun, a form remembered) is personal;
        # the CSRF cookie is not, as the stored page keeps no token.
        and not set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        and is_shared_page_request(request)
        and getattr(request, "_site_state", None) is not None
    )


def _store(request, response) -> StoredPage:
    body = response.content
    page = StoredPage(
        state=request._site_state,
        dependencies=page_dependencies(request),
        etag=response.get("ETag") or page_etag(request),
        headers={name: response[name] for name in STORED_HEADERS if response.has_header(name)},
        body=body,
        gzipped_body=compress_string(body),
    )
    page_cache.set(_page_cache_key(request), page, PAGE_CACHE_SECONDS)
    return page


def _send_compressed(request, response, page: StoredPage) -> None:
    """Send the copy just compressed for the cache, so GZipMiddleware, which leaves a
    response with a Content-Encoding alone, does not compress the page a second time."""
    if GZIP.search(request.headers.get("accept-encoding", "")):
        response.content = page.gzipped_body
        response.headers["Content-Encoding"] = "gzip"
        if response.has_header("Content-Length"):  # CommonMiddleware's, of the plain body
            response.headers["Content-Length"] = str(len(page.gzipped_body))
        patch_vary_headers(response, ["Accept-Encoding"])


def _serve(request, page: StoredPage) -> HttpResponse:
    etag, last_modified = page.etag, page.state.last_modified
    response = get_conditional_response(
        request, etag=etag, last_modified=last_modified and int(last_modified.timestamp())
    )
    if response is None:
        gzipped = GZIP.search(request.headers.get("accept-encoding", ""))
        response = HttpResponse(page.gzipped_body if gzipped else page.body)
        for name, value in page.headers.items():
            response.headers[name] = value
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    if last_modified:
        response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    _mark_private(response)
    patch_vary_headers(response, ["Accept-Encoding"])
    # Read by tests and the bench: the cache's own word that it answered.
    response.served_from_page_cache = True
    return response


def _mark_private(response) -> None:
    """The browser may keep the page but must ask again each time (no-cache); shared
    caches must not keep it (private), as a visitor's own page holds their token."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _host_is_allowed(request) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


class SharedPageCacheMiddleware:
    """Serve a shared page from the cache before the rest of the stack runs.

    It sits near the top of MIDDLEWARE (after the security, gzip and static-file
    middleware), so a cached page costs no session, user or template work. Pages are
    stored on the way out by views wrapped in public_page(). A request for a host outside
    ALLOWED_HOSTS goes down the stack untouched, to get Django's 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (is_shared_page_request(request) and _host_is_allowed(request)):
            return self.get_response(request)
        page = page_cache.get(_page_cache_key(request))
        if page is not None:
            try:
                # Read before the view runs, so a page rendered now is stored with a
                # state older than anything it shows.
                request._site_state = site_state(page.dependencies or ())
            except DatabaseError:
                pass  # The view will meet it again, and answer "try again".
            else:
                if request._site_state.keeps(page.state, page.dependencies):
                    return _serve(request, page)
        response = self.get_response(request)
        if _may_store(request, response):
            _send_compressed(request, response, _store(request, response))
        return response


def public_page(view=None, *, shared=True, shows=None):
    """Make `view` a public page: validators from site_state(), 304 when they match,
    and, unless `shared` is off, the page kept for every anonymous reader.

    `shows`, if given, is a callable taking the request and the view's arguments and
    returning the keys of what the page shows (see depends_on); a view may also name them
    itself as it renders. A page that names none is renewed by every change.
    """
    if view is None:
        return lambda view: public_page(view, shared=shared, shows=shows)

    conditional_view = condition(etag_func=page_etag, last_modified_func=page_last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if shows is not None:
            depends_on(request, *shows(request, *args, **kwargs))
        response = conditional_view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if (
            shared
            and response.status_code == 200
            and not response.streaming
            and is_shared_page_request(request)
            and getattr(request, "_site_state", None) is not None
        ):
            _make_shareable(response)
        _mark_private(response)
        return response

    return wrapper
