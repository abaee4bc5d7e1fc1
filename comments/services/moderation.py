"""Every change of a comment's status, the moderators' and the automatic ones alike.

`MOVES` is the one table: for each move, the statuses it may start from, the status it
ends in, the line it adds to the comment's history and the report Akismet is owed.
`comment_transition` is the one function that applies a move; `comment_approve` and
friends are its names for the moderators. A new comment, moved by the pipeline before its
first save, is moved by the same table (`NewHistory`) and saved with all its history at
once (`comment_save_new`). A public page changes when a move starts or ends in
"approved": the move tells the page caches (comments.stamps); one that ends there owes
the replied-to comment's subscribers an email (comments.subscriptions).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from blog import likes

from .. import subscriptions
from ..events import event_record, events_record_history
from ..models import AkismetReport, Comment, CommentEvent
from ..stamps import comments_changed
from .feedback import report_owe

Status = Comment.Status
Kind = CommentEvent.Kind
Report = AkismetReport.Kind


class IllegalTransition(Exception):
    """A move that does not start from the comment's current status."""


@dataclass(frozen=True)
class Move:
    """One row of the table: from `starts` to `ends`, adding an `event` to the history."""

    name: str
    starts: frozenset[str]
    ends: str
    event: str
    # A moderator's move is an admin button and bulk action; the others are the pipeline's.
    by_moderator: bool = False
    label: str = ""
    done_message: str = ""
    # submit-spam or submit-ham, sent after the move commits (see feedback.report_owe).
    akismet_feedback: str | None = None
    # Deleted instead, right after the move, when COMMENTS_DROP_DISCARDED is on.
    droppable: bool = False
    # Offered only as the Undo of a moderator's move the other moves cannot take back
    # (spam or trash from Approved): never a button or a bulk action of its own.
    undo_only: bool = False
    # Offered only in the queue's Reported view (comments/admin_reports.py), for a
    # comment readers reported: never a button or a bulk action of the other tabs.
    reports_only: bool = False


HELD = frozenset({Status.PENDING})
PUBLIC = frozenset({Status.APPROVED})
HELD_OR_PUBLIC = HELD | PUBLIC
CAUGHT = frozenset({Status.SPAM})
TRASHED = frozenset({Status.TRASH})
ANY_BUT_TRASH = HELD_OR_PUBLIC | CAUGHT

MOVES: dict[str, Move] = {
    move.name: move
    for move in [
        # A moderator's, in the order of the admin's buttons.
        Move(
            "approve", HELD, Status.APPROVED, Kind.APPROVED,
            by_moderator=True, label="Approve", done_message="Approved",
        ),
        Move(
            "mark_spam", HELD_OR_PUBLIC, Status.SPAM, Kind.MARKED_SPAM,
            by_moderator=True, label="Mark as spam", done_message="Marked as spam",
            akismet_feedback=Report.SPAM,
        ),
        Move(
            "mark_ham", CAUGHT, Status.PENDING, Kind.MARKED_HAM,
            by_moderator=True, label="Not spam", done_message="Marked as not spam",
            akismet_feedback=Report.HAM,
        ),
        Move(
            "trash", ANY_BUT_TRASH, Status.TRASH, Kind.TRASHED,
            by_moderator=True, label="Move to trash", done_message="Moved to the trash",
        ),
        Move(
            "unapprove", PUBLIC, Status.PENDING, Kind.UNAPPROVED,
            by_moderator=True, label="Unapprove", done_message="Unapproved",
        ),
        Move(
            "restore", TRASHED, Status.PENDING, Kind.RESTORED,
            by_moderator=True, label="Restore from trash", done_message="Restored",
        ),
        # The Undos back to Approved; the ham report corrects a spam report already sent.
        Move(
            "unspam_to_approved", CAUGHT, Status.APPROVED, Kind.MARKED_HAM,
            by_moderator=True, undo_only=True, label="Not spam",
            done_message="Published again", akismet_feedback=Report.HAM,
        ),
        Move(
            "untrash_to_approved", TRASHED, Status.APPROVED, Kind.RESTORED,
            by_moderator=True, undo_only=True, label="Restore",
            done_message="Published again",
        ),
        # The pipeline's, for a new comment or a recheck of a held one.
        Move("honeypot", HELD, Status.SPAM, Kind.HONEYPOT),
        Move("rule_trash", HELD, Status.TRASH, Kind.RULE_TRASHED),
        Move("akismet_spam", HELD, Status.SPAM, Kind.CHECK_SPAM),
        Move("akismet_discard", HELD, Status.SPAM, Kind.CHECK_DISCARD, droppable=True),
        Move("auto_approve", HELD, Status.APPROVED, Kind.AUTO_APPROVED),
        # The author's edit within the window (comments/editing.py), checked as a new
        # comment is: the rules may trash it or take it back into the queue, Akismet may
        # call it spam; and the author's own delete.
        Move("edit_rule_trash", HELD_OR_PUBLIC, Status.TRASH, Kind.RULE_TRASHED),
        Move("edit_rule_hold", PUBLIC, Status.PENDING, Kind.RULE_HELD),
        Move("edit_spam", HELD_OR_PUBLIC, Status.SPAM, Kind.CHECK_SPAM),
        Move("author_delete", HELD_OR_PUBLIC, Status.TRASH, Kind.AUTHOR_DELETED),
        # Readers' reports (comments/reports.py): enough of them take a comment back into
        # the queue; the moderator's Keep, from the Reported view, publishes it again.
        Move("reports_hold", PUBLIC, Status.PENDING, Kind.REPORTS_HELD),
        Move(
            "reports_dismiss", HELD_OR_PUBLIC, Status.APPROVED, Kind.REPORTS_DISMISSED,
            by_moderator=True, reports_only=True, label="Keep",
            done_message="Reports dismissed, published",
        ),
        # Received webmentions (comments/webmentions.py): a source that answers 410 or no
        # longer links the post takes its mention down; one that links it again puts it
        # back in the queue.
        Move("webmention_gone", ANY_BUT_TRASH, Status.TRASH, Kind.WEBMENTION_GONE),
        Move("webmention_back", TRASHED, Status.PENDING, Kind.WEBMENTION_BACK),
        # A published one whose changed text Akismet calls spam waits for a moderator again.
        Move("webmention_spam_hold", PUBLIC, Status.PENDING, Kind.CHECK_SPAM_HELD),
    ]
}  # fmt: skip


