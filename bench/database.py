"""The benchmark's throwaway database.

A SQLite file in the run's temporary folder by default; config/settings.py gives it the
production options (WAL, busy timeout, IMMEDIATE transactions), since the benchmark hands
it over as DATABASE_URL. When DATABASE_URL points to PostgreSQL, the benchmark creates a
database of its own on that server, `bench_blog`, and drops it afterwards: it never
touches the database the URL names.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "bench_blog"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def throwaway_url(configured_url: str, workdir: Path) -> str:
    """The DATABASE_URL the benchmark runs on; PostgreSQL's `bench_blog` is created empty."""
    if not configured_url or not is_postgres(configured_url):
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    url = _with_database(configured_url, BENCH_DATABASE)
    with _maintenance_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return url


def drop(url: str) -> None:
    """Drop `bench_blog` after a PostgreSQL run; SQLite's file goes with its folder."""
    if not is_postgres(url):
        return
    # Never anything but the benchmark's own database, whatever the URL says.
    assert urlsplit(url).path.lstrip("/") == BENCH_DATABASE, url
    with _maintenance_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def describe(url: str) -> str:
    """The database without its password, for the report."""
    parts = urlsplit(url)
    if not is_postgres(url):
        return "SQLite file in a temporary folder"
    return f"PostgreSQL database {BENCH_DATABASE} on {parts.hostname}:{parts.port or 5432}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _maintenance_connection(url: str):
    """An autocommit connection to the server's `postgres` database (CREATE DATABASE
    cannot run inside a transaction, nor while connected to the database it drops)."""
    import psycopg

    return psycopg.connect(_with_database(url, "postgres"), autocommit=True)
