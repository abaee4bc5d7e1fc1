"""The comment pipeline and the moderators' transitions.

`comment_submit` takes a visitor's validated input through anti-abuse checks, saves it
as pending (after which nothing can be lost), asks Akismet, applies the verdict and
notifies moderators. Every moderator action is one function here, used alike by the
admin, the views and the management commands. Each step writes a `CommentEvent`.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from blog.models import Post
from core.markup import without_control_characters
from core.request_info import RequestInfo

from . import closing, locks, notify, ratelimit, spam
from .models import AkismetReport, Comment, CommentEvent

logger = logging.getLogger(__name__)

Status = Comment.Status
Verdict = Comment.Verdict
Kind = CommentEvent.Kind

# Named like a field a bot would gladly fill in; people never see it.
HONEYPOT_FIELD = "fax_number"

# The moves a moderator may make: action -> (statuses it starts from, status it ends in).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({Status.PENDING}), Status.APPROVED),
    "unapprove": (frozenset({Status.APPROVED}), Status.PENDING),
    "mark_spam": (frozenset({Status.PENDING, Status.APPROVED}), Status.SPAM),
    "mark_ham": (frozenset({Status.SPAM}), Status.PENDING),
    "trash": (frozenset({Status.PENDING, Status.APPROVED, Status.SPAM}), Status.TRASH),
    "restore": (frozenset({Status.TRASH}), Status.PENDING),
}

# After a check of a new comment fails, new comments within this many seconds are held
# for a later check without asking Akismet (see _check_unless_akismet_just_failed).
CHECK_PAUSE_SECONDS = 30
CHECK_PAUSE_CACHE_KEY = "comments:akismet-check-paused"
AKISMET_PAUSED = "Not sent: Akismet failed moments ago. It will be asked again."

# After a report fails, reports sent within this many seconds wait for the next run
# instead, so a bulk action does not wait out one Akismet timeout per comment.
REPORT_PAUSE_SECONDS = 30


class CommentRefused(Exception):
    """The submission breaks a rule; `message` is shown to the visitor with their text."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class IllegalTransition(Exception):
    """A moderator action that does not apply to the comment's current status."""


# Submission
# ----------------------------------------------------------------------------------------


def comments_are_open(*, post: Post) -> bool:
    """Open unless the editor closed them or the post is older than COMMENTS_CLOSE_AFTER_DAYS."""
    if not post.comments_open or not post.is_published:
        return False
    return not closing.closes_by_age(post=post, now=timezone.now())


def comment_submit(
    *,
    post: Post,
    data: Mapping,
    request_meta: Mapping[str, str],
    user: AbstractBaseUser | AnonymousUser | None = None,
    client: spam.Client | None = None,
) -> Comment:
    """Run a visitor's comment through the pipeline and return it as saved.

    `data` is the form's cleaned data: author_name, author_email, author_url, body,
    parent (a primary key or None) and the honeypot. Raises `CommentRefused` for a rule
    the visitor broke; after the comment is saved no failure can lose it.
    """
    user = user if user is not None and user.is_authenticated else None
    info = RequestInfo.from_meta(request_meta)
    # Counted before the comment's transaction, so a submission refused by a later rule
    # still counts: that transaction's rollback would undo it.
    exempt = user is not None and user.is_staff
    if not exempt and not ratelimit.submission_allowed(ip_address=info.ip_address):
        raise CommentRefused(ratelimit.refusal_message(), code="rate")
    data = _without_control_characters(data)
    # One transaction, so a comment is never stored without its history.
    with transaction.atomic():
        # Two copies sent at once (a double click) must not both pass the checks below.
        locks.wait_for_writers_of(f"email:{data['author_email'].lower()}", f"ip:{info.ip_address}")
        parent = _validate_submission(post=post, data=data, info=info, user=user)
        comment = _comment_create(post=post, parent=parent, data=data, info=info, user=user)
    # Akismet is asked outside the transaction that saved the comment, so a slow
    # answer never holds the database's write lock.
    if comment.status == Status.PENDING and spam.is_enabled():
        try:
            comment = _check_unless_akismet_just_failed(comment, client=client)
        except DatabaseError:
            # The comment is saved and stays pending and unchecked: recheck_comments
            # asks Akismet again. The visitor is told it awaits moderation, as it does.
            logger.exception("Could not record Akismet's verdict on comment %s", comment.pk)
    if comment.pk and comment.status == Status.PENDING:
        transaction.on_commit(partial(_notify_held, comment.pk), robust=True)
    return comment


