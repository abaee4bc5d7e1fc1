"""When to try again: the back-off for one comment, report or email, when to give up, and
the pause for everyone after Akismet fails, so that during an outage nobody waits out
the timeout in turn."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

# The back-off and the giving up are the site's, for all background work (core.tasks).
from core.tasks import MAX_ATTEMPTS, gives_up, retry_delay  # noqa: F401

from ..models import AkismetPause

Scope = AkismetPause.Scope

# After a call fails, calls in the same scope within this many seconds are not made.
PAUSE_SECONDS = 30
PAUSED = "Not sent: Akismet failed moments ago. It will be asked again."


def akismet_pause(*, scope: str) -> None:
    """Start (or extend) a pause of PAUSE_SECONDS in `scope`, seen by every process."""
    ends_at = timezone.now() + timedelta(seconds=PAUSE_SECONDS)
    # One statement (INSERT … ON CONFLICT DO UPDATE), whoever else pauses at once.
    AkismetPause.objects.bulk_create(
        [AkismetPause(scope=scope, ends_at=ends_at)],
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["ends_at"],
    )


def akismet_is_paused(*, scope: str) -> bool:
    return pause_in_force(scope=scope).exists()


def pause_in_force(*, scope: str) -> QuerySet:
    """The pause of `scope`, if it has not ended: for a query that asks it with others."""
    return AkismetPause.objects.filter(scope=scope, ends_at__gt=timezone.now())
