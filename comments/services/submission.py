"""A visitor's comment: validation, anti-abuse checks, Akismet, then one save.

`comment_submit` reads everything its checks need in one query, lets the honeypot and
the discussion rules decide, asks Akismet about the comment not yet saved (outside any
transaction), and then, in one transaction and after checking again under the sender's
locks, saves the comment with its final status and its whole history, its rate-limit
row and its tasks. The status moves by the table in moderation.py. Whatever Akismet
does, the comment is saved: held for a recheck when Akismet failed.
"""

import logging
import math
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import DateTimeField, Exists, Q, Subquery, Value
from django.db.models.functions import Lower
from django.utils import timezone

from blog.models import Post
from core.markup import without_control_characters
from core.request_info import RequestInfo

from .. import closing, locks, ratelimit, spam, subscriptions
from ..models import Comment, CommentEvent, DiscussionRule, Webmention
from .akismet import (
    HONEYPOT_FIELD,
    akismet_answer_apply,
    akismet_answer_follow_up,
    akismet_ask_new,
    akismet_params,
    new_check_reads,
    spam_checking_is_on,
    tags_read,
)
from .moderation import NewHistory, comment_save_new
from .notification import held_notify_later
from .rules import comment_rules_apply, rule_entries

logger = logging.getLogger(__name__)

Status = Comment.Status
Kind = CommentEvent.Kind
# A comment caught as spam or trashed asks for no email.
PUBLIC_OR_HELD = frozenset({Status.APPROVED, Status.PENDING})


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
    the visitor broke. Blatant spam dropped by COMMENTS_DROP_DISCARDED is never saved,
    and comes back with no primary key.
    """
    user = user if user is not None and user.is_authenticated else None
    info = RequestInfo.from_meta(request_meta)
    staff = user is not None and user.is_staff
    attempt = None
    if not staff:
        # Every submission counts, whatever is refused later: a shared cache counts it
        # now; otherwise the database does, with the checks below.
        attempt = ratelimit.attempt_in_database(ip_address=info.ip_address)
        if attempt is None and not ratelimit.submission_allowed(ip_address=info.ip_address):
            raise _rate_refusal()
    try:
        data = _without_control_characters(data)
        if not comments_are_open(post=post):
            raise CommentRefused("Comments are closed on this post.", code="closed")
    except CommentRefused:
        # Refused before its checks' query: counted on its own, and past the limit told so.
        if attempt is not None and not attempt.count_alone():
            raise _rate_refusal() from None
        raise
    try:
        return _checked_and_saved(
            comment=_comment_new(post=post, data=data, info=info, user=user),
            honeypot=str(data.get(HONEYPOT_FIELD) or ""),
            attempt=attempt,
            client=client,
            subscribe={kind: bool(data.get(f"notify_{kind}")) for kind in ("replies", "posts")},
        )
    except CommentRefused as refusal:
        if attempt is not None and refusal.code != "rate":
            attempt.keep()  # Refused within the limit: it counts all the same.
        raise


def _checked_and_saved(*, comment, honeypot, attempt, client, subscribe) -> Comment:
    """The checks, the honeypot, the rules and Akismet, then the comment's transaction."""
    history = NewHistory(comment)
    detail = f"From {comment.ip_address or 'an unknown address'}"
    history.note(Kind.SUBMITTED, detail, at=comment.created_at)
    checks = _checks(comment=comment, attempt=attempt)
    facts = _read(comment, {**checks, **_first_reads(comment=comment, attempt=attempt)})
    _refuse_if_broken(facts, attempt=attempt)
    comment.akismet_params = akismet_params(
        comment=comment, user=comment.user, honeypot=honeypot, tags=tags_read(facts["tag_names"])
    )
    check = None
    if honeypot:
        history.move("honeypot")
    else:
        # Before Akismet: a comment the rules trash is never sent to it.
        entries = {kind: facts[f"rules_{kind}"] for kind in DiscussionRule.Kind}
        comment_rules_apply(history=history, entries=entries)
        if comment.status == Status.PENDING and not spam_checking_is_on():
            history.note(Kind.CHECK_SKIPPED)
        elif comment.status == Status.PENDING:
            check = akismet_ask_new(
                params=comment.akismet_params, paused=facts["akismet_paused"], client=client
            )
    keep = check is None or akismet_answer_apply(
        history=history, check=check, known_author=facts["known_author"]
    )
    # One transaction, so a comment is never stored without its history.
    with transaction.atomic():
        # Two copies sent at once (a double click) may both have passed the checks above,
        # so they are made again one copy at a time (SQLite runs one writer at a time; on
        # PostgreSQL the second waits here for the sender's locks): the second sees the first.
        locks.wait_for_writers_of(*_sender_locks(comment, attempt))
        _refuse_if_broken(_read(comment, checks), attempt=attempt)
        if keep:
            comment_save_new(history=history)
        if attempt is not None:
            attempt.keep()
            if facts["rate_expired"]:
                attempt.forget_expired()
        if check is not None:
            alert = (facts["alert_code"] or "", facts["alert_message"] or "")
            akismet_answer_follow_up(comment=comment, check=check, alert=alert)
        if comment.pk and comment.status == Status.PENDING:
            held_notify_later(comment=comment)
        # Only what the visitor ticked costs anything: one task row, in this transaction.
        if comment.pk and comment.status in PUBLIC_OR_HELD and any(subscribe.values()):
            subscriptions.subscription_request_later(comment=comment, **subscribe)
    if not keep:
        logger.info("Dropped blatant spam on post %s", comment.post_id)
    return comment


