"""Feedback to Akismet: a submit-spam or submit-ham owed after a moderator's move, sent
once after the move commits, and retried by `recheck_comments` while Akismet is down."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import spam
from ..events import event_record
from ..models import AkismetReport, Comment, CommentEvent
from .pause import PAUSED, Scope, akismet_is_paused, akismet_pause, retry_delay

logger = logging.getLogger(__name__)

Verdict = Comment.Verdict
Kind = CommentEvent.Kind
# How long a claimed report is left alone by other runs, should this one die.
CLAIM = timedelta(minutes=5)
REPORTED = {AkismetReport.Kind.SPAM: Kind.REPORTED_SPAM, AkismetReport.Kind.HAM: Kind.REPORTED_HAM}


def report_owe(*, comment: Comment, kind: str) -> AkismetReport | None:
    """Owe Akismet a report on `comment`, sent after the transaction commits. None when
    there is nothing to send: spam checking is off, the checked data is purged, or it
    would be a submit-ham for a comment Akismet never called spam."""
    if not (spam.is_enabled() and comment.akismet_params):
        return None
    if kind == AkismetReport.Kind.HAM and comment.akismet_verdict not in (
        Verdict.SPAM,
        Verdict.DISCARD,
    ):
        return None
    report = AkismetReport.objects.create(comment=comment, kind=kind, params=comment.akismet_params)
    transaction.on_commit(partial(_send_after_commit, report.pk))
    return report


def _send_after_commit(report_id: int) -> None:
    report = AkismetReport.objects.select_related("comment").filter(pk=report_id).first()
    if report is not None and report.sent_at is None:
        akismet_report_send(report=report, after_commit=True)


def akismet_report_send(
    *, report: AkismetReport, client: spam.Client | None = None, after_commit: bool = False
) -> bool:
    """Send an owed submit-spam/submit-ham once; on failure schedule a retry. True if sent.

    `after_commit` sends come from a moderator's request: they skip Akismet for a
    moment after another report failed, leaving the retry to `recheck_comments`.
    """
    # Claim the report, so two overlapping runs (cron, a moderator) never both send it.
    claimed = AkismetReport.objects.filter(
        pk=report.pk, sent_at__isnull=True, next_attempt_at=report.next_attempt_at
    ).update(next_attempt_at=timezone.now() + CLAIM)
    if not claimed:
        return False
    if after_commit and akismet_is_paused(scope=Scope.REPORTS):
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
    report.sent_at = timezone.now()
    report.attempts += 1
    report.last_error = ""
    report.next_attempt_at = None
    report.save(update_fields=["sent_at", "attempts", "last_error", "next_attempt_at"])
    event_record(comment=report.comment, kind=REPORTED[report.kind])
    return True


def _report_failed(report: AkismetReport, error: str, *, attempted: bool) -> None:
    report.attempts += 1 if attempted else 0
    report.last_error = error[:2000]
    report.next_attempt_at = timezone.now() + retry_delay(max(report.attempts, 1))
    report.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    detail = f"{report.get_kind_display()}: {error}"[:500]
    event_record(comment=report.comment, kind=Kind.REPORT_ERROR, detail=detail)


def reports_due(*, now: datetime | None = None):
    """Akismet reports still owed whose next attempt is due."""
    now = now or timezone.now()
    return AkismetReport.objects.filter(sent_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
