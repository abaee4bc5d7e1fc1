"""What the admin shows of Akismet: the index's card and the banner of an account alert."""

from django import template
from django.urls import NoReverseMatch, reverse

from comments import services

register = template.Library()


def _may_see(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_staff and user.has_perm("comments.view_comment"))


@register.simple_tag(takes_context=True)
def akismet_figures(context):
    """The card's figures, or None for whoever may not see comments."""
    if not _may_see(context):
        return None
    account = services.akismet_account()
    usage = account.usage or {}
    return {
        "enabled": services.spam_checking_is_on(),
        "account": account,
        "usage": usage,
        "counts": account.site_counts or {},
        "refresh_url": _refresh_url(),
    }


def _refresh_url() -> str:
    # Registered by comments.admin_rules; without it the card still shows its figures.
    try:
        return reverse("admin:comments_akismetaccount_refresh")
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def akismet_alert(context):
    """Akismet's latest alert about the account (with `alert_code`), else None."""
    if not _may_see(context) or not services.spam_checking_is_on():
        return None
    account = services.akismet_account()
    return account if account.alert_code else None
