"""When the public site changes: by a write (the PublicChange row) or by time alone.

A page's validators and its cache entry hang on this state, never on the rendered body,
so a 304 or a cached page costs one small query. Time-only changes (a scheduled post
going live, a post's comments closing by age) are registered by the apps that own them
(see core.registry); the state holds, for each, the latest moment that has passed and the
next one to come, so the state changes the moment one passes, with no write at all.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import registry
from ..models import PublicChange


def note_public_change() -> None:
    """Record that something readers see has changed."""
    now = timezone.now()
    if not PublicChange.objects.filter(pk=1).update(changed_at=now):
        PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": now})


def public_change_noted(sender, instance=None, raw=False, **kwargs) -> None:
    """A signal handler for the models whose every save or delete may show to readers."""
    if not raw:
        note_public_change()


@dataclass(frozen=True)
class SiteState:
    changed_at: datetime | None
    # For each registered timed change, by name: (latest passed, next upcoming).
    moments: tuple[tuple[str, datetime | None, datetime | None], ...] = ()

    @property
    def last_modified(self) -> datetime | None:
        passed = [moment for _, moment, _ in self.moments if moment]
        candidates = [moment for moment in (self.changed_at, *passed) if moment]
        return max(candidates) if candidates else None

    def fingerprint(self) -> str:
        return "|".join([str(self.changed_at), *(f"{n}:{p}:{u}" for n, p, u in self.moments)])


def site_state() -> SiteState:
    """The site's state now, in one query."""
    now = timezone.now()
    changes = [registry.timed_changes[name] for name in sorted(registry.timed_changes)]
    parts = [f"SELECT changed_at FROM {PublicChange._meta.db_table} WHERE id = 1"]
    params: list = []
    for change in changes:
        for queryset in (change.passed(now), change.upcoming(now)):
            sql, query_params = _scalar_subquery(queryset)
            parts.append(sql)
            params.extend(query_params)
    sql = "SELECT " + ", ".join(f"({part})" for part in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    values = [_as_datetime(value) for value in row]
    moments = tuple(
        (change.name, values[1 + 2 * index], values[2 + 2 * index])
        for index, change in enumerate(changes)
    )
    return SiteState(values[0], moments)


def _scalar_subquery(queryset) -> tuple[str, tuple]:
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # A queryset.none(): a change that is switched off.
        return "SELECT NULL", ()


def _as_datetime(value) -> datetime | None:
    """PostgreSQL hands back an aware datetime; SQLite text or a naive one, in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
