"""Builds a post's reply tree from one query, for the thread on the post page."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string

from blog.models import Post

from .models import Comment

# Part of every cache key: bump it when the thread's markup changes.
THREAD_MARKUP_VERSION = 1
THREAD_CACHE_SECONDS = 24 * 60 * 60


@dataclass
class RenderedThread:
    html: str
    approved_count: int


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    is_pending: bool = False
    children: list["ThreadNode"] = field(default_factory=list)


def thread_comments(*, post: Post, own_pending_ids: Iterable[int] = ()) -> list[Comment]:
    """The comments a visitor may see on `post`, in one query: the approved ones,
    plus their own that still wait for moderation."""
    visible = Q(status=Comment.Status.APPROVED)
    own_ids = [pk for pk in own_pending_ids if isinstance(pk, int)]
    if own_ids:
        visible |= Q(status=Comment.Status.PENDING, pk__in=own_ids)
    return list(
        Comment.objects.filter(visible, post=post)
        .only(
            "pk",
            "post_id",
            "parent_id",
            "author_name",
            "author_url",
            "body_html",
            "status",
            "created_at",
        )
        .order_by("created_at", "pk")
    )


def build_thread(comments: Iterable[Comment], *, max_depth: int | None = None) -> list[ThreadNode]:
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
    *, post: Post, own_pending_ids: Iterable[int] = (), can_reply: bool = True
) -> RenderedThread:
    """The HTML of `post`'s thread as this visitor sees it.

    Most visitors see only approved comments, so that HTML is the same for all of them
    and is cached. Its key holds the count and latest change of the post's comments, so
    any new, edited, moderated or deleted comment makes a new key: nothing is stale.
    A visitor with a comment of their own still held sees a thread made for them alone.
    """
    own_ids = [pk for pk in own_pending_ids if isinstance(pk, int)]
    if own_ids:
        return _render(thread_comments(post=post, own_pending_ids=own_ids), can_reply)

    state = Comment.objects.filter(post=post).aggregate(
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
        changed_at=Max("updated_at"),
        total=Count("pk"),
    )
    if not state["approved"]:
        return RenderedThread(html="", approved_count=0)
    changed = state["changed_at"].timestamp() if state["changed_at"] else 0
    key = (
        f"comments:thread:v{THREAD_MARKUP_VERSION}:{post.pk}:{state['total']}:"
        f"{state['approved']}:{changed}:{settings.COMMENTS_THREAD_DEPTH}:{int(can_reply)}"
    )
    html = cache.get(key)
    if html is None:
        html = _render(thread_comments(post=post), can_reply).html
        cache.set(key, html, THREAD_CACHE_SECONDS)
    return RenderedThread(html=html, approved_count=state["approved"])


def _render(comments: list[Comment], can_reply: bool) -> RenderedThread:
    nodes = build_thread(comments)
    html = ""
    if nodes:
        html = render_to_string(
            "comments/_thread.html",
            {"nodes": nodes, "can_reply": can_reply, "list_class": "comment-list"},
        )
    approved = sum(comment.status == Comment.Status.APPROVED for comment in comments)
    return RenderedThread(html=html, approved_count=approved)
