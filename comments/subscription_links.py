"""The signed links in subscribers' emails: confirm an address, manage its subscriptions,
end one of them.

A link names the subscriber (and for "end", the subscription), signed with the site's
secret key (django.core.signing) under a salt of its own, so a moderator's link can
never pass for one of these. It carries no address, only a short keyed digest of it: a
link in a server's log or a browser's history gives the address away to nobody, and a
link made for an address forgotten since never works for a new row with the same id.

A confirmation link is dated and works for COMMENTS_SUBSCRIPTION_CONFIRM_DAYS, as long
as the waiting address is kept; the others work as long as what they name exists: a
one-click unsubscribe must never expire. An "end" link names one subscription, or none
for all of the address's (the confirmation email's, which forgets the address).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

# A confirmation link past its days, with whom it was for.
from .email_links import LinkExpired  # noqa: F401

SALT = "comments.subscriptions"
CONFIRM, MANAGE, END = "confirm", "manage", "end"
URL_NAMES = {
    CONFIRM: "comments:subscription-confirm",
    MANAGE: "comments:subscription-manage",
    END: "comments:subscription-end",
}


@dataclass(frozen=True)
class SubscriberLink:
    action: str
    subscriber_id: int
    digest: str
    subscription_id: int | None = None

    def is_for(self, subscriber) -> bool:
        """Whether the link was made for `subscriber`, as it is now."""
        return (
            subscriber is not None
            and subscriber.pk == self.subscriber_id
            and constant_time_compare(self.digest, address_digest(subscriber.email))
        )


def address_digest(email: str) -> str:
    return salted_hmac(SALT, email.lower(), algorithm="sha256").hexdigest()[:16]


def link_path(*, action: str, subscriber, subscription_id: int | None = None) -> str:
    data = {"a": action, "u": subscriber.pk, "h": address_digest(subscriber.email)}
    if action == END:
        data["s"] = subscription_id
    return reverse(URL_NAMES[action], args=[signing.dumps(data, salt=SALT)])


def link_url(*, action: str, subscriber, subscription_id: int | None = None) -> str:
    """The full address of a link, for an email."""
    path = link_path(action=action, subscriber=subscriber, subscription_id=subscription_id)
    return settings.SITE_URL + path


def link_read(token: str, *, action: str) -> SubscriberLink:
    """What `token` says, if it is a genuine `action` link. Raises signing.BadSignature
    for anything else (made elsewhere, changed, cut short, or for another action), and
    LinkExpired for a confirmation link past its days."""
    max_age = settings.COMMENTS_SUBSCRIPTION_CONFIRM_DAYS * 86400 if action == CONFIRM else None
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired(_link(signing.loads(token, salt=SALT), action=action)) from None
    return _link(data, action=action)


def _link(data, *, action: str) -> SubscriberLink:
    try:
        subscription_id = data["s"] if action == END else None
        link = SubscriberLink(
            action=data["a"],
            subscriber_id=int(data["u"]),
            digest=str(data["h"]),
            subscription_id=None if subscription_id is None else int(subscription_id),
        )
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Not a subscription link.") from None
    if link.action != action:
        raise signing.BadSignature("Not a subscription link.")
    return link
