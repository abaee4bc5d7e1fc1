"""Replies by email and new-post emails: the rules.

- A visitor who ticks a box on the comment form asks for a subscription: the replies to
  that comment, or every new post. The comment's transaction enqueues the request
  (`subscription_request_later`); the worker stores it and, for an address not yet
  confirmed, sends the one confirmation email (double opt-in). Nothing else goes to an
  address until it is confirmed; asking again within CONFIRMATION_RESEND does not send
  another; a waiting address is forgotten after COMMENTS_SUBSCRIPTION_CONFIRM_DAYS.
  Once an address is confirmed, its later subscriptions start at once: it has shown that
  it wants this site's email, and every email can end them.
- A reply is announced when it becomes public (any move ending in "approved", or a new
  comment saved approved): `reply_published_later`, one call in moderation.py. The
  worker then owes one `SubscriptionEmail` to each confirmed subscriber to its parent,
  never to the reply's own author, at most once a reply (the row is unique).
- New posts are found by a periodic task (`posts_announce`): published, not yet
  announced, and published within ANNOUNCE_WITHIN, so an old or imported post never
  goes out; each goes to the "posts" subscriptions made before it was published.
- `emails_send` sends what is owed, in batches over one connection, with back-off.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from blog.models import Post
from core.tasks import enqueue_on_commit

from . import subscription_mail
from .models import Comment, PostAnnouncement, Subscriber, Subscription, SubscriptionEmail
from .services.pause import gives_up, retry_delay
from .subscription_links import SubscriberLink

logger = logging.getLogger(__name__)

Kind = Subscription.Kind
Owed = SubscriptionEmail.Status

REQUEST_TASK = "comments.tasks.subscription_request"
CONFIRMATION_TASK = "comments.tasks.subscription_confirmation_send"
REPLY_TASK = "comments.tasks.subscribers_notify_reply"
SEND_TASK = "comments.tasks.subscription_emails_send"
# A waiting address asking again within this gets no second confirmation email.
CONFIRMATION_RESEND = timedelta(days=1)
# Only posts published this recently are new: an older one (a post imported, or made
# public again) is never announced.
ANNOUNCE_WITHIN = timedelta(days=2)
# Emails one run sends over one connection; a full batch enqueues the next run.
SEND_BATCH = 50
# How long an email being sent is kept from another worker.
SEND_LEASE = timedelta(minutes=10)


def subscription_request_later(*, comment: Comment, replies: bool, posts: bool) -> None:
    """Ask, by the worker, for the subscriptions the author of `comment` ticked. Called
    in the transaction that saves the comment: the task is a row of the same database,
    which the worker sees only once the comment is there too (as held_notify_later)."""
    import_string(REQUEST_TASK).enqueue(comment.pk, replies=replies, posts=posts)


def subscription_request(*, comment_id: int, replies: bool, posts: bool) -> str:
    """Store what the author of comment `comment_id` asked for, and send the address its
    confirmation if it needs one. Nothing for a comment gone, caught as spam or trashed."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.status not in {Comment.Status.PENDING, Comment.Status.APPROVED}:
        return "nothing to do"
    email = address_normalise(comment.author_email)
    if not email or not (replies or posts):
        return "nothing to do"
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
        if replies:
            Subscription.objects.get_or_create(
                subscriber=subscriber, kind=Kind.REPLIES, comment=comment
            )
        if posts:
            Subscription.objects.get_or_create(subscriber=subscriber, kind=Kind.POSTS)
    if subscriber.is_confirmed:
        return "subscribed"
    return subscription_confirmation_send(subscriber_id=subscriber.pk)


def subscription_confirmation_send(*, subscriber_id: int) -> str:
    """Send the confirmation email to a waiting address, unless one went within
    CONFIRMATION_RESEND; retried with back-off when the mail server fails."""
    now = timezone.now()
    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at=None).first()
    if subscriber is None:
        return "nothing to do"
    previous = subscriber.confirmation_sent_at
    # Claimed in one UPDATE, so two requests at once send one email.
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at=None)
        .filter(
            Q(confirmation_sent_at=None) | Q(confirmation_sent_at__lt=now - CONFIRMATION_RESEND)
        )
        .update(confirmation_sent_at=now)
    )
    if not claimed:
        return "already sent"
    waiting = list(subscriber.subscriptions.select_related("comment__post"))
    try:
        subscription_mail.confirmation_message(subscriber=subscriber, waiting=waiting).send()
    except Exception:  # Any mail failure: try again later.
        logger.exception("Could not send the confirmation email to subscriber %s", subscriber.pk)
        attempts = subscriber.confirmation_attempts + 1
        Subscriber.objects.filter(pk=subscriber.pk).update(
            confirmation_sent_at=previous, confirmation_attempts=attempts
        )
        if not gives_up(attempts):
            run_after = timezone.now() + retry_delay(attempts)
            enqueue_on_commit(CONFIRMATION_TASK, subscriber.pk, run_after=run_after)
        return "error"
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_attempts=0)
    return "sent"


