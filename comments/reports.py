"""Readers' reports of published comments, and the moderators' decisions on them.

- A reader reports a published comment with a reason and an optional note
  (`report_submit`). Reports are rate limited like comments (COMMENTS_RATE_LIMIT, counted
  apart from them), and each address counts once per comment: the report keeps a keyed
  hash of the address (`reporter_key`), never the address. The view also remembers, in a
  signed cookie, the comments this browser reported, and sends those no further.
- The report that brings a comment's open reports to COMMENTS_REPORTS_TO_HOLD takes it
  back into the queue (the "reports_hold" move, with a line of history) and emails the
  moderators (`reports_held_notify`, by the task worker).
- The queue's Reported view lists the comments with open reports (`reported_comments`);
  the moderator keeps, trashes or spams each (`reports_decide`), which closes its reports.

Reports are personal data: deleted with the comments' other request details after
COMMENTS_PERSONAL_DATA_RETENTION_DAYS (services.retention), and their notes are erased
with the reported comment's author's data (privacy.py).
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from core.tasks import enqueue_on_commit

from . import notify, ratelimit
from .events import event_record
from .models import Comment, CommentEvent, CommentReport
from .services import comment_transition
from .services.pause import gives_up, retry_delay

logger = logging.getLogger(__name__)

Kind = CommentEvent.Kind
Reason = CommentReport.Reason
NOTIFY_TASK = "comments.tasks.moderators_notify_reported"
# The moderator's decisions in the Reported view, by the move each makes.
DECISIONS = ("reports_dismiss", "trash", "mark_spam")
# What the rate limit counts a report under (ratelimit.Attempt.key), apart from comments.
RATE_KEY_PREFIX = "report:"


class ReportRefused(Exception):
    """A report not taken: `code` is "rate" (too many from this address) or "gone" (the
    comment is no longer published)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReportOutcome:
    # False for a second report from the same browser or address: thanked all the same.
    counted: bool
    held: bool = False


def reporter_key(ip_address: str | None) -> str:
    """A keyed hash of the reader's address (its /64 for IPv6, as the rate limit counts):
    one per address, which no one without SECRET_KEY can match to an address."""
    client = ratelimit.client_key(ip_address)
    return salted_hmac("comments.reports.reporter", client, algorithm="sha256").hexdigest()


def hold_threshold() -> int:
    """COMMENTS_REPORTS_TO_HOLD: the open reports that take a comment down; 0 never does."""
    return settings.COMMENTS_REPORTS_TO_HOLD


def report_allowed(*, ip_address: str | None) -> bool:
    """Count one report from `ip_address` now; False once it is past COMMENTS_RATE_LIMIT.
    The same machinery as comments (ratelimit.py), under a key of its own."""
    return ratelimit.key_allowed(RATE_KEY_PREFIX + reporter_key(ip_address)[:32])


def rate_refusal_message() -> str:
    return (
        "You are sending reports too quickly: this site accepts at most "
        f"{ratelimit.limit_description().replace('comment', 'report')} from one address. "
        "Please try again later."
    )


def report_submit(
    *,
    comment: Comment,
    reason: str,
    note: str = "",
    ip_address: str | None,
    already_reported: bool = False,
) -> ReportOutcome:
    """Take a reader's report of `comment`; hold the comment if it is the report that
    brings its open reports to COMMENTS_REPORTS_TO_HOLD.

    `already_reported`: this browser's cookie says it reported the comment before.
    Raises ReportRefused past the rate limit, or when the comment is no longer published.
    """
    if not report_allowed(ip_address=ip_address):
        raise ReportRefused("rate", rate_refusal_message())
    if already_reported:
        return ReportOutcome(counted=False)
    reporter = reporter_key(ip_address)
    with transaction.atomic():
        # Locked, so that two reports at once count one after the other.
        locked = Comment.objects.select_for_update().approved().filter(pk=comment.pk).first()
        if locked is None:
            raise ReportRefused("gone", "This comment is no longer published.")
        if CommentReport.objects.filter(comment=locked, reporter=reporter).exists():
            return ReportOutcome(counted=False)
        try:
            with transaction.atomic():
                CommentReport.objects.create(
                    comment=locked, reason=reason, note=note, reporter=reporter
                )
        except IntegrityError:  # The same address, a moment earlier.
            return ReportOutcome(counted=False)
        open_reports = list(locked.reports.filter(closed_at=None).values_list("reason", flat=True))
        threshold = hold_threshold()
        # Exactly at it: a comment a moderator approved again from the Pending tab, its
        # reports still open, is not taken down again by each report after.
        held = bool(threshold) and len(open_reports) == threshold
        if held:
            comment_transition(
                comment=locked, move="reports_hold", detail=reasons_summary(open_reports)
            )
            # In the same transaction, as held comments' emails are (services.notification).
            import_string(NOTIFY_TASK).enqueue(locked.pk)
    return ReportOutcome(counted=True, held=held)


