"""Conditional GET for the public pages: answer "304 Not Modified" when nothing a
reader sees has changed since their browser's copy.

The validators come from when the site last changed (PublicChange, and the newest
publish date that has passed, so a scheduled post shows up on time), never from the
rendered body, so a 304 costs one small query instead of a render.

Pages are never cached whole on the server: each one carries the visitor's own CSRF
token, saved name and messages. A 304 only tells a browser to reuse its own copy, and
the ETag also covers the cookies that shape the page, so that copy is never another
visitor's or out of date with the visitor's own cookies. Logged-in visitors and those
with a comment still awaiting moderation get no validators: they always see a fresh page.
"""

import hashlib
from datetime import datetime
from functools import cache, wraps

from django.conf import settings
from django.db.models import Subquery
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


@cache
def code_fingerprint() -> str:
    """Changes when templates or static files change, so a deploy invalidates pages."""
    newest = 0.0
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static"):
        for path in folder.rglob("*"):
            newest = max(newest, path.stat().st_mtime)
    return str(newest)


def _wants_fresh_page(request) -> bool:
    if request.user.is_authenticated:
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


def conditional_page(view):
    """Give `view` validators from site_state() and answer 304 when they match.

    The browser may keep the page but must ask again each time (no-cache), and shared
    caches must not keep it at all (private), because it holds this visitor's token.
    """
    conditional_view = condition(etag_func=page_etag, last_modified_func=page_last_modified)(view)

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
