"""Comments brought in from the system a site moves from (a WordPress or Disqus export).

They were moderated there already, so they keep the status they had: no Akismet check
(a check now would judge years-old comments by today's patterns, and count against the
key's usage), no email to moderators, and one line of history saying where they came
from. The retention rules then treat them as any other comment of their age: the
purges erase an old comment's IP address on their next run.

A post's comments are saved together (ImportBatch): a blog moving in brings tens of
thousands, and one INSERT per generation of replies, rather than three per comment,
is what lets a large export import in minutes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from blog.models import Post

from ..events import events_record_each
from ..models import Comment, CommentEvent
from ..stamps import comments_changed


@dataclass(frozen=True)
class ImportedComment:
    """A comment as the other system kept it, already mapped to this site's statuses."""

    author_name: str
    author_email: str
    author_url: str
    ip_address: str | None
    body: str
    status: str
    kind: str
    created_at: datetime


def parent_within_depth(
    ancestors: list[Comment], *, max_depth: int | None = None
) -> Comment | None:
    """The comment a reply hangs under, given the chain it answers (the thread's first
    comment first, the one it replies to last): that one, or, for a reply deeper than
    the site's depth limit, its deepest ancestor still allowed to take replies. So a long
    chain keeps its order under the limit, as WordPress shows it."""
    if not ancestors:
        return None
    max_depth = max(1, max_depth or settings.COMMENTS_THREAD_DEPTH)
    # The reply sits one level below the comment it hangs under, at most at max_depth.
    allowed_parent_depth = min(len(ancestors), max_depth - 1)
    return ancestors[allowed_parent_depth - 1] if allowed_parent_depth else None


class ImportBatch:
    """The imported comments of one post, saved together by `save()`."""

    def __init__(self, post: Post):
        self.post = post
        self.comments: list[tuple[Comment, str]] = []

    def add(self, comment: ImportedComment, *, parent: Comment | None, source: str) -> Comment:
        """The comment to be saved, with one history line naming `source` ("WordPress,
        comment 12 of https://example.blog/"); a later one may reply to it."""
        author_url = comment.author_url
        # The thread links an author's name only to a web address; anything else is dropped.
        if not author_url.lower().startswith(("http://", "https://")):
            author_url = ""
        unsaved = Comment(
            post=self.post,
            parent=parent,
            author_name=comment.author_name[: Comment.AUTHOR_NAME_MAX],
            author_email=comment.author_email[: Comment.AUTHOR_EMAIL_MAX],
            author_url=author_url[: Comment.AUTHOR_URL_MAX],
            ip_address=comment.ip_address,
            body=comment.body[: Comment.BODY_MAX],
            status=comment.status,
            kind=comment.kind,
            created_at=comment.created_at,
        )
        # What Comment.save() does, as bulk_create does not call it.
        unsaved.remove_control_characters()
        unsaved.render_html()
        self.comments.append((unsaved, source))
        return unsaved

    def save(self) -> list[Comment]:
        """Save every comment added, a generation of replies at a time (a reply needs its
        parent's id), and their history; the comments, saved."""
        waiting = [comment for comment, _ in self.comments]
        with transaction.atomic():
            while waiting:
                ready = [c for c in waiting if c.parent is None or c.parent.pk is not None]
                if not ready:
                    raise ValueError("These comments reply to comments that are not saved.")
                # On SQLite and PostgreSQL, bulk_create gives each comment its id.
                Comment.objects.bulk_create(ready)
                waiting = [comment for comment in waiting if comment.pk is None]
            events_record_each(
                details=[(comment, f"Imported from {source}") for comment, source in self.comments],
                kind=CommentEvent.Kind.IMPORTED,
            )
            if any(comment.status == Comment.Status.APPROVED for comment, _ in self.comments):
                comments_changed([self.post.pk])
        saved = [comment for comment, _ in self.comments]
        for comment in saved:
            comment.status_when_loaded = comment.status
        self.comments = []
        return saved


def comment_import(
    *, post: Post, parent: Comment | None, comment: ImportedComment, source: str
) -> Comment:
    """Save one imported comment on `post` as it was (see ImportBatch)."""
    batch = ImportBatch(post)
    saved = batch.add(comment, parent=parent, source=source)
    batch.save()
    return saved
