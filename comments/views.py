"""The comment POST view and the context of the comment section on the post page."""

import logging
from functools import cache
from urllib.parse import quote, unquote

from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.safestring import mark_safe
from django.views import csrf as csrf_views
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from blog.models import Post
from core.middleware import BUSY_RETRY_AFTER_SECONDS, database_is_busy

from . import services
from .cookies import AUTHOR_COOKIE_AGE, AUTHOR_COOKIES, PENDING_REMEMBERED, PENDING_SESSION_KEY
from .forms import CommentForm
from .models import Comment
from .thread import render_thread

logger = logging.getLogger(__name__)

AWAITING_MODERATION = "Your comment is awaiting moderation."
REFUSAL_STATUS = {"closed": 403, "parent": 400, "flood": 429, "rate": 429, "duplicate": 409}
# The largest form a valid comment makes: every field at its limit, each character
# percent-encoded as four bytes of UTF-8 (twelve characters), and room for the rest.
_LONGEST_COMMENT = sum(
    (Comment.BODY_MAX, Comment.AUTHOR_NAME_MAX, Comment.AUTHOR_EMAIL_MAX, Comment.AUTHOR_URL_MAX)
)
COMMENT_REQUEST_MAX_BYTES = 12 * _LONGEST_COMMENT + 16_384
BUSY_MESSAGE = (
    "The site is busy and could not save your comment just now. Your text is kept below: "
    "please wait a few seconds and press “Post Comment” again."
)


# The CSRF check reads the whole form, so it runs only after the size check: an oversized
# body is refused before any of it is read.
@csrf_exempt
@require_POST
def post_comment(request, post_id):
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    # No comment is this big, so none is lost.
    sent_bytes = _content_length(request)
    if sent_bytes > COMMENT_REQUEST_MAX_BYTES:
        context = {"post": post, "sent_bytes": sent_bytes, "body_max": Comment.BODY_MAX}
        return render(request, "comments/too_long.html", context, status=413)
    return _post_checked_comment(request, post)


