"""When the public site changes, and what changed: by a write, or by time alone.

Every write that readers may see is noted with the keys of what it changed (`note_changes`):
"post:12" for a post's page, "posts" for which posts the lists hold; the apps name their
keys (blog.stamps, comments.stamps), and core knows only SITE, which every page depends on.
Each note counts one more on PublicChange.sequence and stamps its keys with that count.

A page says what it shows as it is rendered (`depends_on`). A page rendered when the count
stood at N shows every change up to N, so a stored copy is current for as long as none of
its keys is stamped above N: an approval on one post leaves every page that does not show
it in the cache. A page that names no keys depends on every change.

Time-only changes (a scheduled post going live, a post's comments closing by age) are
registered by the apps that own them (see core.registry); the state holds, for each, the
latest moment that has passed, so it changes the moment one passes, with no write at all.
All of it is read in one query.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import registry
from ..models import PageStamp, PublicChange

# What every page depends on: a change of the site itself (the navigation, a tag's name).
# Releases and page-shaping settings renew pages through the release id instead.
SITE = "site"


def note_changes(*keys: str) -> None:
    """Record that what readers see under `keys` has changed: pages that depend on any of
    them are rendered again. Call it in the transaction that made the change."""
    now = timezone.now()
    table = PublicChange._meta.db_table
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sequence = sequence + 1, changed_at = %s WHERE id = 1 "
            "RETURNING sequence",
            [now],
        )
        row = cursor.fetchone()
        if row is None:  # The first change of a new site.
            PublicChange.objects.create(pk=1, changed_at=now, sequence=1)
            sequence = 1
        else:
            sequence = row[0]
        stamps = [PageStamp(key=key, sequence=sequence, changed_at=now) for key in set(keys)]
        if stamps:
            PageStamp.objects.bulk_create(
                stamps,
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["sequence", "changed_at"],
            )


def note_site_change() -> None:
    """Record a change that shows on every page."""
    note_changes(SITE)


def depends_on(request, *keys: str) -> None:
    """Say that the page being rendered for `request` shows what `keys` name."""
    dependencies = request.__dict__.setdefault("page_dependencies", {SITE})
    dependencies.update(keys)


def page_dependencies(request) -> frozenset[str] | None:
    """What the page rendered for `request` said it shows; None if it said nothing."""
    dependencies = getattr(request, "page_dependencies", None)
    return frozenset(dependencies) if dependencies else None


@dataclass(frozen=True)
class SiteState:
    changed_at: datetime | None
    # The count of changes so far (PublicChange.sequence).
    sequence: int = 0
    # For each registered timed change, by name: the latest moment that has passed.
    moments: tuple[tuple[str, datetime | None], ...] = ()
    # The highest stamp among the keys asked about; None when none was asked.
    dependencies_sequence: int | None = None

    @property
    def last_modified(self) -> datetime | None:
        candidates = [
            moment for moment in (self.changed_at, *dict(self.moments).values()) if moment
        ]
        return max(candidates) if candidates else None

    def fingerprint(self) -> str:
        return "|".join(
            [str(self.sequence), *(f"{name}:{moment}" for name, moment in self.moments)]
        )

    def keeps(self, rendered: "SiteState", dependencies: frozenset[str] | None) -> bool:
        """Whether a page rendered in state `rendered`, showing `dependencies`, is still
        current in this state (which was read with those dependencies)."""
        if dependencies is None:
            return self.sequence == rendered.sequence and self.moments == rendered.moments
        then = dict(rendered.moments)
        for name, moment in self.moments:
            shown_under = registry.timed_changes[name].shown_under
            if (shown_under is None or shown_under in dependencies) and then.get(name) != moment:
                return False
        return (self.dependencies_sequence or 0) <= rendered.sequence


def site_state(dependencies: Iterable[str] = ()) -> SiteState:
    """The site's state now, and the last stamp of `dependencies`, in one query."""
    now = timezone.now()
    dependencies = sorted(dependencies)
    changes = [registry.timed_changes[name] for name in sorted(registry.timed_changes)]
    table = PublicChange._meta.db_table
    parts = [
        f"SELECT changed_at FROM {table} WHERE id = 1",
        f"SELECT sequence FROM {table} WHERE id = 1",
    ]
    params: list = []
    for change in changes:
        sql, query_params = _moment_query(change.name, now)
        parts.append(sql)
        params.extend(query_params)
    if dependencies:
        placeholders = ", ".join(["%s"] * len(dependencies))
        parts.append(
            f"SELECT MAX(sequence) FROM {PageStamp._meta.db_table} WHERE key IN ({placeholders})"
        )
        params.extend(dependencies)
    sql = "SELECT " + ", ".join(f"({part})" for part in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    moments = tuple(
        (change.name, _as_datetime(row[2 + index])) for index, change in enumerate(changes)
    )
    return SiteState(
        changed_at=_as_datetime(row[0]),
        sequence=row[1] or 0,
        moments=moments,
        dependencies_sequence=(row[-1] or 0) if dependencies else None,
    )


# Two stand-in moments: a timed change's query is built with each, once per process, and
# the parameters that differ between the two are where "now" goes.
STAND_INS = (datetime(2001, 2, 3, 4, 5, 6, 789012, UTC), datetime(2002, 3, 4, 5, 6, 7, 890123, UTC))


def _moment_query(name: str, now: datetime) -> tuple[str, list]:
    """The SQL and parameters of timed change `name`'s latest moment at `now`.

    Building the query through the ORM costs far more than running it, on every page
    served, so it is built once and only "now" is put in for each request. A query that
    uses "now" in any other way (shifted by an interval, say) is built every time.
    """
    compiled = _compiled_moment_query(name, connection.vendor)
    if compiled is None:
        return _scalar_subquery(registry.timed_changes[name].passed(now))
    sql, params, now_slots = compiled
    params = list(params)
    adapted_now = connection.ops.adapt_datetimefield_value(now)
    for slot in now_slots:
        params[slot] = adapted_now
    return sql, params


@cache
def _compiled_moment_query(name: str, vendor: str) -> tuple[str, tuple, list[int]] | None:
    passed = registry.timed_changes[name].passed
    (sql, first), (other_sql, second) = (_scalar_subquery(passed(at)) for at in STAND_INS)
    stand_ins = [connection.ops.adapt_datetimefield_value(at) for at in STAND_INS]
    if sql != other_sql or len(first) != len(second):
        return None
    now_slots = []
    for slot, pair in enumerate(zip(first, second, strict=True)):
        if pair[0] == pair[1]:
            continue
        if list(pair) != stand_ins:
            return None
        now_slots.append(slot)
    return sql, tuple(first), now_slots


@receiver(setting_changed)
def _forget_compiled_queries(**kwargs) -> None:
    # A timed change's query may read settings (when comments close by age): tests
    # change them with override_settings; a running site never does.
    _compiled_moment_query.cache_clear()


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