def _without_control_characters(data: Mapping) -> dict:
    cleaned = dict(data)
    name = without_control_characters(str(data.get("author_name") or ""))
    cleaned["author_name"] = " ".join(name.split())
    cleaned["author_url"] = without_control_characters(str(data.get("author_url") or ""))
    cleaned["body"] = without_control_characters(str(data.get("body") or "")).strip()
    if not cleaned["author_name"]:
        raise CommentRefused("Please type your name.", code="required")
    if not cleaned["body"]:
        raise CommentRefused("Please type your comment.", code="required")
    return cleaned


def _validate_submission(*, post, data, info, user) -> Comment | None:
    if not comments_are_open(post=post):
        raise CommentRefused("Comments are closed on this post.", code="closed")
    parent = None
    if data.get("parent"):
        parent = Comment.objects.reply_targets(post).filter(pk=data["parent"]).first()
        if parent is None:
            raise CommentRefused(
                "The comment you are replying to is not available. "
                "Your comment can be posted on its own.",
                code="parent",
            )
    # Before flood control: a double submit hears that its comment was already taken.
    duplicate = (
        Comment.objects.exclude(status=Status.TRASH)
        .filter(
            post=post,
            parent=parent,
            author_name=data["author_name"],
            author_email__iexact=data["author_email"],
            body=data["body"],
        )
        .exists()
    )
    if duplicate:
        raise CommentRefused(
            "Duplicate comment detected; it looks as though you’ve already said that!",
            code="duplicate",
        )
    if not (user and user.is_staff) and settings.COMMENTS_FLOOD_SECONDS:
        since = timezone.now() - timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS)
        same_sender = Q(author_email__iexact=data["author_email"])
        if info.ip_address:
            same_sender |= Q(ip_address=info.ip_address)
        if Comment.objects.filter(same_sender, created_at__gte=since).exists():
            raise CommentRefused(
                "You are posting comments too quickly. Please wait a moment and try again.",
                code="flood",
            )
    return parent


def _comment_create(*, post, parent, data, info, user) -> Comment:
    comment = Comment(
        post=post,
        parent=parent,
        author_name=data["author_name"],
        author_email=data["author_email"],
        author_url=data.get("author_url") or "",
        body=data["body"],
        user=user,
        ip_address=info.ip_address,
        user_agent=info.user_agent,
        referrer=info.referrer,
        created_at=timezone.now(),
    )
    comment.akismet_params = _akismet_params(comment=comment, user=user)
    honeypot_filled = bool(data.get(HONEYPOT_FIELD))
    if honeypot_filled:
        comment.status = Status.SPAM
    comment.save()
    _record(comment, Kind.SUBMITTED, detail=f"From {info.ip_address or 'an unknown address'}")
    if honeypot_filled:
        _record(comment, Kind.HONEYPOT)
    elif not spam.is_enabled():
        _record(comment, Kind.CHECK_SKIPPED)
    return comment


def _akismet_params(*, comment: Comment, user) -> dict:
    """Everything Akismet's comment-check asks for, kept to resend with feedback later."""
    post = comment.post
    params = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": settings.SITE_URL + post.get_absolute_url(),
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": _gmt(comment.created_at),
        "comment_post_modified_gmt": _gmt(post.updated_at or post.published_at),
        "blog_lang": settings.SITE_LANGUAGE,
        "blog_charset": settings.DEFAULT_CHARSET,
        "honeypot_field_name": HONEYPOT_FIELD,
    }
    if user is not None and user.is_staff:
        params["user_role"] = "administrator"
    if settings.AKISMET_IS_TEST:
        params["is_test"] = True
    return params


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _notify_held(comment_id: int) -> None:
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != Status.PENDING:
        return
    try:
        sent = notify.moderators_notify_held(comment=comment)
    except Exception:  # The comment is safe; a mail outage must not turn into a 500.
        logger.exception("Could not email moderators about comment %s", comment_id)
        return
    if sent:
        _record(comment, Kind.NOTIFIED)


