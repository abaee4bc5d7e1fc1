"""Forgetting on schedule, by the retention settings: old spam, the data kept for
Akismet, and the IP address, browser and referrer of old comments. Run each night by
the task worker (comments.tasks.retention_purge), and by the purge commands."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import ratelimit
from ..events import events_forget_detail, events_record
from ..models import AkismetReport, Comment, CommentEvent, CommentReport, SubmissionAttempt

Kind = CommentEvent.Kind


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
        events_record(comment_ids=stale_ids, kind=Kind.PARAMS_PURGED)
    return {"spam_deleted": len(old_spam), "params_cleared": len(stale_ids)}


def personal_data_purge(*, now: datetime | None = None) -> dict:
    """Delete the IP address, browser and referrer of comments older than
    COMMENTS_PERSONAL_DATA_RETENTION_DAYS, readers' reports as old, and forgotten
    rate-limit records."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS)
    with transaction.atomic():
        old = Comment.objects.filter(created_at__lt=cutoff).filter(
            Q(ip_address__isnull=False) | ~Q(user_agent="") | ~Q(referrer="")
        )
        ids = list(old.values_list("pk", flat=True))
        request_details_forget(comment_ids=ids)
        events_record(comment_ids=ids, kind=Kind.DETAILS_PURGED)
        since = now - ratelimit.window()
        attempts, _ = SubmissionAttempt.objects.filter(created_at__lt=since).delete()
        # Each holds a hashed address and maybe a note (comments/reports.py).
        reports, _ = CommentReport.objects.filter(created_at__lt=cutoff).delete()
    return {"comments": len(ids), "attempts": attempts, "reports": reports}


def request_details_forget(*, comment_ids: list[int]) -> None:
    """Clear what the visitor's request told about them, wherever it was copied."""
    Comment.objects.filter(pk__in=comment_ids).update(
        ip_address=None, user_agent="", referrer="", akismet_params={}
    )
    # The parameters of an owed report went with them: it can no longer be sent.
    AkismetReport.objects.filter(comment_id__in=comment_ids, sent_at__isnull=True).delete()
    AkismetReport.objects.filter(comment_id__in=comment_ids).update(params={})
    # "Submitted from 203.0.113.9": the history named the address too.
    events_forget_detail(comment_ids=comment_ids, kind=Kind.SUBMITTED)
