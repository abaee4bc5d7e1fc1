"""When to try again: the back-off for one comment, report or email, when to give up, and
the pause for everyone after Akismet fails, so that during an outage nobody waits out
the timeout in turn."""

from datetime import timedelta

from django.utils import timezone

from ..models import AkismetPause

Scope = AkismetPause.Scope

# After a call fails, calls in the same scope within this many seconds are not made.
PAUSE_SECONDS = 30
PAUSED = "Not sent: Akismet failed moments ago. It will be asked again."
# Attempts before background work gives up (a check, a report, an email): with the
# back-off below, about eight and a half hours after the first.
MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Back-off after `attempts` failures: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def akismet_pause(*, scope: str) -> None:
    """Start (or extend) a pause of PAUSE_SECONDS in `scope`, seen by every process."""
    ends_at = timezone.now() + timedelta(seconds=PAUSE_SECONDS)
    AkismetPause.objects.update_or_create(scope=scope, defaults={"ends_at": ends_at})


def akismet_is_paused(*, scope: str) -> bool:
    return AkismetPause.objects.filter(scope=scope, ends_at__gt=timezone.now()).exists()


def gives_up(attempts: int) -> bool:
    """Whether work that has failed `attempts` times stops trying by itself."""
    return attempts >= MAX_ATTEMPTS