def reasons_summary(reasons) -> str:
    """ "3 reports: Spam (2), Off-topic (1)", most frequent first."""
    counts = Counter(reasons)
    total = sum(counts.values())
    parts = ", ".join(f"{Reason(reason).label} ({n})" for reason, n in counts.most_common())
    return f"{total} report{'' if total == 1 else 's'}: {parts}"


# The Reported view
# ----------------------------------------------------------------------------------------


def reported_comments() -> models.QuerySet:
    """The comments with open reports that readers see or that reports took down, the most
    reported first, each with its `report_count` and its `open_reports`, oldest first."""
    open_reports = CommentReport.objects.filter(closed_at=None)
    return (
        Comment.objects.filter(status__in=[Comment.Status.APPROVED, Comment.Status.PENDING])
        .annotate(
            report_count=models.Count("reports", filter=models.Q(reports__closed_at=None)),
            reported_at=models.Max("reports__created_at", filter=models.Q(reports__closed_at=None)),
        )
        .filter(report_count__gt=0)
        .select_related("post")
        .prefetch_related(models.Prefetch("reports", open_reports, to_attr="open_reports"))
        .order_by("-report_count", "-reported_at", "-pk")
        # Peers, so that the links to the comments find their pages in one query.
        .fetch_mode(models.FETCH_PEERS)
    )


def reported_count() -> int:
    """How many comments wait in the Reported view (its tab's count)."""
    return (
        CommentReport.objects.filter(
            closed_at=None,
            comment__status__in=[Comment.Status.APPROVED, Comment.Status.PENDING],
        )
        .values("comment")
        .distinct()
        .count()
    )


def reports_decide(*, comment: Comment, move: str, actor) -> Comment:
    """The moderator's decision on a reported comment: keep it (published, the reports
    dismissed), trash it, or mark it as spam (which tells Akismet). The open reports are
    closed with it. Raises IllegalTransition as comment_transition does."""
    if move not in DECISIONS:
        raise ValueError(f"Not a decision on reports: {move!r}")
    with transaction.atomic():
        open_reports = CommentReport.objects.filter(comment=comment, closed_at=None)
        detail = reasons_summary(open_reports.values_list("reason", flat=True))
        comment = comment_transition(comment=comment, move=move, actor=actor, detail=detail)
        open_reports.update(closed_at=timezone.now())
    return comment


# The email to moderators
# ----------------------------------------------------------------------------------------


def reports_held_notify(*, comment_id: int) -> int:
    """Email each moderator not yet told that readers' reports took comment `comment_id`
    back into the queue; the number of emails sent. Nothing once it is no longer pending.

    Each email is a line of history after the hold, so a retry never emails anyone twice,
    and a later hold of the same comment is told again.
    """
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return 0
    hold = comment.events.filter(kind=Kind.REPORTS_HELD).order_by("-created_at", "-pk").first()
    if hold is None:
        return 0
    since_hold = comment.events.filter(pk__gt=hold.pk)
    told = set(since_hold.filter(kind=Kind.NOTIFIED).values_list("detail", flat=True))
    sent = 0
    for recipient in notify.moderator_recipients():
        detail = f"To {recipient.email}, about the reports"
        if detail in told:
            continue
        try:
            _send_held_email(comment, hold, recipient.email)
        except Exception as exc:  # Any mail failure: the rest waits for the retry.
            logger.exception("Could not email moderators about reported comment %s", comment_id)
            _notify_failed(comment, since_hold, str(exc) or type(exc).__name__)
            return sent
        event_record(comment=comment, kind=Kind.NOTIFIED, detail=detail)
        sent += 1
    return sent


def _send_held_email(comment: Comment, hold: CommentEvent, email: str) -> None:
    context = {
        "comment": comment,
        "post": comment.post,
        "summary": hold.detail,
        "site_name": settings.SITE_NAME,
        "admin_link": f"{settings.SITE_URL}{comment.admin_url}",
        "reported_link": settings.SITE_URL + reverse("admin:comments_comment_reported"),
    }
    subject = render_to_string("comments/email/reported_subject.txt", context)
    body = render_to_string("comments/email/reported_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])


def _notify_failed(comment: Comment, since_hold, error: str) -> None:
    attempts = since_hold.filter(kind=Kind.NOTIFY_ERROR).count() + 1
    if gives_up(attempts):
        detail = f"{error} ({attempts} attempts)"
        event_record(comment=comment, kind=Kind.NOTIFY_FAILED, detail=detail[:500])
        return
    event_record(comment=comment, kind=Kind.NOTIFY_ERROR, detail=error[:500])
    enqueue_on_commit(NOTIFY_TASK, comment.pk, run_after=timezone.now() + retry_delay(attempts))
