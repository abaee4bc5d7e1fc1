"""What Akismet says about the account: usage against the plan, this site's counts, alerts.

`akismet_stats_refresh` asks usage-limit and key-sites and keeps the answers with the
time they came; the admin's index shows them. An alert about the account comes in the
headers of any comment-check answer; `akismet_alert_record` keeps the latest, and
clears it once Akismet answers without one, as Akismet's WordPress plugin does.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import spam
from ..models import AkismetAccount

COUNTS = ("api_calls", "spam", "ham", "missed_spam", "false_positives")


def akismet_account() -> AkismetAccount:
    """The account's row as last fetched; an empty, unsaved one before the first fetch."""
    return AkismetAccount.objects.filter(pk=1).first() or AkismetAccount(pk=1)


def akismet_alert_record(*, code: str, message: str) -> None:
    """Keep Akismet's latest alert about the account, or clear it when there is none."""
    if code:
        now = timezone.now()
        changed = (
            AkismetAccount.objects.filter(pk=1)
            .exclude(alert_code=code, alert_message=message)
            .update(alert_code=code, alert_message=message, alert_at=now)
        )
        if not changed:
            AkismetAccount.objects.get_or_create(
                pk=1, defaults={"alert_code": code, "alert_message": message, "alert_at": now}
            )
        return
    AkismetAccount.objects.filter(pk=1).exclude(alert_code="").update(
        alert_code="", alert_message="", alert_at=None
    )


def akismet_stats_refresh(*, client: spam.Client | None = None) -> AkismetAccount:
    """Fetch this month's usage and this site's counts from Akismet and keep them.

    Idempotent, for a periodic task. A failure is kept beside the last good figures,
    which stay; nothing is asked while spam checking is off.
    """
    if not spam.is_enabled():
        return akismet_account()
    now = timezone.now()
    site = _site_of(settings.AKISMET_BLOG_URL)
    try:
        usage = spam.usage_limit(client=client)
        sites = spam.key_sites(month=f"{now:%Y-%m}", site=site, client=client)
    except spam.SpamCheckError as error:
        with transaction.atomic():
            account, _ = AkismetAccount.objects.select_for_update().get_or_create(pk=1)
            account.fetch_error = str(error)[:2000]
            account.save(update_fields=["fetch_error"])
        return account
    with transaction.atomic():
        account, _ = AkismetAccount.objects.select_for_update().get_or_create(pk=1)
        account.usage = _usage(usage)
        account.site_counts = _site_counts(sites, month=f"{now:%Y-%m}", site=site)
        account.fetched_at = now
        account.fetch_error = ""
        account.save()
    return account


def _site_of(url: str) -> str:
    """The host name of a URL, or of a bare "example.com" as key-sites names sites."""
    return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()


def _usage(answer: dict) -> dict:
    """usage-limit's answer: `limit` is a number, or "none" for an unlimited plan."""
    limit = answer.get("limit")
    return {
        "limit": _number(limit) if str(limit).lower() != "none" else None,
        "usage": _number(answer.get("usage")),
        "percentage": str(answer.get("percentage") or "0"),
        "throttled": bool(answer.get("throttled")),
    }


def _site_counts(answer: dict, *, month: str, site: str) -> dict:
    """This site's row of key-sites for `month`, its counts as numbers (Akismet sends
    strings); all zero when Akismet lists no such site for the month."""
    rows = answer.get(month) or []
    row = next((r for r in rows if _site_of(str(r.get("site", ""))) == site), {})
    return {"month": month, "listed": bool(row), **{key: _number(row.get(key)) for key in COUNTS}}


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
