"""Emails to moderators. Called by services after the change they describe has committed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Comment

MODERATORS_GROUP = "Moderators"


def moderator_emails() -> list[str]:
    """COMMENTS_MODERATOR_EMAILS when set, else the active members of the Moderators group."""
    if settings.COMMENTS_MODERATOR_EMAILS:
        return list(settings.COMMENTS_MODERATOR_EMAILS)
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def moderators_notify_held(*, comment: Comment) -> int:
    """Email moderators that `comment` waits for them, with a link to its admin page."""
    recipients = moderator_emails()
    if not recipients:
        return 0
    context = {
        "comment": comment,
        "post": comment.post,
        "site_name": settings.SITE_NAME,
        "admin_link": f"{settings.SITE_URL}{comment.admin_url}",
        "queue_link": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
    }
    subject = render_to_string("comments/email/held_subject.txt", context)
    body = render_to_string("comments/email/held_body.txt", context)
    return send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