def subscriber_of_link(link: SubscriberLink) -> Subscriber | None:
    """The subscriber a signed link was made for, if it is still kept."""
    subscriber = Subscriber.objects.filter(pk=link.subscriber_id).first()
    return subscriber if link.is_for(subscriber) else None


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a waiting address (a confirmed one stays as it is): what it asked for
    starts now. Replies approved while it waited are not sent afterwards."""
    if not subscriber.is_confirmed:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def subscription_end(*, subscriber: Subscriber, subscription_id: int | None) -> int:
    """End one subscription of `subscriber` (all of them when `subscription_id` is
    None); how many ended. An address left with none is forgotten."""
    with transaction.atomic():
        subscriptions = Subscription.objects.filter(subscriber=subscriber)
        if subscription_id is not None:
            subscriptions = subscriptions.filter(pk=subscription_id)
        _, deleted = subscriptions.delete()  # With the records of their emails.
        ended = deleted.get(Subscription._meta.label, 0)
        Subscriber.objects.filter(pk=subscriber.pk, subscriptions=None).delete()
    return ended


def subscriptions_of(*, subscriber: Subscriber | None) -> list[Subscription]:
    """The subscriber's subscriptions, replies first, with the comment and post each names."""
    if subscriber is None:
        return []
    return list(
        Subscription.objects.filter(subscriber=subscriber)
        .select_related("subscriber", "comment__post")
        .order_by("-kind", "created_at", "pk")
    )


def reply_published_later(*, comment: Comment) -> None:
    """A comment has just become public: if it is a reply, its parent's subscribers are
    owed an email, by the worker. Called in the transaction that publishes it (the task
    row commits, or is rolled back, with the change), so a move undone in the same
    transaction sends nothing, and a comment POST spends no transaction on it."""
    if comment.parent_id and comment.kind == Comment.Kind.COMMENT:
        import_string(REPLY_TASK).enqueue(comment.pk)


def subscribers_notify_reply(*, reply_id: int) -> int:
    """Owe an email about reply `reply_id`, if it is still public, to each confirmed
    subscriber to its parent but its own author; then send. The number sent."""
    reply = Comment.objects.filter(pk=reply_id, status=Comment.Status.APPROVED).first()
    if reply is None or not reply.parent_id:
        return 0
    subscriptions = Subscription.objects.filter(
        kind=Kind.REPLIES, comment_id=reply.parent_id, subscriber__confirmed_at__isnull=False
    )
    if author := address_normalise(reply.author_email):
        subscriptions = subscriptions.exclude(subscriber__email=author)
    SubscriptionEmail.objects.bulk_create(
        [SubscriptionEmail(subscription=sub, reply=reply) for sub in subscriptions],
        ignore_conflicts=True,
    )
    return emails_send()


def posts_announce(*, now: datetime | None = None) -> dict:
    """Owe an email about each post that has become public since the last run (and
    within ANNOUNCE_WITHIN) to each confirmed "posts" subscription made before it was
    published; then send. Each post is announced once (PostAnnouncement)."""
    now = now or timezone.now()
    fresh = (
        Post.objects.published(now=now)
        .filter(published_at__gte=now - ANNOUNCE_WITHIN)
        .exclude(pk__in=PostAnnouncement.objects.values("post"))
        .order_by("published_at", "pk")
    )
    announced = 0
    for post in fresh:
        with transaction.atomic():
            _, created = PostAnnouncement.objects.get_or_create(post=post)
            if not created:
                continue
            subscriptions = Subscription.objects.filter(
                kind=Kind.POSTS,
                subscriber__confirmed_at__isnull=False,
                created_at__lte=post.published_at,
            )
            SubscriptionEmail.objects.bulk_create(
                [SubscriptionEmail(subscription=sub, post=post) for sub in subscriptions],
                ignore_conflicts=True,
            )
            announced += 1
    return {"posts_announced": announced, "emails_sent": emails_send()}


