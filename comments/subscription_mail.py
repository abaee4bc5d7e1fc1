"""The emails subscribers get: the confirmation, a reply to their comment, a new post.

Each has a plain-text and an HTML part, the site's name and address in its footer, a
visible link to end it and one to manage the address's subscriptions, and the headers
of RFC 2369 and RFC 8058: `List-Unsubscribe` with the one-click address (a POST to it
ends the subscription, no login, no token but the link's signature) and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. No `Reply-To`: the mail comes
from the site's own address, and answering it would reach nobody who wrote the reply or
the post (the replier's address is never given out).
"""

import email.policy

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Comment, Subscriber, Subscription
from .subscription_links import CONFIRM, END, MANAGE, link_url

# RFC 5322's limit for a line; the policy's default (78) is only what it recommends.
HEADER_LINE_MAX = 998


class SubscriberEmail(EmailMultiAlternatives):
    """An email whose List-Unsubscribe stays as written. Its address is longer than a
    folded header line, and the default policy would write it as RFC 2047 encoded words,
    which a mail program must not decode inside a URL: it is kept on one line instead."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=HEADER_LINE_MAX))


def confirmation_message(*, subscriber: Subscriber, waiting: list[Subscription]):
    """The one email a waiting address gets: what was asked for, and the link that
    confirms it. Its unsubscribe link forgets the address at once."""
    context = {
        "confirm_url": link_url(action=CONFIRM, subscriber=subscriber),
        "waiting": waiting,
        "confirm_days": settings.COMMENTS_SUBSCRIPTION_CONFIRM_DAYS,
    }
    return _message(
        subscriber=subscriber, template="confirm", context=context, end_subscription=None
    )


def reply_message(*, subscription: Subscription, reply: Comment):
    """A reply to the subscriber's comment, now public: its text, the post and its link."""
    context = {
        "reply": reply,
        "parent": subscription.comment,
        "post": reply.post,
        "reply_url": settings.SITE_URL + reply.get_absolute_url(),
        "post_url": settings.SITE_URL + reply.post.get_absolute_url(),
    }
    return _message(
        subscriber=subscription.subscriber,
        template="reply",
        context=context,
        end_subscription=subscription,
    )


def post_message(*, subscription: Subscription, post):
    """A new post, as the feed shows it: the commentary, the excerpt and the source link."""
    context = {"post": post, "post_url": settings.SITE_URL + post.get_absolute_url()}
    return _message(
        subscriber=subscription.subscriber,
        template="post",
        context=context,
        end_subscription=subscription,
    )


def _message(
    *, subscriber: Subscriber, template: str, context: dict, end_subscription: Subscription | None
):
    to = subscriber.email
    end_url = link_url(
        action=END,
        subscriber=subscriber,
        subscription_id=end_subscription.pk if end_subscription is not None else None,
    )
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "email": to,
        "end_url": end_url,
        "manage_url": link_url(action=MANAGE, subscriber=subscriber) if end_subscription else "",
        "subscription": end_subscription,
    }
    prefix = f"comments/email/subscription_{template}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = SubscriberEmail(
        subject=subject,
        body=render_to_string(f"{prefix}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{end_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: sent by the site, not by a person; no auto-replies, please.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"{prefix}.html", context), "text/html")
    return message
