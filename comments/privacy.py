"""Commenters' personal data: how long it is kept, and exporting or erasing it on request.

Like WordPress's personal-data tools: an export lists every comment made with an email
address, with everything stored about it; an erasure anonymises those comments (the name
becomes "Anonymous"; the email, website, IP address, browser, referrer and the data kept
for Akismet are removed) and keeps their text, so replies still make sense.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.pagecache import note_public_change

from .models import AkismetReport, Comment, CommentEvent, SubmissionAttempt

Kind = CommentEvent.Kind
ANONYMOUS = "Anonymous"


def personal_data_purge(*, now: datetime | None = None) -> dict:
    """Delete the IP address, browser and referrer of comments older than
    COMMENTS_PERSONAL_DATA_RETENTION_DAYS, and forgotten rate-limit records. For cron."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS)
    with transaction.atomic():
        old = Comment.objects.filter(created_at__lt=cutoff).filter(
            Q(ip_address__isnull=False) | ~Q(user_agent="") | ~Q(referrer="")
        )
        ids = list(old.values_list("pk", flat=True))
        _forget_request_details(ids)
        CommentEvent.objects.bulk_create(
            CommentEvent(comment_id=pk, kind=Kind.DETAILS_PURGED) for pk in ids
        )
        rate = settings.COMMENTS_RATE_LIMIT
        window = timedelta(seconds=rate[1] if rate else 0)
        attempts, _ = SubmissionAttempt.objects.filter(created_at__lt=now - window).delete()
    return {"comments": len(ids), "attempts": attempts}


def comment_count(*, email: str) -> int:
    """How many comments were made with `email`, in any status."""
    _require_address(email)
    return Comment.objects.by_author(email).count()


def personal_data_export(*, email: str) -> dict:
    """Everything stored about the comments made with `email`, ready for json.dumps."""
    _require_address(email)
    comments = Comment.objects.by_author(email).select_related("post").order_by("created_at")
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "comments": [_comment_export(comment) for comment in comments],
    }


def _comment_export(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "url": settings.SITE_URL + comment.get_absolute_url(),
        "post": comment.post.title,
        "in_reply_to": comment.parent_id,
        "status": comment.status,
        "created_at": comment.created_at.isoformat(),
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "sent_to_akismet": comment.akismet_params,
    }


def personal_data_erase(*, email: str, actor: AbstractBaseUser | None = None) -> int:
    """Anonymise every comment made with `email`; returns how many. Each gets a history line."""
    _require_address(email)
    with transaction.atomic():
        erased = Comment.objects.by_author(email)
        ids = list(erased.values_list("pk", flat=True))
        shown = erased.approved().exists()
        Comment.objects.filter(pk__in=ids).update(
            author_name=ANONYMOUS,
            author_email="",
            author_url="",
            user=None,
            updated_at=timezone.now(),
        )
        _forget_request_details(ids)
        if actor is not None and not actor.is_authenticated:
            actor = None
        CommentEvent.objects.bulk_create(
            CommentEvent(comment_id=pk, kind=Kind.ERASED, actor=actor) for pk in ids
        )
        if shown:
            # Bulk updates send no signals: tell the page caches the names changed.
            note_public_change()
    return len(ids)


def _require_address(email: str) -> None:
    # Erased comments keep an empty address: "" must never select them all.
    if "@" not in email:
        raise ValueError(f"Not an email address: {email!r}")


def _forget_request_details(ids: list[int]) -> None:
    """Clear what the visitor's request told about them, wherever it was copied."""
    Comment.objects.filter(pk__in=ids).update(
        ip_address=None, user_agent="", referrer="", akismet_params={}
    )
    # The parameters of an owed report went with them: it can no longer be sent.
    AkismetReport.objects.filter(comment_id__in=ids, sent_at__isnull=True).delete()
    AkismetReport.objects.filter(comment_id__in=ids).update(params={})
    # "Submitted from 203.0.113.9": the history named the address too.
    CommentEvent.objects.filter(comment_id__in=ids, kind=Kind.SUBMITTED).update(detail="")