def emails_send(*, limit: int = SEND_BATCH) -> int:
    """Send up to `limit` owed emails whose time has come, over one connection; the
    number sent. A failure is retried after the back-off, by the next run of the
    periodic task; a full batch enqueues the next batch at once."""
    now = timezone.now()
    due = list(
        SubscriptionEmail.objects.filter(status=Owed.OWED)
        .filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
        .select_related("subscription__subscriber", "subscription__comment", "reply__post", "post")
        .order_by("created_at", "pk")[:limit]
    )
    if not due:
        return 0
    sent = 0
    connection = mailers.default
    try:
        connection.open()
    except Exception:  # Each email below tries again, and records its own failure.
        logger.warning("Could not connect to the mail server", exc_info=True)
    try:
        for email in due:
            sent += _email_send(email, connection=connection, now=now)
    finally:
        connection.close()
    if len(due) == limit:
        enqueue_on_commit(SEND_TASK)
    return sent


def _email_send(email: SubscriptionEmail, *, connection, now: datetime) -> int:
    # Leased, so another worker running at once leaves it alone.
    leased = SubscriptionEmail.objects.filter(
        pk=email.pk, status=Owed.OWED, next_attempt_at=email.next_attempt_at
    ).update(next_attempt_at=now + SEND_LEASE)
    if not leased:
        return 0
    subscription = email.subscription
    if email.reply_id and email.reply.status != Comment.Status.APPROVED:
        # Taken back before it went: a later approval owes it again.
        email.delete()
        return 0
    if email.reply_id:
        message = subscription_mail.reply_message(subscription=subscription, reply=email.reply)
    else:
        message = subscription_mail.post_message(subscription=subscription, post=email.post)
    try:
        connection.send_messages([message])
    except Exception as exc:  # Any mail failure: this one waits for its retry.
        logger.exception("Could not send subscription email %s", email.pk)
        connection.close()  # The next message opens a connection of its own.
        attempts = email.attempts + 1
        failed = gives_up(attempts)
        SubscriptionEmail.objects.filter(pk=email.pk).update(
            attempts=attempts,
            status=Owed.FAILED if failed else Owed.OWED,
            next_attempt_at=None if failed else timezone.now() + retry_delay(attempts),
            last_error=(str(exc) or type(exc).__name__)[:500],
        )
        return 0
    SubscriptionEmail.objects.filter(pk=email.pk).update(
        status=Owed.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    return 1


def subscribers_purge(*, now: datetime | None = None) -> dict:
    """Forget the addresses that never confirmed: COMMENTS_SUBSCRIPTION_CONFIRM_DAYS
    after they asked (or were last sent a confirmation); and those left with nothing."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMMENTS_SUBSCRIPTION_CONFIRM_DAYS)
    waiting = Subscriber.objects.filter(confirmed_at=None, created_at__lt=cutoff).filter(
        Q(confirmation_sent_at=None) | Q(confirmation_sent_at__lt=cutoff)
    )
    _, deleted = waiting.delete()
    # And those left with no subscription by their comments' deletion.
    _, emptied = Subscriber.objects.filter(subscriptions=None, created_at__lt=cutoff).delete()
    label = Subscriber._meta.label
    return {"subscribers_forgotten": deleted.get(label, 0) + emptied.get(label, 0)}


def subscriptions_export(*, email: str) -> list[dict]:
    """The address's subscriptions and the emails sent under them, for its data export."""
    subscriber = Subscriber.objects.filter(email=address_normalise(email)).first()
    if subscriber is None:
        return []
    return [
        {
            "kind": subscription.kind,
            "comment": subscription.comment_id,
            "created_at": subscription.created_at.isoformat(),
            "address_confirmed_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
            "emails": [
                {
                    "reply": email.reply_id,
                    "post": email.post_id,
                    "status": email.status,
                    "sent_at": email.sent_at and email.sent_at.isoformat(),
                }
                for email in subscription.emails.all()
            ],
        }
        for subscription in subscriber.subscriptions.prefetch_related("emails")
    ]


def subscriptions_erase(*, email: str) -> int:
    """End every subscription of the address and forget it; how many ended."""
    subscriber = Subscriber.objects.filter(email=address_normalise(email)).first()
    if subscriber is None:
        return 0
    return subscription_end(subscriber=subscriber, subscription_id=None)


def address_normalise(email: str) -> str:
    return (email or "").strip().lower()
