"""Fast public pages: conditional GET, and a page cache for anonymous readers.

Both are keyed on when the site last changed (PublicChange, and the newest publish date
that has passed, so a scheduled post shows up on time), never on the rendered body: a
304 costs one small query, and a cached page one query and a cache read.

A cached page must never hand one visitor's CSRF token or CSP nonce to another. So the
page is stored with placeholders where they were, and each visitor's own are written in
as it is served. Pages shaped by other cookies (the remembered name in the comment form,
a flash message) are not cached; nor are pages for logged-in visitors or for those with
a comment awaiting moderation, who always get a freshly rendered page.
"""

import hashlib
import hmac
import re
from datetime import datetime
from functools import cache, wraps

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db.models import Subquery
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from .models import Post, PublicChange

# Cookies whose values change what a page shows this visitor. The CSRF token in the
# comment form is derived from the CSRF cookie; the others fill in the comment form.
PAGE_SHAPING_COOKIES = (
    settings.CSRF_COOKIE_NAME,
    "comment_author",
    "comment_author_email",
    "comment_author_url",
)
# Set by comments.views in the session of a visitor whose comment is held.
PENDING_SESSION_KEY = "comments_pending"
# Django's cookie for flash messages ("Your comment is awaiting moderation.").
MESSAGES_COOKIE = "messages"
# Pages with other query parameters (a reply form, odd junk) are rendered every time,
# so no one can fill the cache with variants.
CACHEABLE_QUERY_PARAMETERS = {"page"}
PAGE_CACHE_SECONDS = 10 * 60
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def note_public_change() -> None:
    """Record that something readers see has changed (called from signal handlers)."""
    now = timezone.now()
    if not PublicChange.objects.filter(pk=1).update(changed_at=now):
        PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": now})


def site_state() -> tuple[datetime | None, datetime | None]:
    """When the public site last changed, and the newest publish date that has passed
    (a scheduled post appears without any save). One query."""
    newest_published = Subquery(
        Post.objects.published().order_by("-published_at").values("published_at")[:1]
    )
    row = (
        PublicChange.objects.filter(pk=1)
        .annotate(newest_published=newest_published)
        .values_list("changed_at", "newest_published")
        .first()
    )
    if row is None:  # Only when a test has flushed the table.
        return None, Post.objects.published().values_list("published_at", flat=True).first()
    return row


def code_fingerprint() -> str:
    """Changes when templates or static files change, so a deploy invalidates pages.
    Under DEBUG it is read afresh each time, as runserver reloads templates live."""
    return _newest_template_or_static() if settings.DEBUG else _fingerprint_at_start()


def _newest_template_or_static() -> str:
    newest = 0.0
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static"):
        for path in folder.rglob("*"):
            newest = max(newest, path.stat().st_mtime)
    return str(newest)


_fingerprint_at_start = cache(_newest_template_or_static)


def _wants_fresh_page(request) -> bool:
    if request.user.is_authenticated or request.COOKIES.get(MESSAGES_COOKIE):
        return True
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return bool(request.session.get(PENDING_SESSION_KEY))
    return False


def _site_state(request) -> tuple | None:
    """Computed once per request and shared by the ETag and Last-Modified functions."""
    if not hasattr(request, "_site_state"):
        request._site_state = None if _wants_fresh_page(request) else site_state()
    return request._site_state


def page_last_modified(request, *args, **kwargs) -> datetime | None:
    state = _site_state(request)
    moments = [moment for moment in state or () if moment is not None]
    return max(moments) if moments else None


def page_etag(request, *args, **kwargs) -> str | None:
    state = _site_state(request)
    if state is None:
        return None
    parts = [str(moment) for moment in state] + [code_fingerprint()]
    parts += [request.COOKIES.get(name, "") for name in PAGE_SHAPING_COOKIES]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


@cache
def _placeholder(name: str) -> str:
    """A marker no visitor can guess, so text typed into a comment never matches it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), name.encode(), "sha256").hexdigest()
    return f"page-cache-{name}-{digest[:24]}"


def _may_use_page_cache(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and _site_state(request) is not None
        and set(request.GET) <= CACHEABLE_QUERY_PARAMETERS
        and not any(request.COOKIES.get(name) for name in PAGE_SHAPING_COOKIES[1:])
    )


def _page_cache_key(request) -> str:
    return f"page:{page_etag(request)}:{hashlib.md5(request.get_full_path().encode()).hexdigest()}"


def _store_page(request, response) -> None:
    if response.status_code != 200 or response.streaming:
        return
    content = response.content.decode(response.charset)
    # The token and nonce this visitor got become placeholders (see the module docstring).
    if match := CSRF_INPUT.search(content):
        content = content.replace(match[1], _placeholder("csrf"))
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        content = content.replace(str(nonce), _placeholder("nonce"))
    page = (content, response["Content-Type"], response.get("Last-Modified"))
    shared_cache.set(_page_cache_key(request), page, PAGE_CACHE_SECONDS)


def _serve_stored_page(request, page) -> HttpResponse:
    content, content_type, last_modified = page
    if _placeholder("csrf") in content:
        content = content.replace(_placeholder("csrf"), get_token(request))
    if _placeholder("nonce") in content:
        content = content.replace(_placeholder("nonce"), str(request._csp_nonce))
    response = HttpResponse(content, content_type=content_type)
    if last_modified:
        response["Last-Modified"] = last_modified
    return response


def public_page(view=None, *, cache_whole_page=True):
    """Make `view` a public page: validators from site_state(), 304 when they match,
    and for anonymous readers a page cache (unless `cache_whole_page` is off).

    The browser may keep the page but must ask again each time (no-cache), and shared
    caches must not keep it at all (private), because it holds this visitor's token.
    """
    if view is None:
        return lambda view: public_page(view, cache_whole_page=cache_whole_page)

    def cached_view(request, *args, **kwargs):
        if not (cache_whole_page and _may_use_page_cache(request)):
            return view(request, *args, **kwargs)
        page = shared_cache.get(_page_cache_key(request))
        if page is not None:
            return _serve_stored_page(request, page)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        _store_page(request, response)
        return response

    conditional_view = condition(etag_func=page_etag, last_modified_func=page_last_modified)(
        cached_view
    )

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = conditional_view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def post_saved_or_deleted(sender, instance, raw=False, **kwargs):
    """Signal handler for Post, Tag and TaggedItem: any change may show on public pages.
    (A draft's edit does not, but editors save seldom enough not to matter.)"""
    if not raw:
        note_public_change()
