"""A visitor's comment: validation, anti-abuse checks, saving it held, then Akismet.

`comment_submit` saves the comment as pending before anything else can go wrong, so
nothing is lost; the honeypot and Akismet's verdict then move it by the table in
moderation.py, and moderators hear of a comment left waiting for them.
"""

import logging
import math
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from blog.models import Post
from core.markup import without_control_characters
from core.request_info import RequestInfo

from .. import closing, locks, ratelimit, spam
from ..events import event_record
from ..models import Comment, CommentEvent
from .akismet import (
    HONEYPOT_FIELD,
    akismet_params,
    comment_check_new,
    spam_checking_is_on,
)
from .moderation import comment_transition
from .notification import held_notify_later
from .rules import comment_rules_apply

logger = logging.getLogger(__name__)

Status = Comment.Status
Kind = CommentEvent.Kind


class CommentRefused(Exception):
    """The submission breaks a rule; `message` is shown to the visitor with their text."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


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
    the visitor broke; after the comment is saved no failure can lose it. Blatant spam
    dropped by COMMENTS_DROP_DISCARDED comes back deleted, with no primary key.
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
        if data.get(HONEYPOT_FIELD):
            comment = comment_transition(comment=comment, move="honeypot")
        else:
            # Before Akismet: a comment the rules trash is never sent to it.
            comment = comment_rules_apply(comment=comment)
        if comment.status == Status.PENDING and not spam_checking_is_on():
            event_record(comment=comment, kind=Kind.CHECK_SKIPPED)
    # Akismet is asked outside the transaction that saved the comment, so a slow
    # answer never holds the database's write lock.
    if comment.status == Status.PENDING and spam_checking_is_on():
        try:
            check = comment_check_new(comment=comment, client=client)
        except DatabaseError:
            # The comment is saved and stays pending and unchecked: recheck_comments
            # asks Akismet again. The visitor is told it awaits moderation, as it does.
            logger.exception("Could not record Akismet's verdict on comment %s", comment.pk)
        else:
            comment = check.comment  # Dropped blatant spam ends as spam, and is deleted.
    if comment.status == Status.PENDING:
        held_notify_later(comment=comment)
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
        wait = _flood_wait_seconds(data=data, info=info)
        if wait:
            raise CommentRefused(
                "You are posting comments too quickly. Please wait "
                f"{wait} second{'' if wait == 1 else 's'} and try again.",
                code="flood",
            )
    return parent


def _flood_wait_seconds(*, data, info) -> int:
    """Seconds until this sender may comment again (COMMENTS_FLOOD_SECONDS after their
    latest comment, by email or address); 0 when they may now."""
    now = timezone.now()
    flood = timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS)
    same_sender = Q(author_email__iexact=data["author_email"])
    if info.ip_address:
        same_sender |= Q(ip_address=info.ip_address)
    latest = (
        Comment.objects.filter(same_sender, created_at__gte=now - flood)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if latest is None:
        return 0
    return max(math.ceil((latest + flood - now).total_seconds()), 1)


def _comment_create(*, post, parent, data, info, user) -> Comment:
    """Save the comment held (pending), with the first line of its history."""
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
    honeypot = str(data.get(HONEYPOT_FIELD) or "")
    comment.akismet_params = akismet_params(comment=comment, user=user, honeypot=honeypot)
    comment.save()
    detail = f"From {info.ip_address or 'an unknown address'}"
    event_record(comment=comment, kind=Kind.SUBMITTED, detail=detail)
    return comment