def webmention_submit(
    *, comment: Comment, webmention: Webmention, client: spam.Client | None = None
) -> Comment:
    """A verified webmention (comments/webmentions.py) through the comments' pipeline:
    `comment`, of kind "webmention" and not yet saved, meets the discussion rules and
    Akismet (comment_type=webmention; a spam verdict holds it, akismet.holds_on_spam), and
    is saved held, with its history and `webmention`, in one transaction; the moderators
    hear of it. The endpoint's own rate limit counts it, and it has no email to flood with.
    Raises IntegrityError when the same source and post arrived at the same moment."""
    history = NewHistory(comment)
    history.note(Kind.SUBMITTED, f"Webmention from {webmention.source}", at=comment.created_at)
    facts = _read(comment, _first_reads(comment=comment, attempt=None))
    comment.akismet_params = akismet_params(
        comment=comment, user=None, tags=tags_read(facts["tag_names"])
    )
    entries = {kind: facts[f"rules_{kind}"] for kind in DiscussionRule.Kind}
    comment_rules_apply(history=history, entries=entries)
    check = None
    if comment.status == Status.PENDING and not spam_checking_is_on():
        history.note(Kind.CHECK_SKIPPED)
    elif comment.status == Status.PENDING:
        check = akismet_ask_new(
            params=comment.akismet_params, paused=facts["akismet_paused"], client=client
        )
        # Never auto-approved: a webmention has no email to be a known author by.
        akismet_answer_apply(history=history, check=check, known_author=False)
    with transaction.atomic():
        comment_save_new(history=history)
        webmention.comment = comment
        webmention.post_id = comment.post_id
        webmention.save(force_insert=True)
        if check is not None:
            alert = (facts["alert_code"] or "", facts["alert_message"] or "")
            akismet_answer_follow_up(comment=comment, check=check, alert=alert)
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


