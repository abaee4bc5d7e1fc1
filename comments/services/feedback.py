"""Feedback to Akismet: a submit-spam or submit-ham owed after a moderator's move, sent
once by the task worker after the move commits. A failure enqueues the task again after
the back-off; after MAX_ATTEMPTS attempts the report is given up, and the admin shows it
"failed"."""

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.tasks import enqueue_on_commit

from .. import spam
from ..events import event_record
from ..models import AkismetReport, Comment, CommentEvent
from .pause import PAUSED, Scope, akismet_is_paused, akismet_pause, gives_up, retry_delay

logger = logging.getLogger(__name__)

Verdict = Comment.Verdict
Kind = CommentEvent.Kind
Status = AkismetReport.Status
# How long a claimed report is left alone by other runs, should this one die.
CLAIM = timedelta(minutes=5)
REPORTED = {AkismetReport.Kind.SPAM: Kind.REPORTED_SPAM, AkismetReport.Kind.HAM: Kind.REPORTED_HAM}
SEND_TASK = "comments.tasks.akismet_report_send"


def report_owe(*, comment: Comment, kind: str) -> AkismetReport | None:
    """Owe Akismet a report on `comment`, sent by the worker after the transaction
    commits. None when there is nothing to send: spam checking is off, the checked data
    is purged, or it would be a submit-ham for a comment neither Akismet nor a moderator
    ever called spam (a moderator's submit-spam undone is corrected by a submit-ham)."""
    if not (spam.is_enabled() and comment.akismet_params):
        return None
    if (
        kind == AkismetReport.Kind.HAM
        and comment.akismet_verdict not in (Verdict.SPAM, Verdict.DISCARD)
        and not comment.akismet_reports.filter(kind=AkismetReport.Kind.SPAM).exists()
    ):
        return None
    report = AkismetReport.objects.create(comment=comment, kind=kind, params=comment.akismet_params)
    enqueue_on_commit(SEND_TASK, report.pk)
    return report


def akismet_report_deliver(*, report_id: int, client: spam.Client | None = None) -> bool:
    """The worker's send of an owed report; True if sent. Does nothing for a report
    sent, given up or gone, or whose next attempt is later: each failure enqueues the
    task again for that time. While Akismet is paused the report waits, unattempted."""
    report = AkismetReport.objects.select_related("comment").filter(pk=report_id).first()
    if report is None or report.status != Status.OWED:
        return False
    if report.next_attempt_at is not None and report.next_attempt_at > timezone.now():
        return False
    return akismet_report_send(report=report, client=client, skip_if_paused=True)


def akismet_report_send(
    *, report: AkismetReport, client: spam.Client | None = None, skip_if_paused: bool = False
) -> bool:
    """Send an owed submit-spam/submit-ham once; on failure schedule a retry, or give
    up after MAX_ATTEMPTS attempts. True if sent.

    `skip_if_paused` (the worker's sends) leaves Akismet alone for a moment after
    another report failed, so a bulk action during an outage does not wait out the
    timeout once per comment.
    """
    # Claim the report, so two overlapping runs (the worker, recheck_comments) never
    # both send it.
    claimed = AkismetReport.objects.filter(
        pk=report.pk, status=Status.OWED, next_attempt_at=report.next_attempt_at
    ).update(next_attempt_at=timezone.now() + CLAIM)
    if not claimed:
        return False
    if skip_if_paused and akismet_is_paused(scope=Scope.REPORTS):
        _report_failed(report, PAUSED, attempted=False)
        return False
    try:
        spam.submit(report.kind, report.params, client=client)
    except Exception as exc:
        if not isinstance(exc, spam.SpamCheckError):
            logger.exception("Unexpected failure reporting comment %s", report.comment_id)
        _report_failed(report, str(exc) or type(exc).__name__, attempted=True)
        akismet_pause(scope=Scope.REPORTS)
        return False
    report.status = Status.SENT
    report.sent_at = timezone.now()
    report.attempts += 1
    report.last_error = ""
    report.next_attempt_at = None
    report.save(update_fields=["status", "sent_at", "attempts", "last_error", "next_attempt_at"])
    event_record(comment=report.comment, kind=REPORTED[report.kind])
    return True


def _report_failed(report: AkismetReport, error: str, *, attempted: bool) -> None:
    report.attempts += 1 if attempted else 0
    report.last_error = error[:2000]
    detail = f"{report.get_kind_display()}: {error}"[:500]
    if gives_up(report.attempts):
        report.status = Status.FAILED
        report.failed_at = timezone.now()
        report.next_attempt_at = None
        event = Kind.REPORT_FAILED
        detail = f"{detail} ({report.attempts} attempts)"[:500]
    else:
        report.next_attempt_at = timezone.now() + retry_delay(max(report.attempts, 1))
        event = Kind.REPORT_ERROR
        enqueue_on_commit(SEND_TASK, report.pk, run_after=report.next_attempt_at)
    fields = ["status", "failed_at", "attempts", "last_error", "next_attempt_at"]
    report.save(update_fields=fields)
    event_record(comment=report.comment, kind=event, detail=detail)


def reports_due(*, now: datetime | None = None):
    """Akismet reports still owed whose next attempt is due."""
    now = now or timezone.now()
    return AkismetReport.objects.filter(status=Status.OWED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def reports_retry_given_up() -> int:
    """Owe Akismet again the reports that gave up, with a fresh count of attempts, for
    an operator once Akismet is back (`recheck_comments --given-up`). How many."""
    return AkismetReport.objects.filter(status=Status.FAILED).update(
        status=Status.OWED, attempts=0, next_attempt_at=None, failed_at=None
    )