# Akismet
# ----------------------------------------------------------------------------------------


SpamCheckError = spam.SpamCheckError


def spam_checking_is_on() -> bool:
    """Akismet checks run only when AKISMET_API_KEY is set."""
    return spam.is_enabled()


def akismet_key_is_valid(*, client: spam.Client | None = None) -> bool:
    """Ask Akismet about the configured key; raises SpamCheckError when unreachable."""
    return spam.verify_key(client=client)


def retry_delay(attempts: int) -> timedelta:
    """Back-off after `attempts` failures: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def comment_check_spam(
    *, comment: Comment, client: spam.Client | None = None, recheck_reason: str = ""
) -> Comment:
    """Ask Akismet about `comment` and apply the verdict; a failure is recorded for retry.

    Only a pending comment changes status: a moderator's decision always wins.
    """
    params = dict(comment.akismet_params) or _akismet_params(comment=comment, user=comment.user)
    if recheck_reason:
        params["recheck_reason"] = recheck_reason
    try:
        verdict, error = spam.check(params, client=client), ""
    except Exception as exc:  # Anything at all: the comment stays held, marked for retry.
        if not isinstance(exc, spam.SpamCheckError):
            logger.exception("Unexpected failure checking comment %s", comment.pk)
        verdict, error = Verdict.ERROR, str(exc) or type(exc).__name__

    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if comment is None:
            return Comment()
        if not comment.akismet_params:
            comment.akismet_params = {k: v for k, v in params.items() if k != "recheck_reason"}
        if verdict == Verdict.ERROR:
            return _record_check_error(comment, error)
        return _apply_verdict(comment, verdict)


def _check_unless_akismet_just_failed(comment: Comment, *, client) -> Comment:
    """Ask Akismet about a new comment, unless it failed moments ago: then the comment
    is held for recheck_comments straight away, so that during an outage visitors do not
    each wait out the timeout, and a burst of comments does not tie up every worker."""
    if cache.get(CHECK_PAUSE_CACHE_KEY):
        with transaction.atomic():
            return _record_check_error(comment, AKISMET_PAUSED)
    comment = comment_check_spam(comment=comment, client=client)
    if comment.akismet_verdict == Verdict.ERROR:
        cache.set(CHECK_PAUSE_CACHE_KEY, True, CHECK_PAUSE_SECONDS)
    return comment


def _record_check_error(comment: Comment, error: str) -> Comment:
    comment.akismet_verdict = Verdict.ERROR
    comment.akismet_attempts += 1
    comment.akismet_next_attempt_at = timezone.now() + retry_delay(comment.akismet_attempts)
    comment.akismet_last_error = error[:2000]
    comment.save()
    _record(comment, Kind.CHECK_ERROR, detail=error[:500])
    return comment


def _apply_verdict(comment: Comment, verdict: str) -> Comment:
    comment.akismet_verdict = verdict
    comment.akismet_checked_at = timezone.now()
    comment.akismet_next_attempt_at = None
    comment.akismet_last_error = ""
    held = comment.status == Status.PENDING
    kind = {
        Verdict.HAM: Kind.CHECK_HAM,
        Verdict.SPAM: Kind.CHECK_SPAM,
        Verdict.DISCARD: Kind.CHECK_DISCARD,
    }[verdict]
    if held and verdict in (Verdict.SPAM, Verdict.DISCARD):
        comment.status = Status.SPAM
    comment.save()
    _record(comment, kind)
    if held and verdict == Verdict.DISCARD and settings.COMMENTS_DROP_DISCARDED:
        logger.info("Dropping blatant spam comment %s", comment.pk)
        comment.delete()
        return comment
    if held and verdict == Verdict.HAM and _is_known_author(comment):
        comment.status = Status.APPROVED
        comment.save()
        _record(comment, Kind.AUTO_APPROVED)
    return comment


def _is_known_author(comment: Comment) -> bool:
    if not settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS:
        return False
    earlier = Comment.objects.approved().by_author(comment.author_email).exclude(pk=comment.pk)
    return earlier.filter(author_name=comment.author_name).exists()


def akismet_report_send(
    *, report: AkismetReport, client: spam.Client | None = None, after_commit: bool = False
) -> bool:
    """Send an owed submit-spam/submit-ham once; on failure schedule a retry. True if sent.

    `after_commit` sends come from a moderator's request: they skip Akismet for a
    moment after another report failed, leaving the retry to `recheck_comments`.
    """
    now = timezone.now()
    # Claim the report, so two overlapping runs (cron, a moderator) never both send it.
    claimed = AkismetReport.objects.filter(
        pk=report.pk, sent_at__isnull=True, next_attempt_at=report.next_attempt_at
    ).update(next_attempt_at=now + timedelta(minutes=5))
    if not claimed:
        return False
    comment = report.comment
    recently_failed = (
        after_commit
        and CommentEvent.objects.filter(
            kind=Kind.REPORT_ERROR,
            created_at__gte=now - timedelta(seconds=REPORT_PAUSE_SECONDS),
        ).exists()
    )
    try:
        if recently_failed:
            raise spam.SpamCheckError("Akismet failed moments ago; not tried now.")
        spam.submit(report.kind, report.params, client=client)
    except Exception as exc:
        if not isinstance(exc, spam.SpamCheckError):
            logger.exception("Unexpected failure reporting comment %s", comment.pk)
        report.attempts += 0 if recently_failed else 1
        report.last_error = (str(exc) or type(exc).__name__)[:2000]
        report.next_attempt_at = now + retry_delay(max(report.attempts, 1))
        report.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        _record(comment, Kind.REPORT_ERROR, detail=f"{report.get_kind_display()}: {exc}"[:500])
        return False
    report.sent_at = timezone.now()
    report.attempts += 1
    report.last_error = ""
    report.next_attempt_at = None
    report.save(update_fields=["sent_at", "attempts", "last_error", "next_attempt_at"])
    kind = Kind.REPORTED_SPAM if report.kind == AkismetReport.Kind.SPAM else Kind.REPORTED_HAM
    _record(comment, kind)
    return True


def _send_report_after_commit(report_id: int) -> None:
    report = AkismetReport.objects.select_related("comment").filter(pk=report_id).first()
    if report is not None and report.sent_at is None:
        akismet_report_send(report=report, after_commit=True)


def _owe_report(comment: Comment, kind: str) -> None:
    if not (spam.is_enabled() and comment.akismet_params):
        return
    report = AkismetReport.objects.create(comment=comment, kind=kind, params=comment.akismet_params)
    transaction.on_commit(partial(_send_report_after_commit, report.pk))


def comments_due_for_check(*, now: datetime | None = None):
    """Pending comments Akismet has not answered for whose next attempt is due."""
    now = now or timezone.now()
    return Comment.objects.awaiting_spam_check().filter(
        Q(akismet_next_attempt_at__isnull=True) | Q(akismet_next_attempt_at__lte=now)
    )


def reports_due(*, now: datetime | None = None):
    """Akismet reports still owed whose next attempt is due."""
    now = now or timezone.now()
    return AkismetReport.objects.filter(sent_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def akismet_recheck_due(*, limit: int = 50, client: spam.Client | None = None) -> dict:
    """Retry due spam checks and owed reports, at most `limit` of each. For cron.

    After the first failed check the rest of the batch waits for the next run.
    """
    summary = {"checked": 0, "failed": 0, "reported": 0, "report_failed": 0, "skipped": 0}
    due = comments_due_for_check().order_by("akismet_next_attempt_at", "pk")[:limit]
    for comment in due:
        if summary["failed"]:
            summary["skipped"] += 1
            continue
        # Claim it: an overlapping run sees the new time and leaves it alone.
        claimed = Comment.objects.filter(
            pk=comment.pk, akismet_next_attempt_at=comment.akismet_next_attempt_at
        ).update(akismet_next_attempt_at=timezone.now() + timedelta(minutes=5))
        if not claimed:
            continue
        checked = comment_check_spam(comment=comment, client=client)
        summary["failed" if checked.akismet_verdict == Verdict.ERROR else "checked"] += 1
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
        checked = comment_check_spam(comment=comment, client=client, recheck_reason="recheck_queue")
        summary["failed" if checked.akismet_verdict == Verdict.ERROR else "checked"] += 1
    return summary


# Moderation
# ----------------------------------------------------------------------------------------


def _transition(comment: Comment, action: str, *, actor, kind: str) -> None:
    starts, ends = TRANSITIONS[action]
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status not in starts:
        raise IllegalTransition(
            f"Cannot {action.replace('_', ' ')} a comment that is "
            f"{comment.get_status_display().lower()}."
        )
    comment.status = ends
    comment.save(update_fields=["status", "updated_at"])
    _record(comment, kind, actor=actor)


def comment_approve(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """Publish a held comment."""
    with transaction.atomic():
        _transition(comment, "approve", actor=actor, kind=Kind.APPROVED)
    comment.refresh_from_db()
    return comment


def comment_unapprove(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """Take a published comment back into the queue."""
    with transaction.atomic():
        _transition(comment, "unapprove", actor=actor, kind=Kind.UNAPPROVED)
    comment.refresh_from_db()
    return comment


def comment_mark_spam(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """Mark as spam and, after the change commits, send submit-spam to Akismet."""
    with transaction.atomic():
        _transition(comment, "mark_spam", actor=actor, kind=Kind.MARKED_SPAM)
        comment.refresh_from_db()
        _owe_report(comment, AkismetReport.Kind.SPAM)
    return comment


def comment_mark_ham(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """ "Not spam": back to the queue; if Akismet flagged it, send submit-ham after commit."""
    with transaction.atomic():
        _transition(comment, "mark_ham", actor=actor, kind=Kind.MARKED_HAM)
        comment.refresh_from_db()
        if comment.akismet_verdict in (Verdict.SPAM, Verdict.DISCARD):
            _owe_report(comment, AkismetReport.Kind.HAM)
    return comment


def comment_trash(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """Move to the trash: hidden, kept until deleted by hand."""
    with transaction.atomic():
        _transition(comment, "trash", actor=actor, kind=Kind.TRASHED)
    comment.refresh_from_db()
    return comment


def comment_restore(*, comment: Comment, actor: AbstractBaseUser | None) -> Comment:
    """Take a comment out of the trash, back into the queue."""
    with transaction.atomic():
        _transition(comment, "restore", actor=actor, kind=Kind.RESTORED)
    comment.refresh_from_db()
    return comment


# Housekeeping
# ----------------------------------------------------------------------------------------


def spam_purge(*, now: datetime | None = None) -> dict:
    """Delete old spam and forget old Akismet data, by the retention settings."""
    now = now or timezone.now()
    spam_cutoff = now - timedelta(days=settings.COMMENTS_SPAM_RETENTION_DAYS)
    data_cutoff = now - timedelta(days=settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS)
    with transaction.atomic():
        old_spam = list(
            Comment.objects.spam().filter(created_at__lt=spam_cutoff).values_list("pk", flat=True)
        )
        # Replies survive their parent's deletion, moved to the top level.
        Comment.objects.filter(parent__in=old_spam).exclude(pk__in=old_spam).update(parent=None)
        Comment.objects.filter(pk__in=old_spam).delete()
        stale = Comment.objects.filter(created_at__lt=data_cutoff).exclude(akismet_params={})
        stale_ids = list(stale.values_list("pk", flat=True))
        stale.update(akismet_params={})
        AkismetReport.objects.filter(comment_id__in=stale_ids, sent_at__isnull=True).delete()
        AkismetReport.objects.filter(created_at__lt=data_cutoff).update(params={})
        CommentEvent.objects.bulk_create(
            CommentEvent(comment_id=pk, kind=Kind.PARAMS_PURGED) for pk in stale_ids
        )
    return {"spam_deleted": len(old_spam), "params_cleared": len(stale_ids)}


def _record(comment: Comment, kind: str, *, actor=None, detail: str = "") -> CommentEvent:
    if actor is not None and not actor.is_authenticated:
        actor = None
    return CommentEvent.objects.create(comment=comment, kind=kind, actor=actor, detail=detail)
