"""The email to moderators about a held comment: enqueued with the comment, in its
transaction, sent by the task worker once to each moderator, retried with back-off when
the mail server fails, and given up after MAX_ATTEMPTS attempts. The comment's history
records each."""

import logging

from django.utils import timezone
from django.utils.module_loading import import_string

from core.tasks import enqueue_on_commit

from .. import notify
from ..events import event_record
from ..models import Comment, CommentEvent
from .pause import gives_up, retry_delay

logger = logging.getLogger(__name__)

Kind = CommentEvent.Kind
NOTIFY_TASK = "comments.tasks.moderators_notify_held"


def held_notify_later(*, comment: Comment) -> None:
    """Email moderators about `comment`, by the worker: enqueued in the transaction that
    saves the comment (the task is a row of the same database, which the worker sees
    only once the comment is there too), which spares a transaction of its own."""
    import_string(NOTIFY_TASK).enqueue(comment.pk)


def held_notify(*, comment_id: int) -> int:
    """Email each moderator not yet told that comment `comment_id` waits for them; the
    number of emails sent. Nothing once the comment is no longer pending or has gone.

    Each email sent is a line in the history, so a retry after a failure halfway
    through the recipients never emails anyone twice.
    """
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return 0
    told = set(comment.events.filter(kind=Kind.NOTIFIED).values_list("detail", flat=True))
    sent = 0
    for recipient in notify.moderator_recipients():
        detail = _notified_detail(recipient.email)
        if detail in told:
            continue
        try:
            notify.moderator_notify_held(comment=comment, recipient=recipient)
        except Exception as exc:  # Any mail failure: the rest waits for the retry.
            logger.exception("Could not email moderators about comment %s", comment_id)
            _notify_failed(comment, str(exc) or type(exc).__name__)
            return sent
        event_record(comment=comment, kind=Kind.NOTIFIED, detail=detail)
        sent += 1
    return sent


def _notified_detail(email: str) -> str:
    return f"To {email}"


def _notify_failed(comment: Comment, error: str) -> None:
    attempts = comment.events.filter(kind=Kind.NOTIFY_ERROR).count() + 1
    if gives_up(attempts):
        detail = f"{error} ({attempts} attempts)"
        event_record(comment=comment, kind=Kind.NOTIFY_FAILED, detail=detail[:500])
        return
    event_record(comment=comment, kind=Kind.NOTIFY_ERROR, detail=error[:500])
    run_after = timezone.now() + retry_delay(attempts)
    enqueue_on_commit(NOTIFY_TASK, comment.pk, run_after=run_after)
