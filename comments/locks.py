"""Locks that make concurrent submissions wait for each other, where the database needs it.

SQLite's IMMEDIATE transactions already run one writer at a time. PostgreSQL runs them
side by side, so a check-then-insert (is this a duplicate? how many in the window?) needs a
lock. These are advisory locks: held until the transaction ends, touching no table.
"""

from django.db import connection


def wait_for_writers_of(*keys: str) -> None:
    """Within a transaction: wait until no other transaction holds a lock on any of
    `keys`, then hold them. Taken in sorted order, so two requests cannot deadlock, and in
    one statement: PostgreSQL evaluates a select list from left to right."""
    if connection.vendor != "postgresql" or not keys:
        return
    keys = sorted(set(keys))
    locks = ", ".join(["pg_advisory_xact_lock(hashtextextended(%s, 0))"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {locks}", keys)
