"""A moderator's reply from the queue, published at once as WordPress's quick reply is.

The reply skips the visitors' pipeline (rate limit, flood control, honeypot, Akismet):
it comes from a signed-in moderator, whom WordPress trusts in the same way. Replying to a
held comment approves it first, through the table in moderation.py, since a reply to a
comment readers cannot see would hang in the thread with nothing above it.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .. import subscriptions
from ..events import event_record
from ..models import Comment, CommentEvent
from ..stamps import comments_changed
from .moderation import IllegalTransition, comment_transition

Status = Comment.Status
Kind = CommentEvent.Kind


def comment_reply_by_moderator(
    *, parent: Comment, moderator: AbstractBaseUser, body: str
) -> Comment:
    """Publish `moderator`'s reply to `parent` and return it, approving `parent` first
    when it is pending. Raises IllegalTransition for a parent in spam or the trash."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=parent.pk)
        if locked.status == Status.PENDING:
            comment_transition(comment=parent, move="approve", actor=moderator)
        elif locked.status != Status.APPROVED:
            raise IllegalTransition(
                f"Cannot reply to a comment that is {locked.get_status_display().lower()}."
            )
        reply = Comment.objects.create(
            post_id=locked.post_id,
            parent=locked,
            user=moderator,
            author_name=moderator.get_full_name() or moderator.get_username(),
            author_email=moderator.email,
            body=body,
            status=Status.APPROVED,
        )
        event_record(
            comment=reply, kind=Kind.SUBMITTED, actor=moderator, detail="Reply from the queue"
        )
        event_record(comment=reply, kind=Kind.APPROVED, actor=moderator)
        comments_changed([reply.post_id])
        subscriptions.reply_published_later(comment=reply)
    parent.refresh_from_db()
    return reply
