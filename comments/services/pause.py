"""When to ask Akismet again: the back-off for one comment or report, and the pause for
everyone after a failure, so that during an outage nobody waits out the timeout in turn."""

from datetime import timedelta

from django.utils import timezone

from ..models import AkismetPause

Scope = AkismetPause.Scope

# After a call fails, calls in the same scope within this many seconds are not made.
PAUSE_SECONDS = 30
PAUSED = "Not sent: Akismet failed moments ago. It will be asked again."


def retry_delay(attempts: int) -> timedelta:
    """Back-off after `attempts` failures: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def akismet_pause(*, scope: str) -> None:
    """Start (or extend) a pause of PAUSE_SECONDS in `scope`, seen by every process."""
    ends_at = timezone.now() + timedelta(seconds=PAUSE_SECONDS)
    AkismetPause.objects.update_or_create(scope=scope, defaults={"ends_at": ends_at})


def akismet_is_paused(*, scope: str) -> bool:
    return AkismetPause.objects.filter(scope=scope, ends_at__gt=timezone.now()).exists()
