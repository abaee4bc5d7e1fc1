"""A per-address limit on comment submissions: COMMENTS_RATE_LIMIT, e.g. 30 in 10 minutes.

It sits on top of flood control (one comment per COMMENTS_FLOOD_SECONDS) and counts every
submission that reaches the pipeline, whether it is then saved, caught as spam or refused
by another rule, so a bot gains nothing by failing the other checks.

Where the count is kept:

- With a shared cache whose increments are atomic (Redis, which REDIS_URL turns on, or
  Memcached): one counter per address and window, so a submission costs no database write.
- Otherwise in the database, one row per submission, deleted once it leaves the window.
  The local-memory cache would not do: each gunicorn worker has its own, so two workers
  would allow twice the limit. For the same reason django-ratelimit, which works only
  through a shared cache and refuses the local-memory one, is not used: the limit must
  hold on one machine with no cache server.

  The comment pipeline counts in the same query as its other checks and keeps the row in
  the comment's own transaction (`Attempt`); `submission_allowed` does it all at once.
  What left the window is deleted with a later submission, at most every FORGET_EVERY,
  and by the nightly purge (services.retention).
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import locks
from .models import SubmissionAttempt

# Caches whose `incr` is atomic and shared by every worker and machine.
SHARED_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)
CACHE_PREFIX = "comments:rate"
# Rows that left the window are deleted at most this often: a busy site pays for one
# DELETE a minute or so, not one with every comment.
FORGET_EVERY = timedelta(seconds=30)


def window() -> timedelta:
    """How long a submission counts against its address; zero while the limit is off."""
    rate = settings.COMMENTS_RATE_LIMIT
    return timedelta(seconds=rate[1]) if rate else timedelta(0)


def limit_description() -> str:
    """The limit in words, e.g. "30 comments in 10 minutes"; empty when it is off."""
    rate = settings.COMMENTS_RATE_LIMIT
    if not rate:
        return ""
    count, seconds = rate
    comments = f"{count} comment{'' if count == 1 else 's'}"
    unit, amount = next(
        (unit, seconds // size)
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
        if seconds % size == 0
    )
    if amount == 1:
        return f"{comments} {'an' if unit == 'hour' else 'a'} {unit}"
    return f"{comments} in {amount} {unit}s"


def refusal_message() -> str:
    return (
        "You are posting comments too quickly: this site accepts at most "
        f"{limit_description()} from one address. Please try again later."
    )


def client_key(ip_address: str | None) -> str:
    """What the limit counts against: the address, or its /64 network for IPv6, since one
    household or server is usually given a whole /64 and can pick any address in it."""
    if not ip_address:
        return "unknown"
    address = ipaddress.ip_address(ip_address)
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def submission_allowed(*, ip_address: str | None) -> bool:
    """Count one submission from `ip_address` now, and keep it; False once it is past the limit."""
    return key_allowed(client_key(ip_address))


def key_allowed(key: str) -> bool:
    """Count one submission under `key` now, and keep it; False once it is past
    COMMENTS_RATE_LIMIT. Comments count under their client's address (client_key); another
    form limited like them (readers' reports) counts under keys of its own."""
    rate = settings.COMMENTS_RATE_LIMIT
    if not rate:
        return True
    if settings.CACHES["default"]["BACKEND"] in SHARED_CACHES:
        return _count_in_cache(key, int(window().total_seconds())) <= rate[0]
    now = timezone.now()
    return Attempt(key, rate[0], now, now - window()).count_alone()


def attempt_in_database(*, ip_address: str | None) -> "Attempt | None":
    """This submission, for the comment pipeline to count with its checks and keep with
    the comment; None when a shared cache counts submissions, or the limit is off."""
    if not settings.COMMENTS_RATE_LIMIT:
        return None
    if settings.CACHES["default"]["BACKEND"] in SHARED_CACHES:
        return None
    return Attempt.start(ip_address)


def _count_in_cache(key: str, seconds: int) -> int:
    # Fixed windows: a burst across a boundary may reach twice the limit, for one window.
    window = int(timezone.now().timestamp()) // seconds
    cache_key = f"{CACHE_PREFIX}:{key}:{window}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # Expired between add and incr.
        cache.add(cache_key, 1, timeout=seconds)
        return 1


@dataclass(frozen=True)
class Attempt:
    """One submission, counted in the database: the rows of its address within the window
    before it, and its own row once kept. Only submissions within the limit are kept, so
    a flood of refused ones neither grows the table nor extends the wait past the window."""

    key: str
    limit: int
    at: datetime
    since: datetime

    @classmethod
    def start(cls, ip_address: str | None) -> "Attempt":
        now = timezone.now()
        return cls(client_key(ip_address), settings.COMMENTS_RATE_LIMIT[0], now, now - window())

    @property
    def lock(self) -> str:
        """The advisory lock two submissions from one address take in turn (locks.py)."""
        return f"rate:{self.key}"

    def earlier(self) -> Coalesce:
        """The submissions before this one in the window, for a query's checks."""
        recent = SubmissionAttempt.objects.filter(client=self.key, created_at__gte=self.since)
        count = recent.order_by().values("client").annotate(count=Count("pk")).values("count")
        return Coalesce(Subquery(count), 0)

    def expired(self) -> Exists:
        """Whether rows have been out of the window for FORGET_EVERY, for a query's checks."""
        return Exists(SubmissionAttempt.objects.filter(created_at__lt=self.since - FORGET_EVERY))

    def allowed(self, earlier: int) -> bool:
        return earlier < self.limit

    def keep(self) -> None:
        SubmissionAttempt.objects.create(client=self.key, created_at=self.at)

    def forget_expired(self) -> None:
        """Delete every address's rows that left the window: the addresses are personal data."""
        SubmissionAttempt.objects.filter(created_at__lt=self.since).delete()

    def count_alone(self) -> bool:
        """Count and keep this submission in a transaction of its own (for one refused
        before the pipeline's checks); False when it is past the limit."""
        # On SQLite the transaction takes the write lock first, so two workers cannot both
        # see 29 and both add the 30th.
        with transaction.atomic():
            locks.wait_for_writers_of(self.lock)  # The same guarantee on PostgreSQL.
            self.forget_expired()
            earlier = SubmissionAttempt.objects.filter(
                client=self.key, created_at__gte=self.since
            ).count()
            if self.allowed(earlier):
                self.keep()
        return self.allowed(earlier)
