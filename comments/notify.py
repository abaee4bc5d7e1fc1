"""Emails to moderators. Sent by the task worker (services.notification), one email to
each moderator, since each carries links signed for that moderator."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .email_links import ACTIONS, can_moderate, link_url
from .models import Comment

MODERATORS_GROUP = "Moderators"


@dataclass(frozen=True)
class Recipient:
    """An address to email, and the moderator its links are signed for: None when no
    account can moderate with that address, and the email links to the admin only."""

    email: str
    user: AbstractBaseUser | None


def moderator_recipients() -> list[Recipient]:
    """COMMENTS_MODERATOR_EMAILS when set, else the active members of the Moderators group."""
    if settings.COMMENTS_MODERATOR_EMAILS:
        return [
            Recipient(email, _moderator_with_email(email))
            for email in settings.COMMENTS_MODERATOR_EMAILS
        ]
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
        .order_by("email", "pk")
    )
    by_email = {}
    for user in users:
        by_email.setdefault(user.email, user)
    return [
        Recipient(email, user if can_moderate(user) else None) for email, user in by_email.items()
    ]


def _moderator_with_email(email: str):
    users = get_user_model().objects.filter(email__iexact=email, is_active=True, is_staff=True)
    return next((user for user in users.order_by("pk") if can_moderate(user)), None)


def moderator_notify_held(*, comment: Comment, recipient: Recipient) -> None:
    """Email `recipient` that `comment` waits for them: its admin page, the queue and,
    for a moderator, the signed Approve, Spam and Trash links."""
    links = {}
    if recipient.user is not None:
        links = {
            action: link_url(comment_id=comment.pk, user_id=recipient.user.pk, action=action)
            for action in ACTIONS
        }
    context = {
        "comment": comment,
        "post": comment.post,
        "site_name": settings.SITE_NAME,
        "admin_link": f"{settings.SITE_URL}{comment.admin_url}",
        "queue_link": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
        "links": links,
        "link_days": max(round(settings.COMMENTS_EMAIL_LINK_MAX_AGE / 86400), 1),
    }
    subject = render_to_string("comments/email/held_subject.txt", context)
    body = render_to_string("comments/email/held_body.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        fail_silently=False,
    )