@csrf_protect
def _post_checked_comment(request, post):
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_page(request, post, form, status=400)
    try:
        comment = services.comment_submit(
            post=post, data=form.cleaned_data, request_meta=request.META, user=request.user
        )
    except services.CommentRefused as refusal:
        form.add_error(None, refusal.message)
        return _form_page(request, post, form, status=REFUSAL_STATUS.get(refusal.code, 400))
    except OperationalError as error:
        if not database_is_busy(error):
            raise
        # Nothing was saved (the comment and its history are written in one transaction),
        # so the visitor posts the same text again.
        form.add_error(None, BUSY_MESSAGE)
        response = _form_page(request, post, form, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Thank you for your comment.")
    else:
        messages.success(request, AWAITING_MODERATION)
    anchor = "respond"
    if comment.pk:
        anchor = comment.anchor
        _remember_pending(request, comment)
    response = redirect(f"{post.get_absolute_url()}#{anchor}")
    _remember_author(response, form.cleaned_data)
    return response


# The CSRF failures a genuine visitor meets start so: no cookie yet, or a missing, stale
# or mangled token. Those of a post from another site ("Origin checking failed…",
# "Referer checking failed…") get the plain 403 page.
CSRF_TOKEN_REASON_PREFIX = "CSRF "
CONFIRM_MESSAGE = "Please press “Post Comment” once more to send your comment."


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: for the comment form, the form again with the visitor's text
    and a valid token, so one more press sends it; anything else, the friendly 403 page.

    Pages from the shared cache carry no token (see core/pagecache): their script adds
    it at submit time, and this is what a visitor without JavaScript sees instead. It
    saves nothing, so a forged cross-site post gains nothing: the visitor must still
    press the button on this site's own page, which no other site can frame.
    """
    match = _resolve_or_none(request.path_info)
    if (
        match is not None
        and match.view_name == "comments:post-comment"
        and request.method == "POST"
        and reason.startswith(CSRF_TOKEN_REASON_PREFIX)
    ):
        post = Post.objects.published().filter(pk=match.kwargs["post_id"]).first()
        if post is not None and services.comments_are_open(post=post):
            form = CommentForm(request.POST)
            form.is_valid()
            form.add_error(None, CONFIRM_MESSAGE)
            return _form_page(request, post, form, status=403)
    return csrf_views.csrf_failure(request, reason)


def _resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


@require_GET
@ensure_csrf_cookie
@never_cache
def csrf_cookie(request):
    """Sets the CSRF cookie, for the comment form's script on a page from the shared cache."""
    return HttpResponse(status=204)


def _remember_pending(request, comment):
    """Let the visitor see their held comment on the post page.

    The session is saved here rather than only by the middleware, where a database busy
    past its timeout would turn a comment already safely stored into a server error.
    If it cannot be saved now, the visitor still has the notice, just not the preview.
    """
    pending = request.session.get(PENDING_SESSION_KEY, [])
    request.session[PENDING_SESSION_KEY] = [*pending, comment.pk][-PENDING_REMEMBERED:]
    try:
        request.session.save()
    except OperationalError as error:
        if not database_is_busy(error):
            raise
        logger.warning("Database busy: comment %s saved, session not: %s", comment.pk, error)
        request.session.modified = False


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _form_page(request, post, form, *, status):
    """The form again, with what went wrong and everything the visitor typed."""
    context = comment_section_context(request, post, form=form)
    return render(request, "comments/post_comment.html", context, status=status)


def _remember_author(response, data):
    """Set the author cookies when asked to, and clear them when not, as WordPress does."""
    for field, cookie in AUTHOR_COOKIES.items():
        if data.get("remember") and data.get(field):
            response.set_cookie(
                cookie,
                quote(data[field]),
                max_age=AUTHOR_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        else:
            response.delete_cookie(cookie, samesite="Lax")


def _initial_author(request) -> dict:
    initial = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        initial = {"author_name": user.get_full_name() or user.get_username()}
        if user.email:
            initial["author_email"] = user.email
    remembered = {
        field: unquote(request.COOKIES[cookie])[:250]
        for field, cookie in AUTHOR_COOKIES.items()
        if request.COOKIES.get(cookie)
    }
    if remembered:
        initial.update(remembered, remember=True)
    return initial


def _reply_target(request, post, form) -> Comment | None:
    if form is not None and form.is_bound:
        parent_id = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    else:
        parent_id = request.GET.get("replytocom", "") if request else ""
        parent_id = int(parent_id) if parent_id.isdecimal() and len(parent_id) < 19 else None
    if not parent_id:
        return None
    return Comment.objects.reply_targets(post).filter(pk=parent_id).first()


def blank_form_fields_html() -> str:
    """The comment form's fields with nothing filled in. They are the same on every post
    page, and Django's form templates cost a third of that page's render, so with DEBUG
    off they are rendered once per process, like a compiled template."""
    return _render_blank_fields() if settings.DEBUG else _blank_fields_once()


def _render_blank_fields() -> str:
    return mark_safe(render_to_string("comments/_form.html#fields", {"form": CommentForm()}))


_blank_fields_once = cache(_render_blank_fields)


def comment_section_context(request, post, *, form=None) -> dict:
    """What the comment section of `post`'s page shows to this visitor."""
    session = getattr(request, "session", None)
    own_pending = session.get(PENDING_SESSION_KEY, []) if session is not None else []
    is_open = services.comments_are_open(post=post)
    thread = render_thread(post=post, own_pending_ids=own_pending, can_reply=is_open)
    reply_to = _reply_target(request, post, form)
    if form is None:
        initial = _initial_author(request) if request else {}
        if reply_to is not None:
            initial["parent"] = reply_to.pk
        form = CommentForm(initial=initial)
    return {
        "post": post,
        "thread_html": thread.html,
        "approved_count": thread.approved_count,
        "comments_open": is_open,
        "form": form,
        "reply_to": reply_to,
        "action": reverse("comments:post-comment", args=[post.pk]),
        "cancel_url": post.get_absolute_url(),
        "spam_checking": services.spam_checking_is_on(),
        "feed_url": reverse("comments:post-feed", args=[post.pk]),
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "blank_fields_html": "" if form.is_bound or form.initial else blank_form_fields_html(),
    }


class PrivacyView(TemplateView):
    """What the site keeps about commenters, why and for how long, from the settings."""

    template_name = "comments/privacy.html"

    def get_context_data(self, **kwargs):
        rate_limit = settings.COMMENTS_RATE_LIMIT
        return super().get_context_data(
            personal_data_days=settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS,
            akismet_data_days=settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS,
            spam_days=settings.COMMENTS_SPAM_RETENTION_DAYS,
            spam_checking=services.spam_checking_is_on(),
            rate_limit_minutes=max(rate_limit[1] // 60, 1) if rate_limit else 0,
            session_days=settings.SESSION_COOKIE_AGE // 86400,
            contact_email=settings.SITE_CONTACT_EMAIL,
            **kwargs,
        )
