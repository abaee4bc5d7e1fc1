"""Builds a post's reply tree from one query, for the thread on the post page, a page of
top-level threads at a time (comments/pages.py)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from blog.models import Post

from . import pages
from .avatars import AvatarLinks
from .models import Comment

# Part of every cache key: bump it when the thread's markup, or what is cached, changes.
THREAD_MARKUP_VERSION = 5
THREAD_CACHE_SECONDS = 24 * 60 * 60


@dataclass
class RenderedThread:
    html: str
    approved_count: int
    # Approved pingbacks and trackbacks, which the page lists apart from the discussion.
    mention_count: int = 0
    # The pages of top-level threads; a page past the last shows nothing.
    page_count: int = 1


@dataclass
class ThreadNode:
    comment: Comment  # or a row from thread_comments(), which has the same attributes
    depth: int
    is_pending: bool = False
    children: list["ThreadNode"] = field(default_factory=list)


def thread_comments(*, post: Post, own_pending_ids: Iterable[int] = ()) -> list:
    """The comments a visitor may see on `post`, in one query: the approved ones,
    plus their own that still wait for moderation.

    Rows are named tuples, not model instances: building a thousand Comment objects
    would cost more than rendering them.
    """
    visible = Q(status=Comment.Status.APPROVED)
    own_ids = [pk for pk in own_pending_ids if isinstance(pk, int)]
    if own_ids:
        visible |= Q(status=Comment.Status.PENDING, pk__in=own_ids)
    return list(
        Comment.objects.discussion()
        .filter(visible, post=post)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "parent_id",
            "author_name",
            "author_url",
            "body_html",
            "status",
            "created_at",
            "author_email",
            "user_id",
            "user__is_staff",
            named=True,
        )
    )


def build_thread(comments: Iterable, *, max_depth: int | None = None) -> list[ThreadNode]:
    """Nest `comments` (oldest first) as WordPress does, at most `max_depth` levels deep.

    A reply deeper than the limit joins its parent's level, after it. A reply whose
    parent is not shown (still held, or trashed) starts a thread of its own.
    """
    max_depth = max(1, max_depth or settings.COMMENTS_THREAD_DEPTH)
    roots: list[ThreadNode] = []
    nodes: dict[int, ThreadNode] = {}
    siblings_of: dict[int, list[ThreadNode]] = {}
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            node, siblings = ThreadNode(comment, depth=1), roots
        elif parent.depth < max_depth:
            node, siblings = ThreadNode(comment, depth=parent.depth + 1), parent.children
        else:
            node, siblings = ThreadNode(comment, depth=parent.depth), siblings_of[parent.comment.pk]
        node.is_pending = comment.status == Comment.Status.PENDING
        siblings.append(node)
        nodes[comment.pk] = node
        siblings_of[comment.pk] = siblings
    return roots


def render_thread(
    *,
    post: Post,
    own_pending_ids: Iterable[int] = (),
    can_reply: bool = True,
    page: int = 1,
    state: dict | None = None,
    editable: Mapping[int, int] | None = None,
) -> RenderedThread:
    """The HTML of page `page` of `post`'s thread as this visitor sees it.

    Most visitors see only approved comments, so that HTML is the same for all of them
    and is cached, page by page. Its key holds the count and latest change of the post's
    comments, so any new, edited, moderated or deleted comment makes a new key: nothing
    is stale. A visitor with a comment of their own still held sees a thread made for
    them alone, as does one who may still edit a comment of theirs (`editable`: comment
    id -> seconds left, comments/editing.py). `state` is thread_state()'s answer, when
    the caller has it already.
    """
    state = state or thread_state(post_id=post.pk)
    own_ids = [pk for pk in own_pending_ids if isinstance(pk, int)]
    if own_ids or editable:
        comments = thread_comments(post=post, own_pending_ids=[*own_ids, *(editable or ())])
        thread = _render(comments, can_reply, page, author_id=post.author_id, editable=editable)
        thread.mention_count = state["mentions"]
        return thread
    if not state["approved"]:
        return RenderedThread(html="", approved_count=0, mention_count=state["mentions"])
    key = shared_thread_key(post_id=post.pk, state=state, can_reply=can_reply, page=page)
    cached = cache.get(key)
    if cached is None:
        thread = _render(thread_comments(post=post), can_reply, page, author_id=post.author_id)
        cached = (thread.html, thread.page_count)
        # A page past the last is a 404: were those kept, anyone could fill the cache.
        if page <= thread.page_count:
            cache.set(key, cached, THREAD_CACHE_SECONDS)
    html, page_count = cached
    return RenderedThread(
        html=html,
        approved_count=state["approved"],
        mention_count=state["mentions"],
        page_count=page_count,
    )


def shared_thread_key(*, post_id: int, state: dict, can_reply: bool, page: int) -> str:
    """The cache key of page `page` of the thread most readers see: everything it shows
    and every setting that shapes it."""
    changed = state["changed_at"].timestamp() if state["changed_at"] else 0
    return (
        f"comments:thread:v{THREAD_MARKUP_VERSION}:{post_id}:{state['total']}:"
        f"{state['approved']}:{changed}:{settings.COMMENTS_THREAD_DEPTH}:{int(can_reply)}:"
        f"{settings.COMMENTS_ORDER}:{pages.per_page()}:{page}:{settings.COMMENTS_AVATARS}"
    )


def thread_state(*, post_id: int) -> dict:
    """The counts and latest change of a post's comments, the thread cache's key: one
    aggregate written out, as the ORM's building of it cost more than running it, on
    every post page rendered."""
    sql = (
        "SELECT "
        "COALESCE(SUM(CASE WHEN status = %s AND kind = %s THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN status = %s AND kind <> %s THEN 1 ELSE 0 END), 0), "
        f"MAX(updated_at), COUNT(*) FROM {Comment._meta.db_table} WHERE post_id = %s"
    )
    approved, comment = Comment.Status.APPROVED, Comment.Kind.COMMENT
    with connection.cursor() as cursor:
        cursor.execute(sql, [approved, comment, approved, comment, post_id])
        approved_count, mentions, changed_at, total = cursor.fetchone()
    if isinstance(changed_at, str):  # SQLite's text, in UTC.
        changed_at = parse_datetime(changed_at).replace(tzinfo=UTC)
    return {
        "approved": approved_count,
        "mentions": mentions,
        "changed_at": changed_at,
        "total": total,
    }


@dataclass
class PostMentions:
    """Other sites' links to a post, approved, oldest first: the pingbacks, trackbacks and
    webmention replies and mentions `listed`, and the webmention likes and reposts shown
    as their authors' `faces`."""

    listed: list[Comment] = field(default_factory=list)
    faces: list[Comment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.listed or self.faces)


