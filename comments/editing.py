"""The author's own edit or delete of a comment, for COMMENTS_EDIT_SECONDS after posting.

No login: the browser that posted a comment gets a signed cookie (EDIT_COOKIE) listing
the comments it posted, each with when; only that browser may change them, only while
the window lasts, and only while no one has replied (a reply still held counts: its
author answered what they read). An edit goes through a new comment's checks: the rate
limit, the discussion rules (which may trash it, or take an approved comment back into
the queue) and Akismet, asked again with recheck_reason=edit (spam moves it to spam;
otherwise an approved comment stays approved). The history keeps the old text. Every
status change is a move of the table in services/moderation.py.

The cookie makes the post page this visitor's own (the thread shows them an Edit link),
so it is registered as personal, and lives no longer than the window.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.markup import without_control_characters
from core.request_info import RequestInfo

from . import ratelimit
from .events import event_record
from .models import Comment, CommentEvent, DiscussionRule
from .services.akismet import (
    akismet_ask_edit,
    akismet_edit_answer_apply,
    akismet_params,
)
from .services.moderation import NewHistory, comment_transition
from .services.rules import comment_rules_apply
from .services.submission import comments_are_open
from .stamps import comments_changed

logger = logging.getLogger(__name__)

EDIT_COOKIE = "comment_edit"
SALT = "comments.editing"
# The most comments one browser may hold the right to edit at once.
REMEMBERED = 20

Status = Comment.Status
Kind = CommentEvent.Kind
EDITABLE_STATUSES = (Status.PENDING, Status.APPROVED)


def edit_seconds() -> int:
    return settings.COMMENTS_EDIT_SECONDS


def minutes_rounded_up(seconds: int) -> int:
    return max(-(-seconds // 60), 1)


def window_words() -> str:
    minutes = minutes_rounded_up(edit_seconds())
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


class EditRefused(Exception):
    """The edit or delete is not allowed; `message` is shown to the visitor."""

    def __init__(self, message: str, *, code: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _refusal(code: str) -> EditRefused:
    window = window_words()
    messages = {
        "forged": (
            "This browser’s permission to edit comments is not valid, so nothing was "
            f"changed. A comment can be edited for {window} after posting, from the "
            "browser that posted it."
        ),
        "not_yours": (
            "This comment can be edited only from the browser that posted it, for "
            f"{window} after posting."
        ),
        "expired": f"The time to edit this comment is over: comments can be changed for {window}.",
        "replied": "Someone has replied to this comment, so it can no longer be changed.",
        "gone": "This comment can no longer be changed.",
    }
    return EditRefused(messages[code], code=code, status=404 if code == "gone" else 403)


@dataclass(frozen=True)
class Grants:
    """The comments this browser posted and may still edit: id -> posted at (Unix time).
    `forged` when the cookie was there but its signature did not hold."""

    ids: dict[int, int] = field(default_factory=dict)
    forged: bool = False


def grants_read(request) -> Grants:
    value = request.COOKIES.get(EDIT_COOKIE) if request is not None else None
    if not value or not edit_seconds():
        return Grants()
    try:
        items = signing.loads(value, salt=SALT, max_age=edit_seconds())
    except signing.SignatureExpired:
        return Grants()
    except signing.BadSignature:
        return Grants(forged=True)
    since = time.time() - edit_seconds()
    ids = {}
    for item in items if isinstance(items, list) else []:
        match item:
            case [int(pk), int(at)] if at > since:
                ids[pk] = at
    return Grants(ids)


def grant_remember(request, response, comment: Comment) -> None:
    """Let this browser edit `comment`, just posted (the comment POST calls this)."""
    if not edit_seconds() or not comment.pk or comment.status not in EDITABLE_STATUSES:
        return
    ids = grants_read(request).ids
    ids[comment.pk] = int(comment.created_at.timestamp())
    items = sorted(ids.items(), key=lambda item: item[1])[-REMEMBERED:]
    response.set_cookie(
        EDIT_COOKIE,
        signing.dumps([list(item) for item in items], salt=SALT),
        max_age=edit_seconds(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def seconds_left(created_at: datetime, *, now: datetime | None = None) -> int:
    """Seconds left to edit a comment posted at `created_at`; 0 once the window is over."""
    end = created_at + timedelta(seconds=edit_seconds())
    return max(int((end - (now or timezone.now())).total_seconds()), 0)


def editable_comments(request) -> dict[int, int]:
    """This browser's comments it may edit now, for the thread's Edit links: comment id
    -> seconds left. One query, only for a browser with the cookie."""
    grants = grants_read(request)
    if not grants.ids:
        return {}
    rows = (
        Comment.objects.filter(pk__in=list(grants.ids), status__in=EDITABLE_STATUSES)
        .alias(replied=Exists(Comment.objects.filter(parent=OuterRef("pk"))))
        .filter(replied=False)
        .values_list("pk", "created_at")
    )
    now = timezone.now()
    left = {pk: seconds_left(created_at, now=now) for pk, created_at in rows}
    return {pk: seconds for pk, seconds in left.items() if seconds > 0}


def edit_check(*, comment: Comment, grants: Grants) -> None:
    """Raise EditRefused unless this browser may change `comment` now."""
    if comment.pk not in grants.ids:
        raise _refusal("forged" if grants.forged else "not_yours")
    if comment.status not in EDITABLE_STATUSES:
        raise _refusal("gone")
    if not seconds_left(comment.created_at):
        raise _refusal("expired")
    if Comment.objects.filter(parent=comment.pk).exists():
        raise _refusal("replied")


def comment_for_edit(*, comment_id: int, grants: Grants) -> Comment:
    """The comment this browser may edit now; EditRefused otherwise (a comment not of
    this browser is refused as such, whether it exists or not)."""
    if comment_id not in grants.ids:
        raise _refusal("forged" if grants.forged else "not_yours")
    comment = Comment.objects.select_related("post", "user").filter(pk=comment_id).first()
    if comment is None:
        raise _refusal("gone")
    edit_check(comment=comment, grants=grants)
    return comment


@dataclass(frozen=True)
class EditOutcome:
    comment: Comment
    changed: bool


def comment_edit(
    *,
    comment_id: int,
    grants: Grants,
    body: str,
    request_meta,
    user: AbstractBaseUser | AnonymousUser | None = None,
    client=None,
) -> EditOutcome:
    """Replace the text of a comment by its author, checked as a new comment is; the
    history keeps the old text. Raises EditRefused."""
    comment = comment_for_edit(comment_id=comment_id, grants=grants)
    if not comments_are_open(post=comment.post):
        raise EditRefused("Comments are closed on this post.", code="closed")
    body = without_control_characters(body).strip()
    if not body:
        raise EditRefused("Please type your comment.", code="required", status=400)
    if body == comment.body:
        return EditOutcome(comment, changed=False)
    staff = user is not None and user.is_authenticated and user.is_staff
    ip_address = RequestInfo.from_meta(request_meta).ip_address
    if not staff and not ratelimit.submission_allowed(ip_address=ip_address):
        raise EditRefused(ratelimit.refusal_message(), code="rate", status=429)

    # The rules read the new text as a new comment's, on a copy held as a new one is.
    probe = Comment(**{f.attname: getattr(comment, f.attname) for f in Comment._meta.fields})
    probe.body, probe.status = body, Status.PENDING
    probe.user, probe.post = comment.user, comment.post
    history = NewHistory(probe)
    entries = dict(DiscussionRule.objects.values_list("kind", "entries"))
    comment_rules_apply(history=history, entries=entries)
    trashed = probe.status == Status.TRASH
    held = [detail for kind, detail, _ in history.lines if kind == Kind.RULE_HELD]

    params = dict(comment.akismet_params) or akismet_params(comment=probe, user=comment.user)
    params["comment_content"] = body
    # Asked before the transaction, as a new comment is: a slow answer holds no lock.
    check = None if trashed else akismet_ask_edit(params=params, client=client)

    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("post").get(pk=comment.pk)
        edit_check(comment=locked, grants=grants)  # A reply may have come meanwhile.
        old = locked.body
        locked.body = body
        locked.akismet_params = params
        locked.save(update_fields=["body", "akismet_params", "updated_at"])
        event_record(comment=locked, kind=Kind.EDITED, detail=old)
        if locked.status == Status.APPROVED:
            comments_changed([locked.post_id])
        if trashed:
            detail = history.lines[-1][1]
            locked = comment_transition(comment=locked, move="edit_rule_trash", detail=detail)
        elif held and locked.status == Status.APPROVED:
            locked = comment_transition(comment=locked, move="edit_rule_hold", detail=held[0])
        elif held:
            event_record(comment=locked, kind=Kind.RULE_HELD, detail=held[0])
        if check is not None:
            locked = akismet_edit_answer_apply(comment=locked, check=check)
    return EditOutcome(locked, changed=True)


def comment_delete_by_author(*, comment_id: int, grants: Grants) -> Comment:
    """The author's delete within the window: to the trash, by the table's move."""
    comment = comment_for_edit(comment_id=comment_id, grants=grants)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        edit_check(comment=locked, grants=grants)
        return comment_transition(comment=locked, move="author_delete")
