"""Asking Akismet about comments: the parameters sent, the check, its verdict's move,
and the retries of a failed check: the worker's (a task enqueued for the end of the
back-off, given up after MAX_ATTEMPTS attempts) and the operator's `recheck_comments`.

A new comment is asked about before it is saved (`akismet_ask_new`, outside any
transaction), and saved with the answer (`akismet_answer_apply`); a saved one, on a
recheck, by `comment_check_spam`.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q, StringAgg, Subquery, Value
from django.utils import timezone
from django.utils.module_loading import import_string

from core.tasks import enqueue_on_commit

from .. import spam
from ..events import event_record
from ..models import AkismetAccount, Comment, CommentEvent
from .feedback import akismet_report_send, reports_due
from .moderation import MOVES, NewHistory, comment_transition
from .pause import (
    PAUSED,
    Scope,
    akismet_is_paused,
    akismet_pause,
    gives_up,
    pause_in_force,
    retry_delay,
)
from .stats import akismet_alert_record

logger = logging.getLogger(__name__)

Status = Comment.Status
Verdict = Comment.Verdict
Kind = CommentEvent.Kind

SpamCheckError = spam.SpamCheckError

# Named like a field a bot would gladly fill in; people never see it. Akismet is told
# its name, and the form's honeypot is this field.
HONEYPOT_FIELD = "fax_number"
# Between the post's tag names read in one string (new_check_reads): no name holds it.
TAG_SEPARATOR = "\x1f"

RECHECK_TASK = "comments.tasks.comment_recheck"
# How long a claimed comment is left alone by other runs, should this one die.
CLAIM = timedelta(minutes=5)

# The move Akismet's verdict makes on a held comment; "ham" leaves it held.
VERDICT_MOVES = {Verdict.SPAM: MOVES["akismet_spam"], Verdict.DISCARD: MOVES["akismet_discard"]}


class CheckOutcome(enum.Enum):
    ANSWERED = "answered"  # Akismet's verdict is recorded, and applied to a held comment.
    FAILED = "failed"  # No answer: the comment is marked for a later check.
    DROPPED = "dropped"  # Blatant spam, deleted because COMMENTS_DROP_DISCARDED is on.
    VANISHED = "vanished"  # The comment was deleted while Akismet answered.


@dataclass(frozen=True)
class SpamCheck:
    """What came of a check: `comment` as it is now (deleted, with no pk, if DROPPED)."""

    comment: Comment
    outcome: CheckOutcome


def spam_checking_is_on() -> bool:
    """Akismet checks run only when AKISMET_API_KEY is set."""
    return spam.is_enabled()


def akismet_key_is_valid(*, client: spam.Client | None = None) -> bool:
    """Ask Akismet about the configured key; raises SpamCheckError when unreachable."""
    return spam.verify_key(client=client)


def akismet_params(
    *, comment: Comment, user, honeypot: str = "", tags: list[str] | None = None
) -> dict:
    """Everything Akismet's comment-check asks for, kept to resend with feedback later.

    `honeypot` is what the visitor put in the hidden field: Akismet is told the field's
    name and its value. The post's tags are the comment's context (read from the post
    unless given).
    """
    post = comment.post
    params = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": settings.SITE_URL + post.get_absolute_url(),
        "comment_type": _comment_type(comment),
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": _gmt(comment.created_at),
        "comment_post_modified_gmt": _gmt(post.updated_at or post.published_at),
        "blog_lang": settings.SITE_LANGUAGE,
        "blog_charset": settings.DEFAULT_CHARSET,
        "honeypot_field_name": HONEYPOT_FIELD,
        HONEYPOT_FIELD: honeypot,
    }
    if tags is None:
        tags = [tag.name for tag in post.tags.all()]
    if tags:
        params["comment_context"] = sorted(tags)
    if user is not None and user.is_staff:
        params["user_role"] = "administrator"
    if settings.AKISMET_IS_TEST:
        params["is_test"] = True
    return params


def _comment_type(comment: Comment) -> str:
    if comment.kind == Comment.Kind.WEBMENTION:
        return "webmention"
    return "reply" if comment.parent_id else "comment"


def holds_on_spam(comment: Comment) -> bool:
    """Whether a spam verdict holds `comment` for a moderator instead of filing it as
    spam: webmentions, which Akismet often misjudges (their text is another site's)."""
    return comment.kind == Comment.Kind.WEBMENTION


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def comment_check_spam(
    *, comment: Comment, client: spam.Client | None = None, recheck_reason: str = ""
) -> SpamCheck:
    """Ask Akismet about `comment` and apply the verdict; a failure is recorded for retry.

    Only a pending comment changes status: a moderator's decision always wins.
    """
    params = dict(comment.akismet_params) or akismet_params(comment=comment, user=comment.user)
    if recheck_reason:
        params["recheck_reason"] = recheck_reason
    answer, error = _ask(params, client=client, about=f"comment {comment.pk}")

    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if locked is None:
            return SpamCheck(comment, CheckOutcome.VANISHED)
        if not locked.akismet_params:
            locked.akismet_params = {k: v for k, v in params.items() if k != "recheck_reason"}
        if answer.verdict == Verdict.ERROR:
            return SpamCheck(_check_failed(locked, error), CheckOutcome.FAILED)
        akismet_alert_record(code=answer.alert_code, message=answer.alert_message)
        return _verdict_apply(locked, answer.verdict, detail=_answer_detail(answer))


def _ask(params: dict, *, client: spam.Client | None, about: str) -> tuple[spam.Answer, str]:
    """Akismet's answer, or an ERROR one and why there is none: this never raises."""
    try:
        return spam.check(params, client=client), ""
    except Exception as exc:  # Anything at all: the comment stays held, marked for retry.
        if not isinstance(exc, spam.SpamCheckError):
            logger.exception("Unexpected failure checking %s", about)
        return spam.Answer(Verdict.ERROR), str(exc) or type(exc).__name__


def _answer_detail(answer: spam.Answer) -> str:
    """What Akismet's headers said, for the comment's history."""
    said = [
        ("Check id", answer.check_id),
        ("Pro tip", answer.pro_tip),
        ("Debug help", answer.debug_help),
        ("Alert", " ".join(filter(None, [answer.alert_code, answer.alert_message]))),
    ]
    return "\n".join(f"{label}: {value}" for label, value in said if value)[:2000]


def comment_check_new(*, comment: Comment, client: spam.Client | None = None) -> SpamCheck:
    """Ask Akismet about a new comment, unless it failed moments ago: then the comment
    is held for a recheck straight away, so that during an outage visitors do not
    each wait out the timeout, and a burst of comments does not tie up every worker."""
    if akismet_is_paused(scope=Scope.CHECKS):
        with transaction.atomic():
            return SpamCheck(_check_failed(comment, PAUSED), CheckOutcome.FAILED)
    check = comment_check_spam(comment=comment, client=client)
    if check.outcome is CheckOutcome.FAILED:
        akismet_pause(scope=Scope.CHECKS)
    return check


def _check_failed(comment: Comment, error: str) -> Comment:
    """Record a failed check and enqueue the recheck for the end of the back-off; after
    MAX_ATTEMPTS attempts, give up: the comment waits for a moderator, unchecked."""
    event = _failure_mark(comment, error)
    if comment.akismet_next_attempt_at is not None:
        run_after = comment.akismet_next_attempt_at
        enqueue_on_commit(RECHECK_TASK, comment.pk, run_after=run_after)
    comment.save()
    event_record(comment=comment, kind=event, detail=error[:500])
    return comment


def _failure_mark(comment: Comment, error: str) -> str:
    """Mark a failed check on `comment` (the save is the caller's), with its next attempt
    at the end of the back-off, or none once it gives up; the history line's kind."""
    comment.akismet_verdict = Verdict.ERROR
    comment.akismet_attempts += 1
    comment.akismet_last_error = error[:2000]
    if gives_up(comment.akismet_attempts):
        comment.akismet_next_attempt_at = None
        return Kind.CHECK_FAILED
    comment.akismet_next_attempt_at = timezone.now() + retry_delay(comment.akismet_attempts)
    return Kind.CHECK_ERROR


def new_check_reads(*, comment: Comment) -> dict:
    """What asking about a new comment needs from the database, as expressions for the
    one query of its checks: the post's tags (its context, in one string: split them
    with `tags_read`), whether Akismet is paused, the account's alert as kept now, and
    whether the author is known (an earlier approved comment with the same name and
    email), when known authors are approved automatically."""
    # One row: the names of the post's tags, grouped by the post.
    items = comment.post.tags.through
    of_post = items.lookup_kwargs(comment.post)
    tags = (
        items.objects.filter(**of_post)
        .order_by()
        .values(*of_post)
        .annotate(names=StringAgg("tag__name", Value(TAG_SEPARATOR)))
        .values("names")
    )
    account = AkismetAccount.objects.filter(pk=1)
    known = Value(False)
    if settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS:
        approved = Comment.objects.approved()
        known = Exists(approved.by_same_author(comment.author_name, comment.author_email))
    return {
        "tag_names": Subquery(tags),
        "akismet_paused": Exists(pause_in_force(scope=Scope.CHECKS)),
        "alert_code": Subquery(account.values("alert_code")),
        "alert_message": Subquery(account.values("alert_message")),
        "known_author": known,
    }


def tags_read(names: str | None) -> list[str]:
    """The post's tag names from new_check_reads' string, sorted."""
    return sorted(names.split(TAG_SEPARATOR)) if names else []


@dataclass(frozen=True)
class NewCheck:
    """What Akismet said about a comment not yet saved, or why it said nothing."""

    answer: spam.Answer  # Verdict.ERROR when there is no answer
    error: str = ""  # Why there is none: Akismet failed, or was not asked
    asked: bool = True  # False while paused after a failure moments ago

    @property
    def failed(self) -> bool:
        return self.answer.verdict == Verdict.ERROR


def akismet_ask_new(*, params: dict, paused: bool, client: spam.Client | None = None) -> NewCheck:
    """Ask Akismet about a new comment before it is saved, outside any transaction, so a
    slow answer never holds the database's write lock (it waits AKISMET_TIMEOUT at most).
    Not asked while `paused` (it failed moments ago): during an outage visitors do not
    each wait out the timeout, and a burst of comments does not tie up every worker."""
    if paused:
        return NewCheck(spam.Answer(Verdict.ERROR), PAUSED, asked=False)
    answer, error = _ask(params, client=client, about="a new comment")
    return NewCheck(answer, error)


def akismet_answer_apply(*, history: NewHistory, check: NewCheck, known_author: bool) -> bool:
    """Mark the new comment with Akismet's verdict, and move it by the table as
    `comment_check_spam` would a saved one; or mark the failed check for a recheck. False
    when the comment is blatant spam to drop (COMMENTS_DROP_DISCARDED) rather than save."""
    comment = history.comment
    if check.failed:
        history.note(_failure_mark(comment, check.error), check.error[:500])
        return True
    verdict, detail = check.answer.verdict, _answer_detail(check.answer)
    comment.akismet_verdict = verdict
    comment.akismet_checked_at = timezone.now()
    move = VERDICT_MOVES.get(verdict)
    if move is not None and holds_on_spam(comment):
        history.note(Kind.CHECK_SPAM_HELD, detail)
        return True
    if move is not None:
        history.move(move.name, detail)
        return not (move.droppable and settings.COMMENTS_DROP_DISCARDED)
    history.note(Kind.CHECK_HAM, detail)
    # A comment a discussion rule held waits for a moderator, as in WordPress.
    held_by_rule = history.has(Kind.RULE_HELD)
    if known_author and settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS and not held_by_rule:
        history.move("auto_approve")
    return True


EDIT_RECHECK_REASON = "edit"


def akismet_ask_edit(*, params: dict, client: spam.Client | None = None) -> NewCheck | None:
    """Ask Akismet about a comment its author edited (`params` with the new text), with
    recheck_reason=edit, outside any transaction; None when spam checking is off."""
    if not spam_checking_is_on():
        return None
    params = {**params, "recheck_reason": EDIT_RECHECK_REASON}
    paused = akismet_is_paused(scope=Scope.CHECKS)
    check = akismet_ask_new(params=params, paused=paused, client=client)
    if check.failed and check.asked:
        akismet_pause(scope=Scope.CHECKS)
    return check


def akismet_edit_answer_apply(*, comment: Comment, check: NewCheck) -> Comment:
    """Apply Akismet's answer about an edit to `comment`, locked in the edit's
    transaction: spam (blatant or not) moves it to spam, approved or held ("edit_spam");
    ham leaves it where it is. A failed check leaves an approved comment up and marks a
    held one for a recheck, as a new comment's failure does."""
    if check.failed:
        if comment.status == Status.PENDING:
            _check_failed(comment, check.error)
        else:
            logger.warning("Edit of comment %s not checked: %s", comment.pk, check.error)
        return comment
    verdict, detail = check.answer.verdict, _answer_detail(check.answer)
    comment.akismet_verdict = verdict
    comment.akismet_checked_at = timezone.now()
    comment.save(update_fields=["akismet_verdict", "akismet_checked_at", "updated_at"])
    if verdict in VERDICT_MOVES:
        return comment_transition(comment=comment, move="edit_spam", detail=detail)
    event_record(comment=comment, kind=Kind.CHECK_HAM, detail=detail)
    return comment


def akismet_check_webmention_update(
    *, comment: Comment, client: spam.Client | None = None
) -> Comment:
    """Ask Akismet about a webmention whose source changed (recheck_reason=edit), outside
    any transaction: a spam verdict takes a published one back into the queue
    ("webmention_spam_hold") and is noted on a held one, as for a new webmention; a failed
    check, or spam checking off, changes nothing."""
    params = akismet_params(comment=comment, user=None)
    check = akismet_ask_edit(params=params, client=client)
    if check is None or check.failed:
        return comment
    verdict, detail = check.answer.verdict, _answer_detail(check.answer)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        locked.akismet_verdict = verdict
        locked.akismet_checked_at = timezone.now()
        locked.akismet_params = params
        locked.save(update_fields=["akismet_verdict", "akismet_checked_at", "akismet_params"])
        if verdict not in VERDICT_MOVES:
            event_record(comment=locked, kind=Kind.CHECK_HAM, detail=detail)
        elif locked.status == Status.APPROVED:
            return comment_transition(comment=locked, move="webmention_spam_hold", detail=detail)
        else:
            event_record(comment=locked, kind=Kind.CHECK_SPAM_HELD, detail=detail)
    return locked


def akismet_answer_follow_up(*, comment: Comment, check: NewCheck, alert: tuple[str, str]) -> None:
    """What a new comment's check leaves behind, in the transaction that saves it: after
    a failure, the recheck (enqueued in the same transaction, which the worker sees only
    once it commits) and the pause for everyone; after an answer, the account's alert, if
    it changed from `alert` (the code and message kept now)."""
    if not check.failed:
        said = (check.answer.alert_code, check.answer.alert_message)
        if said != alert:
            akismet_alert_record(code=said[0], message=said[1])
        return
    if comment.pk and comment.akismet_next_attempt_at is not None:
        run_after = comment.akismet_next_attempt_at
        import_string(RECHECK_TASK).using(run_after=run_after).enqueue(comment.pk)
    if check.asked:
        akismet_pause(scope=Scope.CHECKS)


def comment_recheck(*, comment_id: int, client: spam.Client | None = None) -> SpamCheck | None:
    """The worker's retry of a failed check, once its back-off is over; None when there
    is nothing to do: the comment was answered, moderated or deleted since, or its next
    attempt is later (each failure enqueues the task again for that time). While Akismet
    is paused after another failure, it waits again, as a new comment would."""
    now = timezone.now()
    comment = comments_due_for_check(now=now).filter(pk=comment_id).first()
    if comment is None:
        return None
    # Claim it: an overlapping run (recheck_comments) sees the new time and leaves it alone.
    claimed = Comment.objects.filter(
        pk=comment.pk, akismet_next_attempt_at=comment.akismet_next_attempt_at
    ).update(akismet_next_attempt_at=now + CLAIM)
    if not claimed:
        return None
    return comment_check_new(comment=comment, client=client)


def _verdict_apply(comment: Comment, verdict: str, *, detail: str) -> SpamCheck:
    comment.akismet_verdict = verdict
    comment.akismet_checked_at = timezone.now()
    comment.akismet_next_attempt_at = None
    comment.akismet_last_error = ""
    comment.save()
    held = comment.status == Status.PENDING
    move = VERDICT_MOVES.get(verdict)
    if held and move is not None and holds_on_spam(comment):
        event_record(comment=comment, kind=Kind.CHECK_SPAM_HELD, detail=detail)
        return SpamCheck(comment, CheckOutcome.ANSWERED)
    if held and move is not None:
        comment = comment_transition(comment=comment, move=move.name, detail=detail)
        if move.droppable and settings.COMMENTS_DROP_DISCARDED:
            logger.info("Dropping blatant spam comment %s", comment.pk)
            comment.delete()
            return SpamCheck(comment, CheckOutcome.DROPPED)
        return SpamCheck(comment, CheckOutcome.ANSWERED)
    # A verdict on a comment a moderator has decided on is noted, and changes nothing.
    event_record(comment=comment, kind=move.event if move else Kind.CHECK_HAM, detail=detail)
    if held and _is_known_author(comment):
        comment = comment_transition(comment=comment, move="auto_approve")
    return SpamCheck(comment, CheckOutcome.ANSWERED)


def _is_known_author(comment: Comment) -> bool:
    if not settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS:
        return False
    # A comment a discussion rule held waits for a moderator, as in WordPress.
    if comment.events.filter(kind=Kind.RULE_HELD).exists():
        return False
    earlier = Comment.objects.approved().by_same_author(comment.author_name, comment.author_email)
    return earlier.exclude(pk=comment.pk).exists()


def comments_due_for_check(*, now: datetime | None = None):
    """Pending comments Akismet has not answered for whose next attempt is due."""
    now = now or timezone.now()
    return Comment.objects.awaiting_spam_check().filter(
        Q(akismet_next_attempt_at__isnull=True) | Q(akismet_next_attempt_at__lte=now)
    )


def akismet_recheck_due(
    *, limit: int = 50, given_up: bool = True, client: spam.Client | None = None
) -> dict:
    """Retry due spam checks and owed reports, at most `limit` of each: operators run
    this as `recheck_comments`, and the worker's hourly upkeep with `given_up=False`,
    which leaves alone the checks that gave up (they wait for a moderator).

    After the first failed check the rest of the batch waits for the next run.
    """
    summary = {"checked": 0, "failed": 0, "reported": 0, "report_failed": 0, "skipped": 0}
    due = comments_due_for_check()
    if not given_up:
        due = due.exclude(akismet_verdict=Verdict.ERROR, akismet_next_attempt_at=None)
    due = due.order_by("akismet_next_attempt_at", "pk")[:limit]
    for comment in due:
        if summary["failed"]:
            summary["skipped"] += 1
            continue
        # Claim it: an overlapping run sees the new time and leaves it alone.
        claimed = Comment.objects.filter(
            pk=comment.pk, akismet_next_attempt_at=comment.akismet_next_attempt_at
        ).update(akismet_next_attempt_at=timezone.now() + CLAIM)
        if claimed:
            _count(summary, comment_check_spam(comment=comment, client=client))
    for report in reports_due().select_related("comment").order_by("pk")[:limit]:
        if summary["report_failed"]:
            summary["skipped"] += 1
        elif akismet_report_send(report=report, client=client):
            summary["reported"] += 1
        else:
            summary["report_failed"] += 1
    return summary


def comments_check_again(*, comments, client: spam.Client | None = None) -> dict:
    """A moderator's "Check again with Akismet"; stops at the first failure."""
    summary = {"checked": 0, "failed": 0, "skipped": 0}
    for comment in comments:
        if summary["failed"]:
            summary["skipped"] += 1
            continue
        check = comment_check_spam(comment=comment, client=client, recheck_reason="recheck_queue")
        _count(summary, check)
    return summary


def _count(summary: dict, check: SpamCheck) -> None:
    summary["failed" if check.outcome is CheckOutcome.FAILED else "checked"] += 1