def post_mentions(*, post: Post) -> PostMentions:
    """The approved pingbacks, trackbacks and webmentions of `post`, in one query."""
    mentions = PostMentions()
    found = (
        Comment.objects.approved()
        .mentions()
        .filter(post=post)
        .select_related("webmention")
        .only(
            "author_name",
            "author_url",
            "body",
            "body_html",
            "kind",
            "created_at",
            "post_id",
            "webmention__type",
            "webmention__source",
            "webmention__author_photo",
        )
    )
    for comment in found:
        webmention = getattr(comment, "webmention", None)
        comment.mention_type = webmention.type if webmention else ""
        comment.source_url = webmention.source if webmention else ""
        comment.author_photo = webmention.author_photo if webmention else ""
        if webmention is not None and webmention.is_face:
            comment.initials = initials(comment.author_name)
            mentions.faces.append(comment)
        else:
            mentions.listed.append(comment)
    return mentions


def initials(name: str) -> str:
    """One or two letters for a face without a photo."""
    words = [word for word in name.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


def page_threads(roots: list[ThreadNode], page: int) -> tuple[list[ThreadNode], int]:
    """The top-level threads on page `page`, in COMMENTS_ORDER, and the number of pages.

    Only approved threads fill pages; a held one of the visitor's own joins the page of
    the thread just before it (pages.page_of). Replies stay inside their thread's node.
    """
    if pages.newest_first():
        roots = roots[::-1]
    size = pages.per_page()
    if not size:
        return (roots if page == 1 else []), 1
    shown, approved_before = [], 0
    for node in roots:
        if pages.page_of(approved_before, approved=not node.is_pending) == page:
            shown.append(node)
        approved_before += not node.is_pending
    return shown, pages.page_count(approved_before)


def _render(
    comments: list,
    can_reply: bool,
    page: int = 1,
    *,
    author_id: int | None = None,
    editable: Mapping[int, int] | None = None,
) -> RenderedThread:
    nodes, page_count = page_threads(build_thread(comments), page)
    html = ""
    if nodes:
        parts: list[str] = []
        _render_nodes(parts, nodes, "comment-list", _Render(can_reply, author_id, editable))
        html = "".join(parts)
    approved = sum(comment.status == Comment.Status.APPROVED for comment in comments)
    return RenderedThread(html=html, approved_count=approved, page_count=page_count)


# The thread is the one loop on the site that runs a thousand times per page, so its
# markup is built here with f-strings rather than a template include per comment (which
# costs 60-100 µs each with the |date filter; this costs a few). Every value a visitor
# typed goes through escape(); body_html was sanitised when the comment was saved.
MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
AWAITING_HTML = ' <em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em>'
AUTHOR_MARK_HTML = ' <span class="comment-author-mark">Author</span>'
# A stand-in id, reversed once per render and replaced per comment: reverse() costs
# more than the rest of a comment's markup.
_STAND_IN_ID = 987654321


def _split_reversed(name: str) -> tuple[str, str]:
    return tuple(reverse(name, args=[_STAND_IN_ID]).split(str(_STAND_IN_ID)))


class _Render:
    """What one render of the thread shares: the addresses, reversed once, the avatars,
    whose mark the post's author gets, and the visitor's own comments they may still
    edit (comment id -> seconds left)."""

    def __init__(self, can_reply: bool, author_id: int | None, editable):
        self.can_reply = can_reply
        self.zone = timezone.get_current_timezone()
        self.author_id = author_id
        self.editable = editable or {}
        self.report = _split_reversed("comments:report")
        self.edit = _split_reversed("comments:edit") if self.editable else ("", "")
        self.avatars = AvatarLinks()

    def edit_link(self, pk: int) -> str:
        seconds = self.editable[pk]
        minutes = max(-(-seconds // 60), 1)
        return (
            f'<a class="comment-edit-link" href="{self.edit[0]}{pk}{self.edit[1]}" '
            f'data-comment-id="{pk}" data-edit-seconds="{seconds}">Edit</a> '
            f'<span class="comment-edit-timer" data-edit-seconds="{seconds}">'
            f"(for {minutes} more minute{'' if minutes == 1 else 's'})</span> "
        )


def _render_nodes(parts: list[str], nodes: list[ThreadNode], list_class, r: _Render) -> None:
    parts.append(f'<ol class="{list_class}">')
    for node in nodes:
        comment = node.comment
        pk = comment.pk
        name = escape(comment.author_name)
        author = name
        # The form accepts only http(s) addresses; this guards against any other way in.
        if comment.author_url.lower().startswith(("http://", "https://")):
            url = escape(comment.author_url)
            author = f'<a href="{url}" rel="nofollow ugc noopener" class="url">{name}</a>'
        user_id = comment.user_id
        if user_id is not None and (comment.user__is_staff or user_id == r.author_id):
            author += AUTHOR_MARK_HTML
        created = comment.created_at.astimezone(r.zone)
        when = f"{created.day} {MONTHS[created.month]} {created.year} at {created:%H:%M}"
        pending = node.is_pending
        actions = r.edit_link(pk) if r.editable and pk in r.editable else ""
        if not pending:
            if r.can_reply:
                actions += (
                    f'<a class="comment-reply-link" href="?replytocom={pk}#respond" '
                    f'data-comment-id="{pk}" data-author="{name}" aria-label="Reply to {name}">'
                    "Reply</a> "
                )
            actions += (
                f'<a class="comment-report-link" href="{r.report[0]}{pk}{r.report[1]}" '
                'rel="nofollow">Report</a>'
            )
        if actions:
            actions = f'<p class="reply">{actions}</p>'
        parts.append(
            f'<li id="comment-{pk}" class="comment depth-{node.depth}'
            f'{" comment--pending" if pending else ""}">'
            f'<article class="comment-body" id="div-comment-{pk}">'
            f'<footer class="comment-meta">{r.avatars.img(comment.author_email)}'
            f'<b class="comment-author">{author}</b> '
            f'<a class="comment-permalink" href="#comment-{pk}">'
            f'<time datetime="{created.isoformat(timespec="seconds")}">{when}</time></a>'
            f"{AWAITING_HTML if pending else ''}</footer>"
            f'<div class="comment-content">{comment.body_html}</div>'
            f"{actions}</article>"
        )
        if node.children:
            _render_nodes(parts, node.children, "children", r)
        parts.append("</li>")
    parts.append("</ol>")
