"""The comment POST view, the comment form's CSRF helpers and the privacy page."""

import logging
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.views import csrf as csrf_views
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from blog.models import Post
from core.cross_origin import cross_origin_protected
from core.middleware import BUSY_RETRY_AFTER_SECONDS, DatabaseTrouble, database_trouble
from core.request_info import content_length
from core.sessions import session_save_now

from . import avatars, editing, pages, ratelimit, services
from .cookies import AUTHOR_COOKIE_AGE, AUTHOR_COOKIES, PENDING_REMEMBERED, PENDING_SESSION_KEY
from .forms import CommentForm
from .models import Comment
from .section import comment_section_context

logger = logging.getLogger(__name__)

AWAITING_MODERATION = "Your comment is awaiting moderation."
# For a visitor who ticked an email box (comments/subscriptions.py).
SUBSCRIPTION_NOTICE = (
    "Unless your address is confirmed already, we are emailing it a link: the emails "
    "you asked for start once you press it."
)
REFUSAL_STATUS = {"closed": 403, "parent": 400, "flood": 429, "rate": 429, "duplicate": 409}
# The largest form a valid comment makes: every field at its limit, each character
# percent-encoded as four bytes of UTF-8 (twelve characters), and room for the rest.
_LONGEST_COMMENT = sum(
    (Comment.BODY_MAX, Comment.AUTHOR_NAME_MAX, Comment.AUTHOR_EMAIL_MAX, Comment.AUTHOR_URL_MAX)
)
COMMENT_REQUEST_MAX_BYTES = 12 * _LONGEST_COMMENT + 16_384
# Why a comment could not be saved, by the database's trouble. Neither blames load for
# an outage.
UNSAVED_MESSAGES = {
    DatabaseTrouble.BUSY: (
        "The site is busy and could not save your comment just now. Your text is kept "
        "below: please wait a few seconds and press “Post Comment” again."
    ),
    DatabaseTrouble.UNREACHABLE: (
        "The site could not save your comment just now: it cannot reach its database. "
        "Your text is kept below: please press “Post Comment” again in a minute."
    ),
}


# The cross-origin check may read the whole form (for Django's token), so it runs only
# after the size check: an oversized body is refused before any of it is read.
@csrf_exempt
def post_comment(request, post_id):
    """The comment form's address: a POST sends a comment; a GET (a reload of the page
    a failed POST showed, a link) goes to the post's form."""
    try:
        post = Post.objects.published().filter(pk=post_id).first()
        if post is None:
            raise Http404("No such post.")
        if request.method in ("GET", "HEAD"):
            return redirect(f"{post.get_absolute_url()}#respond")
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        # No comment is this big, so none is lost.
        sent_bytes = content_length(request)
        if sent_bytes > COMMENT_REQUEST_MAX_BYTES:
            context = {"post": post, "sent_bytes": sent_bytes, "body_max": Comment.BODY_MAX}
            return render(request, "comments/too_long.html", context, status=413)
        return _post_checked_comment(request, post)
    except DatabaseError as error:
        # Raised before the comment was stored: once it is, nothing below raises these.
        return _unsaved_page(request, error)


@cross_origin_protected
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

    # From here on the comment is stored: nothing may turn this into an error page.
    if comment.status == Comment.Status.APPROVED:
        notice = "Thank you for your comment."
    else:
        notice = AWAITING_MODERATION
    if comment.pk and (form.cleaned_data["notify_replies"] or form.cleaned_data["notify_posts"]):
        notice = f"{notice} {SUBSCRIPTION_NOTICE}"
    messages.success(request, notice)
    response = redirect(_comment_location(post, comment))
    _remember_author(response, form.cleaned_data)
    if comment.pk:
        _remember_pending(request, response, comment)
        editing.grant_remember(request, response, comment)
    return response


