"""Fast public pages: conditional GET, and a shared page cache for anonymous readers.

Both hang on one fact: when the site last changed for its readers (the PublicChange row,
touched by signal handlers, and the newest publish date that has passed, so a scheduled
post shows up on time). Validators are built from it, never from the rendered body, so a
304 costs one small query; a page kept in the cache is served for one query as well.

Caching whole pages is safe only for a page that is the same for every visitor, and
Django's docs warn against caching a page that carries a CSRF token or a CSP nonce. So
the page shared by anonymous readers carries neither: its comment form gets its token at
submit time (static/js/comments.js reads it from the CSRF cookie; without JavaScript the
form comes back once, filled in, with a token: see comments.views.csrf_failure), and its
only script is a file from the site itself, which the policy allows without a nonce.

Visitors whose page is their own get it rendered: a remembered name in the comment form,
a flash message, a session (a logged-in editor, or a visitor whose comment is held). The
last two get no validators either, so they always see the page as it is now.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache as page_cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.csp import build_policy
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.text import compress_string
from django.views.decorators.http import condition

from .models import Post, PublicChange

# Cookies that fill in the comment form for a returning commenter (set by
# comments.views, under AUTHOR_COOKIES there).
AUTHOR_COOKIES = ("comment_author", "comment_author_email", "comment_author_url")
# Django's cookie for flash messages ("Your comment is awaiting moderation.").
MESSAGES_COOKIE = CookieStorage.cookie_name
# Where comments.views keeps, in the session, the ids of a visitor's held comments.
PENDING_SESSION_KEY = "comments_pending"
# Pages with other query parameters (a reply form, odd junk) are rendered every time,
# so no one can fill the cache with variants.
SHARED_QUERY_PARAMETERS = {"page"}
PAGE_CACHE_SECONDS = 24 * 60 * 60
PAGE_CACHE_VERSION = 1
CSRF_TOKEN_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
NONCE_ATTRIBUTE = re.compile(r' nonce="[^"]*"')
GZIP = re.compile(r"\bgzip\b")


# What changed, and when
# ----------------------------------------------------------------------------------------


def note_public_change() -> None:
    """Record that something readers see has changed (called from signal handlers)."""
    now = timezone.now()
    if not PublicChange.objects.filter(pk=1).update(changed_at=now):
        PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": now})


def post_saved_or_deleted(sender, instance, raw=False, **kwargs):
    """Signal handler for Post, Tag and TaggedItem: any change may show on public pages.
    (A draft's edit does not, but editors save seldom enough not to matter.)"""
    if not raw:
        note_public_change()


@dataclass(frozen=True)
class SiteState:
    changed_at: datetime | None
    newest_published: datetime | None

    @property
    def last_modified(self) -> datetime | None:
        moments = [moment for moment in (self.changed_at, self.newest_published) if moment]
        return max(moments) if moments else None


@cache
def _site_state_sql() -> str:
    # Written out once, as building it through the ORM on every request costs more than
    # running it. Both parts are single index lookups.
    return (
        f"SELECT (SELECT changed_at FROM {PublicChange._meta.db_table} WHERE id = 1), "
        f"(SELECT MAX(published_at) FROM {Post._meta.db_table} "
        "WHERE status = %s AND published_at <= %s)"
    )


def site_state() -> SiteState:
    """When the public site last changed, and the newest publish date that has passed
    (a scheduled post appears without any save). One query."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_site_state_sql(), [Post.Status.PUBLISHED, now])
        changed_at, newest_published = cursor.fetchone()
    return SiteState(_as_datetime(changed_at), _as_datetime(newest_published))


def _as_datetime(value) -> datetime | None:
    """PostgreSQL hands back an aware datetime; SQLite text or a naive one, in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


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


# Who gets which page
# ----------------------------------------------------------------------------------------


def is_shared_page_request(request) -> bool:
    """Whether this visitor gets the page every anonymous reader gets."""
    cookies = request.COOKIES
    return (
        settings.BLOG_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not cookies.get(settings.SESSION_COOKIE_NAME)
        and not cookies.get(MESSAGES_COOKIE)
        and not any(cookies.get(name) for name in AUTHOR_COOKIES)
        and set(request.GET) <= SHARED_QUERY_PARAMETERS
    )


def _wants_fresh_page(request) -> bool:
    if request.user.is_authenticated or request.COOKIES.get(MESSAGES_COOKIE):
        return True
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return bool(request.session.get(PENDING_SESSION_KEY))
    return False


def _state_for(request) -> SiteState | None:
    """The site's state, read once per request; None for a visitor who always gets a
    fresh page (and so no validators)."""
    if not hasattr(request, "_site_state"):
        request._site_state = None if _wants_fresh_page(request) else site_state()
    return request._site_state


def page_last_modified(request, *args, **kwargs) -> datetime | None:
    state = _state_for(request)
    return state.last_modified if state else None


def page_etag(request, *args, **kwargs) -> str | None:
    """Weak, as the same page may go out gzipped or not. A visitor's own page also
    depends on the cookies that shape it: the CSRF token in its form comes from the
    CSRF cookie, and the author cookies fill the form in."""
    state = _state_for(request)
    if state is None:
        return None
    parts = [str(state.changed_at), str(state.newest_published), code_fingerprint()]
    if not is_shared_page_request(request):
        cookies = (settings.CSRF_COOKIE_NAME, *AUTHOR_COOKIES)
        parts += [request.COOKIES.get(name, "") for name in cookies]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


# The shared page cache
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    state: SiteState
    headers: dict[str, str]
    body: bytes
    gzipped_body: bytes


def _page_cache_key(request) -> str:
    path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"page:v{PAGE_CACHE_VERSION}:{code_fingerprint()}:{path}"


def _make_shareable(response) -> None:
    """Take this visitor's CSRF token and CSP nonce out of the page, so that it can be
    shared (see the module docstring), and give it a policy without a nonce."""
    content = response.content.decode(response.charset)
    content = CSRF_TOKEN_VALUE.sub(r"\1\2", content)
    content = NONCE_ATTRIBUTE.sub("", content)
    response.content = content
    response.headers["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
    response.shareable_page = True


# Headers a stored page keeps; the outer middleware adds the security headers again.
STORED_HEADERS = ("Content-Type", "Content-Security-Policy", "X-Frame-Options")


def _store(request, response) -> None:
    body = response.content
    page = StoredPage(
        state=request._site_state,
        headers={name: response[name] for name in STORED_HEADERS if response.has_header(name)},
        body=body,
        gzipped_body=compress_string(body),
    )
    page_cache.set(_page_cache_key(request), page, PAGE_CACHE_SECONDS)


def _serve(request, page: StoredPage) -> HttpResponse:
    etag, last_modified = page_etag(request), page.state.last_modified
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
    return response


def _mark_private(response) -> None:
    """The browser may keep the page but must ask again each time (no-cache); shared
    caches must not keep it (private), as a visitor's own page holds their token."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


class SharedPageCacheMiddleware:
    """Serve a shared page from the cache before the rest of the stack runs.

    It sits near the top of MIDDLEWARE (after the security, gzip and static-file
    middleware), so a cached page costs no session, user or template work. Pages are
    stored on the way out by views wrapped in public_page().
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_shared_page_request(request):
            page = page_cache.get(_page_cache_key(request))
            if page is not None:
                try:
                    request._site_state = site_state()
                except DatabaseError:
                    pass  # The view will meet it again, and answer "try again".
                else:
                    if page.state == request._site_state:
                        return _serve(request, page)
        response = self.get_response(request)
        if getattr(response, "shareable_page", False) and response.status_code == 200:
            _store(request, response)
        return response


def public_page(view=None, *, shared=True):
    """Make `view` a public page: validators from site_state(), 304 when they match,
    and, unless `shared` is off, the page kept for every anonymous reader."""
    if view is None:
        return lambda view: public_page(view, shared=shared)

    conditional_view = condition(etag_func=page_etag, last_modified_func=page_last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
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