def _comment_new(*, post, data, info, user) -> Comment:
    """The comment, held (pending) and not yet saved."""
    return Comment(
        post=post,
        parent_id=data.get("parent") or None,
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


def _checks(*, comment: Comment, attempt: ratelimit.Attempt | None) -> dict:
    """The checks made before Akismet and again in the comment's transaction, as
    expressions: whether the parent may be replied to, a duplicate, the sender's latest
    comment (flood control) and their earlier submissions (the rate limit)."""
    exempt = comment.user is not None and comment.user.is_staff
    checks = {
        "parent_shown": Value(True),
        "duplicate": Exists(
            Comment.objects.exclude(status=Status.TRASH)
            .filter(
                post=comment.post_id,
                parent=comment.parent_id,
                author_name=comment.author_name,
                body=comment.body,
            )
            .by_author(comment.author_email)
        ),
        "latest": Value(None, output_field=DateTimeField()),
        "earlier": Value(0) if attempt is None else attempt.earlier(),
    }
    if comment.parent_id:
        targets = Comment.objects.reply_targets(comment.post).filter(pk=comment.parent_id)
        checks["parent_shown"] = Exists(targets)
    if settings.COMMENTS_FLOOD_SECONDS and not exempt:
        checks["latest"] = Subquery(_latest_from_sender(comment))
    return checks


def _first_reads(*, comment: Comment, attempt: ratelimit.Attempt | None) -> dict:
    """What only the reading before Akismet needs: the discussion rules, what asking
    Akismet needs, and whether old rate-limit rows are due to be forgotten."""
    reads = {f"rules_{kind}": entries for kind, entries in rule_entries().items()}
    reads |= new_check_reads(comment=comment)
    reads["rate_expired"] = Value(False) if attempt is None else attempt.expired()
    return reads


def _read(comment: Comment, expressions: dict) -> dict:
    """The values of `expressions`, in one query; CommentRefused if the post has gone."""
    found = Post.objects.filter(pk=comment.post_id).order_by().values(**expressions)[:1]
    if not found:
        raise CommentRefused("Comments are closed on this post.", code="closed")
    return found[0]


def _latest_from_sender(comment: Comment):
    """When the sender (by email, or address) last commented within COMMENTS_FLOOD_SECONDS."""
    same_sender = Q(email_folded=Lower(Value(comment.author_email)))
    if comment.ip_address:
        same_sender |= Q(ip_address=comment.ip_address)
    since = timezone.now() - timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS)
    return (
        Comment.objects.alias(email_folded=Lower("author_email"))
        .filter(same_sender, created_at__gte=since)
        .order_by("-created_at")
        .values("created_at")[:1]
    )


def _refuse_if_broken(facts: dict, *, attempt: ratelimit.Attempt | None) -> None:
    """Raise CommentRefused for the first rule the submission breaks, by what was read."""
    if attempt is not None and not attempt.allowed(facts["earlier"]):
        raise _rate_refusal()
    if not facts["parent_shown"]:
        raise CommentRefused(
            "The comment you are replying to is not available. "
            "Your comment can be posted on its own.",
            code="parent",
        )
    # Before flood control: a double submit hears that its comment was already taken.
    if facts["duplicate"]:
        raise CommentRefused(
            "Duplicate comment detected; it looks as though you’ve already said that!",
            code="duplicate",
        )
    if wait := _flood_wait_seconds(facts["latest"]):
        raise CommentRefused(
            "You are posting comments too quickly. Please wait "
            f"{wait} second{'' if wait == 1 else 's'} and try again.",
            code="flood",
        )


def _flood_wait_seconds(latest) -> int:
    """Seconds until this sender may comment again (COMMENTS_FLOOD_SECONDS after their
    latest comment, by email or address); 0 when they may now."""
    if latest is None:
        return 0
    flood = timedelta(seconds=settings.COMMENTS_FLOOD_SECONDS)
    return max(math.ceil((latest + flood - timezone.now()).total_seconds()), 1)


def _sender_locks(comment: Comment, attempt: ratelimit.Attempt | None) -> list[str]:
    keys = [f"email:{comment.author_email.lower()}", f"ip:{comment.ip_address}"]
    return keys if attempt is None else [*keys, attempt.lock]


def _rate_refusal() -> CommentRefused:
    return CommentRefused(ratelimit.refusal_message(), code="rate")
