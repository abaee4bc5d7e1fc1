"""Commenters' personal data: exporting or erasing it on request. (How long it is kept
is services.retention's.)

Like WordPress's personal-data tools: an export lists every comment made with an email
address, with everything stored about it; an erasure anonymises those comments (the name
becomes "Anonymous"; the email, website, IP address, browser, referrer and the data kept
for Akismet are removed) and keeps their text, so replies still make sense.
The address's email subscriptions (comments/subscriptions.py) are exported with it, and
ended by the erasure.

Readers' reports of those comments (comments/reports.py) are exported with them as their
reasons and dates alone (each note is its reporter's words), and erased with them as far
as they could name the author: their notes are deleted, their reasons kept for the
moderators. A report holds no email address, so a reporter's cannot be found by one.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from . import subscriptions
from .events import events_record
from .models import Comment, CommentEvent, CommentReport
from .services.retention import request_details_forget
from .stamps import comments_changed

Kind = CommentEvent.Kind
ANONYMOUS = "Anonymous"


def comment_count(*, email: str) -> int:
    """How many comments were made with `email`, in any status."""
    _require_address(email)
    return Comment.objects.by_author(email).count()


def personal_data_export(*, email: str) -> dict:
    """Everything stored about the comments made with `email`, ready for json.dumps."""
    _require_address(email)
    comments = (
        Comment.objects.by_author(email)
        .select_related("post")
        .prefetch_related("reports")
        .order_by("created_at")
        # Each comment's link names its page, found for all of them in one query.
        .fetch_mode(models.FETCH_PEERS)
    )
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "comments": [_comment_export(comment) for comment in comments],
        "email_subscriptions": subscriptions.subscriptions_export(email=email),
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
        "reports": [
            {"reason": report.reason, "created_at": report.created_at.isoformat()}
            for report in comment.reports.all()
        ],
    }


def personal_data_erase(*, email: str, actor: AbstractBaseUser | None = None) -> int:
    """Anonymise every comment made with `email`; returns how many. Each gets a history line."""
    _require_address(email)
    with transaction.atomic():
        erased = Comment.objects.by_author(email)
        ids = list(erased.values_list("pk", flat=True))
        shown_on = set(erased.approved().values_list("post_id", flat=True))
        Comment.objects.filter(pk__in=ids).update(
            author_name=ANONYMOUS,
            author_email="",
            author_url="",
            user=None,
            updated_at=timezone.now(),
        )
        request_details_forget(comment_ids=ids)
        # A reader's note on the comment may name its author.
        CommentReport.objects.filter(comment_id__in=ids).exclude(note="").update(note="")
        events_record(comment_ids=ids, kind=Kind.ERASED, actor=actor)
        comments_changed(shown_on)
        # The emails the address asked for end, and the address is forgotten.
        subscriptions.subscriptions_erase(email=email)
    return len(ids)


def _require_address(email: str) -> None:
    # Erased comments keep an empty address: "" must never select them all.
    if "@" not in email:
        raise ValueError(f"Not an email address: {email!r}")
