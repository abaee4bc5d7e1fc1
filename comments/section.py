"""The comment section of a post's page: the thread, and the form as this visitor sees it.

Used by the template tag on the post page and by the comment view when it shows the form
again with the visitor's text.
"""

import hashlib
from functools import cache
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import cache as cache_backend
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from blog.models import Post
from core.pagecache import could_share_page, is_shared_page_request, release_id, stand_ins

from . import editing, pages, services
from .cookies import AUTHOR_COOKIES, PENDING_SESSION_KEY
from .feeds import post_comments_feed_url
from .forms import CommentForm
from .models import Comment
from .thread import post_mentions, render_thread, shared_thread_key, thread_state


def comment_section_context(
    request, post: Post, *, form: CommentForm | None = None, state: dict | None = None
) -> dict:
    """What the comment section of `post`'s page shows to this visitor; `state` is the
    thread's (thread.thread_state), when the caller has read it already."""
    own_pending = _own_pending_ids(request)
    is_open = services.comments_are_open(post=post)
    reply_to = _reply_target(request, post, form)
    page = _page_shown(request, form, reply_to)
    editable = editing.editable_comments(request)
    thread = render_thread(
        post=post,
        own_pending_ids=own_pending,
        can_reply=is_open,
        page=page,
        state=state,
        editable=editable,
    )
    if page > thread.page_count:
        raise Http404("No such page of comments.")
    post_url = post.get_absolute_url()
    if form is None:
        initial = _initial_author(request) if request else {}
        if reply_to is not None:
            initial["parent"] = reply_to.pk
        form = CommentForm(initial=initial)
    return {
        "post": post,
        "thread_html": thread.html,
        "approved_count": thread.approved_count,
        "comment_pages": pages.page_links(post_url, page, thread.page_count),
        # One more query only for the few posts that other sites have linked to.
        "mentions": post_mentions(post=post) if thread.mention_count else None,
        "comments_open": is_open,
        # This visitor may still edit a comment of theirs (comments/editing.py).
        "can_edit": bool(editable),
        "form": form,
        "reply_to": reply_to,
        "action": reverse("comments:post-comment", args=[post.pk]),
        "cancel_url": pages.page_url(post_url, page),
        "spam_checking": services.spam_checking_is_on(),
        "feed_url": post_comments_feed_url(post),
        "blank_fields_html": "" if form.is_bound or form.initial else blank_form_fields_html(),
    }


# The section as most readers see it is kept for the pages rendered for one reader, with
# stand-ins for the visitor's CSRF token and CSP nonce, which are put in for each page
# (core.pagecache.stand_ins): rendering it was a sixth of such a page.
SECTION_TEMPLATE = "comments/_section.html"
SECTION_SECONDS = 24 * 60 * 60


def comment_section_html(request, post: Post) -> str:
    """The comment section of `post`'s page as this visitor sees it."""
    key = state = None
    if _kept_for(request):
        state = thread_state(post_id=post.pk)
        key = _section_key(request, post, state)
    # Looked up before anything else is read: the thread's own cache entry, its mentions
    # and the form are needed only to render the section again.
    pieces = cache_backend.get(key) if key else None
    if pieces is None:
        context = comment_section_context(request, post, state=state)
        context |= stand_ins.STAND_INS
        pieces = stand_ins.kept(render_to_string(SECTION_TEMPLATE, context))
        if key:
            cache_backend.set(key, pieces, SECTION_SECONDS)
    # The page any anonymous reader could share carries no token (core.pagecache).
    token = request is not None and not could_share_page(request)
    return mark_safe(stand_ins.filled(request, pieces, token=token))


def _kept_for(request) -> bool:
    """Whether this visitor sees the section most readers see (nothing of their own in it:
    no held comment, none to edit, no reply chosen, no name remembered), on a page
    rendered for them alone. A page every anonymous reader shares is kept whole by the
    page cache: keeping its section as well would only take cache room from other pages."""
    return (
        request is not None
        and not is_shared_page_request(request)
        and not _own_pending_ids(request)
        and not request.COOKIES.get(editing.EDIT_COOKIE)
        and not request.GET.get("replytocom")
        and not _initial_author(request)
    )


def _section_key(request, post: Post, state: dict) -> str:
    """A key made of everything the section most readers see shows: the post's title and
    address, its thread (whose state covers its mentions too, which are comments), the
    page asked for, and the settings that shape it. A page past the last raises Http404
    here, unkept, when it is rendered."""
    is_open = services.comments_are_open(post=post)
    page = pages.requested_page(request)
    shown = [
        release_id(),
        post.title,
        post.get_absolute_url(),
        shared_thread_key(post_id=post.pk, state=state, can_reply=is_open, page=page),
        state["mentions"],
        services.spam_checking_is_on(),
    ]
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return f"comments:section:{post.pk}:{digest}"


def _own_pending_ids(request) -> list:
    session = getattr(request, "session", None)
    return session.get(PENDING_SESSION_KEY, []) if session is not None else []


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


def _reply_target(request, post: Post, form: CommentForm | None) -> Comment | None:
    if form is not None and form.is_bound:
        parent_id = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    else:
        parent_id = request.GET.get("replytocom", "") if request else ""
        parent_id = int(parent_id) if parent_id.isdecimal() and len(parent_id) < 19 else None
    if not parent_id:
        return None
    return Comment.objects.reply_targets(post).filter(pk=parent_id).first()


def _page_shown(request, form: CommentForm | None, reply_to: Comment | None) -> int:
    """The page of the thread to show: the one holding the comment replied to, as a
    no-script Reply link (?replytocom=N) names no page, else the one the address asks for."""
    if reply_to is not None and (form is None or not form.is_bound):
        return reply_to.thread_page
    return pages.requested_page(request)


def blank_form_fields_html() -> str:
    """The comment form's fields with nothing filled in. They are the same on every post
    page, and Django's form templates cost a third of that page's render, so with DEBUG
    off they are rendered once per process, like a compiled template."""
    return _render_blank_fields() if settings.DEBUG else _blank_fields_once()


def _render_blank_fields() -> str:
    return mark_safe(render_to_string("comments/_form.html#fields", {"form": CommentForm()}))


_blank_fields_once = cache(_render_blank_fields)