def moderator_moves() -> dict[str, Move]:
    """The moves a moderator makes, by name: the admin's buttons and bulk actions."""
    return {
        name: move
        for name, move in MOVES.items()
        if move.by_moderator and not (move.undo_only or move.reports_only)
    }


def undo_moves() -> dict[str, Move]:
    """The moves offered only as an Undo, by name."""
    return {name: move for name, move in MOVES.items() if move.undo_only}


def comment_transition(
    *,
    comment: Comment,
    move: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    detail: str = "",
) -> Comment:
    """Apply `move` to `comment` and return it refreshed; its history gets one line.

    Raises IllegalTransition, changing nothing, unless the move starts from the
    comment's status as it is in the database now.
    """
    step = MOVES[move]
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status not in step.starts:
            raise IllegalTransition(
                f"Cannot {step.name.replace('_', ' ')} a comment that is "
                f"{locked.get_status_display().lower()}."
            )
        was_public = locked.status in PUBLIC
        locked.status = step.ends
        locked.save(update_fields=["status", "updated_at"])
        event_record(comment=locked, kind=step.event, actor=actor, detail=detail)
        if step.akismet_feedback:
            report_owe(comment=locked, kind=step.akismet_feedback)
        if was_public or step.ends in PUBLIC:
            comments_changed([locked.post_id])
            if locked.kind == Comment.Kind.WEBMENTION:
                # A like or repost counts in "N people like this" while it is public.
                likes.likes_recount(post_ids=[locked.post_id])
        if step.ends in PUBLIC and not was_public:
            subscriptions.reply_published_later(comment=locked)
    comment.refresh_from_db()
    return comment


@dataclass
class NewHistory:
    """The history a new comment gathers before its first save, and the moves that set
    its status: the pipeline's moves of the table, applied as `comment_transition` applies
    them to a saved comment, from "pending"."""

    comment: Comment
    lines: list[tuple[str, str, datetime]] = field(default_factory=list)

    def note(self, kind: str, detail: str = "", *, at: datetime | None = None) -> None:
        """A line that moves nothing."""
        self.lines.append((kind, detail, at or timezone.now()))

    def move(self, move: str, detail: str = "") -> Move:
        """Apply the pipeline's `move`; raises IllegalTransition as comment_transition does.
        A moderator's moves (and the Akismet reports they owe) are for saved comments."""
        step = MOVES[move]
        if step.by_moderator or self.comment.status not in step.starts:
            raise IllegalTransition(
                f"Cannot {step.name.replace('_', ' ')} a new comment that is "
                f"{self.comment.get_status_display().lower()}."
            )
        self.comment.status = step.ends
        self.note(step.event, detail)
        return step

    def has(self, kind: str) -> bool:
        return any(line_kind == kind for line_kind, _, _ in self.lines)


def comment_save_new(*, history: NewHistory) -> Comment:
    """Save a new comment with its whole history (two INSERTs); a public one renews its
    post's pages, as comment_transition would."""
    comment = history.comment
    with transaction.atomic(savepoint=False):
        comment.save()
        events_record_history(comment=comment, lines=history.lines)
        if comment.status in PUBLIC:
            comments_changed([comment.post_id])
            subscriptions.reply_published_later(comment=comment)
    return comment


def _named(move: str, doc: str):
    def service(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
        return comment_transition(comment=comment, move=move, actor=actor)

    service.__name__ = service.__qualname__ = f"comment_{move}"
    service.__doc__ = doc
    return service


comment_approve = _named("approve", "Publish a held comment.")
comment_unapprove = _named("unapprove", "Take a published comment back into the queue.")
comment_mark_spam = _named("mark_spam", "Mark as spam; submit-spam goes to Akismet after commit.")
comment_mark_ham = _named("mark_ham", "Back to the queue; submit-ham if Akismet had said spam.")
comment_trash = _named("trash", "Move to the trash: hidden, kept until deleted by hand.")
comment_restore = _named("restore", "Take a comment out of the trash, back into the queue.")
