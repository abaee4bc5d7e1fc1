"""Builds a post's reply tree from one query, for the thread on the post page."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from blog.models import Post

from .models import Comment


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
            "body",
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