def _unsaved_page(request, error: DatabaseError):
    """The form again, filled in from the POST data alone, when the database is busy or
    out of reach and nothing was saved (the comment and its history are written in one
    transaction). It reads nothing from the database, not even the post, the session or
    the user."""
    trouble = database_trouble(error)
    if trouble is None:
        raise error
    logger.warning("Comment not saved, database %s: %s", trouble, error)
    form = CommentForm(request.POST)
    form.is_valid()
    form.add_error(None, UNSAVED_MESSAGES[trouble])
    context = {
        "form": form,
        "action": request.path,
        "csrf_token": get_token(request),
        "unreachable": trouble == DatabaseTrouble.UNREACHABLE,
    }
    response = HttpResponse(render_to_string("comments/unsaved.html", context), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


# The CSRF failures a genuine visitor meets start so: no cookie yet, or a missing, stale
# or mangled token. Those of a post from another site ("Origin checking failed…",
# "Referer checking failed…") get the plain 403 page.
CSRF_TOKEN_REASON_PREFIX = "CSRF "
CONFIRM_MESSAGE = "Please press “Post Comment” once more to send your comment."


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: for the comment form, the form again with the visitor's text
    and a valid token, so one more press sends it; anything else, the friendly 403 page.

    Pages from the shared cache carry no token. A current browser's comment needs none
    (core/cross_origin.py); this is what a client that says nothing of where its request
    comes from sees instead. It saves nothing, so a forged cross-site post gains nothing:
    the visitor must still press the button on this site's own page, which no other site
    can frame.
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


def _comment_location(post, comment) -> str:
    """Where the visitor sees their comment: the page of the thread that shows it (a held
    one, to its author alone). Finding that page is a query, and the comment is already
    stored: if the database fails now, the post's own page does, with the anchor."""
    if not comment.pk:  # Dropped as blatant spam.
        return f"{post.get_absolute_url()}#respond"
    try:
        return comment.get_absolute_url()
    except DatabaseError as error:
        logger.warning("Comment %s saved; its page not found: %r", comment.pk, error)
        return f"{post.get_absolute_url()}#{comment.anchor}"


def _remember_pending(request, response, comment):
    """Let the visitor see their held comment on the post page.

    The session is saved here, once, rather than by the middleware, where a database
    error would turn a comment already safely stored into a 400 or a 500. If it cannot
    be saved now, the visitor still has the notice, just not the preview.
    """
    try:
        pending = request.session.get(PENDING_SESSION_KEY, [])
    except DatabaseError as error:
        logger.warning("Comment %s saved; its author's session unreadable: %r", comment.pk, error)
        pending = []
    request.session[PENDING_SESSION_KEY] = [*pending, comment.pk][-PENDING_REMEMBERED:]
    session_save_now(request, response)


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


class PrivacyView(TemplateView):
    """What the site keeps about commenters, why and for how long, from the settings."""

    template_name = "comments/privacy.html"

    def get_context_data(self, **kwargs):
        window = ratelimit.window()
        return super().get_context_data(
            personal_data_days=settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS,
            akismet_data_days=settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS,
            spam_days=settings.COMMENTS_SPAM_RETENTION_DAYS,
            spam_checking=services.spam_checking_is_on(),
            rate_limit_minutes=max(window // timedelta(minutes=1), 1) if window else 0,
            session_days=settings.SESSION_COOKIE_AGE // 86400,
            contact_email=settings.SITE_CONTACT_EMAIL,
            subscription_confirm_days=settings.COMMENTS_SUBSCRIPTION_CONFIRM_DAYS,
            avatars_gravatar=avatars.uses_gravatar(),
            edit_minutes=editing.edit_seconds()
            and editing.minutes_rounded_up(editing.edit_seconds()),
            **kwargs,
        )


# An avatar's address is its picture's digest, so it never changes: a year, immutable.
AVATAR_CACHE_CONTROL = "public, max-age=31536000, immutable"


def avatar(request, digest):
    """A generated avatar (comments/avatars.py): drawn from the digest alone, reading
    nothing, so it is as cheap as a static file."""
    response = HttpResponse(avatars.avatar_svg(digest), content_type="image/svg+xml")
    response["Cache-Control"] = AVATAR_CACHE_CONTROL
    return response


def old_comment_page(request, year, month, day, slug, page):
    """WordPress's /2026/11/29/slug/comment-page-2/: a permanent redirect to that page of
    the post's comments here (comments/pages.py). Whether the post and the page exist is
    for the post's own address to say."""
    post_url = reverse(
        "blog:post-detail", kwargs={"year": year, "month": month, "day": day, "slug": slug}
    )
    if not pages.PAGE_NUMBER.fullmatch(str(page)):
        raise Http404("No such page of comments.")
    return redirect(f"{pages.page_url(post_url, page)}#comments", permanent=True)
