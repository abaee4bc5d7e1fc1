"""The signed Approve, Spam and Trash links in a moderator's email.

A link carries the comment, the moderator it was made for and the move, signed with the
site's secret key (django.core.signing) and dated; it works for
COMMENTS_EMAIL_LINK_MAX_AGE seconds. Opening one only shows a confirmation page: mail
scanners open links, so only that page's POST acts (comments.moderation_links).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "comments.email-links"
# The moves a link can make, in the order of the email.
ACTIONS = ("approve", "mark_spam", "trash")


class LinkExpired(Exception):
    """A genuine signed link from an email, too old; `link` says what it was for (an
    EmailLink here, a SubscriberLink in comments.subscription_links)."""

    def __init__(self, link) -> None:
        super().__init__("This link has expired.")
        self.link = link


@dataclass(frozen=True)
class EmailLink:
    comment_id: int
    user_id: int
    action: str


def can_moderate(user) -> bool:
    """Whether `user` may use a link: what the admin asks of its buttons."""
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and user.has_perm("comments.change_comment")
    )


def link_token(*, comment_id: int, user_id: int, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"No email link for {action!r}.")
    return signing.dumps({"c": comment_id, "u": user_id, "a": action}, salt=SALT)


def link_url(*, comment_id: int, user_id: int, action: str) -> str:
    """The full address of a link, for an email."""
    token = link_token(comment_id=comment_id, user_id=user_id, action=action)
    return settings.SITE_URL + reverse("comments:moderate", args=[token])


def link_read(token: str) -> EmailLink:
    """What `token` is for. Raises signing.BadSignature for a token that was not made
    here or was changed, and LinkExpired for one older than COMMENTS_EMAIL_LINK_MAX_AGE."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.COMMENTS_EMAIL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired(_link(signing.loads(token, salt=SALT))) from None
    return _link(data)


def _link(data) -> EmailLink:
    try:
        link = EmailLink(comment_id=int(data["c"]), user_id=int(data["u"]), action=data["a"])
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Not a moderation link.") from None
    if link.action not in ACTIONS:
        raise signing.BadSignature("Not a moderation link.")
    return link
