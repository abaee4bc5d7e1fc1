"""The comment POST on SQLite and on PostgreSQL (issue 14): its statements, its write
transactions, and its p50 and p99, with Akismet answering at once and in 50 ms.

For each database, a process of its own seeds the small site on a database of its own
(a SQLite file in the run's folder; on PostgreSQL a database `bench_comment_post`,
created on the server DATABASE_URL or BENCH_POSTGRES_URL names, by default
127.0.0.1:5432 as user postgres, and dropped afterwards), gives the post that receives
the comments 100 approved ones, and starts the fake Akismet (tests/fake_akismet.py), its
"slow" fault set to the delay. Then, through the test client, a visitor comments once
(untimed: their session starts), once more with the queries captured, and `--comment-posts`
times more, timed up to the redirect. Each comment comes from a new address and email,
so flood control and the rate limit let it through; each is held for moderation, and its
email task enqueued. The counts follow tests/statements.py: statements other than
transaction control, and BEGIN … COMMIT blocks holding a write plus writes outside any.

Targets: at most 12 statements and 2 write transactions for an accepted comment with
Akismet enabled. `.venv/bin/python -m bench.run --comment-post-only` runs this alone.
"""

import json
import os
import subprocess
import sys
import time
from itertools import count
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DELAYS_S = (0.0, 0.050)
MAX_STATEMENTS = 12
MAX_WRITE_TRANSACTIONS = 2
THREAD_COMMENTS = 100
POSTGRES_DATABASE = "bench_comment_post"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


# The child process: seed, post comments, print the figures
# ----------------------------------------------------------------------------------------


def child(posts: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from tests.fake_akismet import FakeAkismet

    from . import seed

    seed.seed_small_site()
    post = seed.post_by_number(0)
    seed._create_thread(post, THREAD_COMMENTS)
    fake_akismet = FakeAkismet().start()
    try:
        runs = [_measure(post, fake_akismet, delay_s, posts) for delay_s in DELAYS_S]
    finally:
        fake_akismet.stop()
    print(json.dumps({"database": _database_name(connection), "runs": runs}))


def _measure(post, fake_akismet, delay_s: float, posts: int) -> dict:
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from tests.fake_akismet import VALID_KEY
    from tests.statements import cost

    from .inprocess import comment_poster, visitor
    from .timing import percentile, timed

    fake_akismet.reset()
    fake_akismet.slow_seconds = delay_s
    fake_akismet.set_fault("slow" if delay_s else None)
    # One returning visitor: the session the first comment started.
    numbers = count(int(delay_s * 1_000_000) + 1)
    submit = comment_poster(visitor(), post, numbers, new_visitor_each_time=False)

    with override_settings(AKISMET_API_KEY=VALID_KEY, AKISMET_API_URL=fake_akismet.url):
        submit()
        with CaptureQueriesContext(connection) as queries:
            submit()
        spent = cost(queries.captured_queries)
        # The two above warmed up the process.
        samples = timed(submit, budget_seconds=300, max_samples=posts, min_samples=posts, warmup=0)
    return {
        "delay_s": delay_s,
        "statements": len(spent.statements),
        "write_transactions": spent.write_transactions,
        "p50_s": percentile(samples, 50),
        "p99_s": percentile(samples, 99),
        "timed": len(samples),
        "checked": len(fake_akismet.requests_to("comment-check")),
        "posted": posts + 2,
    }


def _database_name(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    version = connection.pg_version
    return f"PostgreSQL {version // 10000}.{version % 10000}"


# The parent: one child a database, then the report's lines
# ----------------------------------------------------------------------------------------


def measure(*, workdir: Path, env: dict[str, str], posts: int) -> list[str]:
    """The comment POST on SQLite, then on PostgreSQL when a server answers."""
    sqlite_file = workdir / "comment-post.sqlite3"
    found = [_run_child(env, f"sqlite:///{sqlite_file}", posts)]
    postgres_url, skipped = _postgres_database(env)
    if postgres_url:
        try:
            found.append(_run_child(env, postgres_url, posts))
        finally:
            _postgres_drop(postgres_url)
    return lines(found, postgres_skipped=skipped)


def _run_child(env: dict[str, str], database_url: str, posts: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.comment_post", "--child", str(posts)],
        env={**env, "DATABASE_URL": database_url},
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _postgres_database(env: dict[str, str]) -> tuple[str, str]:
    """The URL of a new, empty `bench_comment_post`, or why there is none."""
    configured = os.environ.get("DATABASE_URL", "")
    if urlsplit(configured).scheme not in ("postgres", "postgresql", "pgsql"):
        configured = env.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    url = urlunsplit(urlsplit(configured)._replace(path=f"/{POSTGRES_DATABASE}"))
    try:
        with _maintenance(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
    except Exception as error:  # No server, no driver, no rights: the rows say so.
        return "", f"PostgreSQL not reached ({type(error).__name__}: {error})".strip()
    return url, ""


def _postgres_drop(url: str) -> None:
    assert urlsplit(url).path.lstrip("/") == POSTGRES_DATABASE, url
    with _maintenance(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')


def _maintenance(url: str):
    """An autocommit connection to the server's `postgres` database."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=3
    )


def lines(found: list[dict], *, postgres_skipped: str = "") -> list[str]:
    rows, targets = [], []
    for each in found:
        for run in each["runs"]:
            akismet = f"in {run['delay_s'] * 1000:.0f} ms" if run["delay_s"] else "at once"
            rows.append(
                f"| {each['database']} | {akismet} | {run['statements']} | "
                f"{run['write_transactions']} | {_ms(run['p50_s'])} | {_ms(run['p99_s'])} | "
                f"{run['timed']} timed; Akismet checked {run['checked']} of {run['posted']} |"
            )
        statements = max(run["statements"] for run in each["runs"])
        writes = max(run["write_transactions"] for run in each["runs"])
        targets += [
            _target(f"≤ {MAX_STATEMENTS} queries, {each['database']}", statements, MAX_STATEMENTS),
            _target(
                f"≤ {MAX_WRITE_TRANSACTIONS} write transactions, {each['database']}",
                writes,
                MAX_WRITE_TRANSACTIONS,
            ),
        ]
    if postgres_skipped:
        targets += [
            f"| ≤ {MAX_STATEMENTS} queries, PostgreSQL | {postgres_skipped} | SKIP |",
            f"| ≤ {MAX_WRITE_TRANSACTIONS} write transactions, PostgreSQL | not measured | SKIP |",
        ]
    met = sum("| PASS |" in target for target in targets)
    return [
        "### The comment POST on each database (in process)",
        "",
        "A returning visitor's held comment with Akismet enabled (the fake server), on the "
        f"small site, to a post with {THREAD_COMMENTS} comments. Queries are statements "
        "other than transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE); "
        "write transactions are BEGIN … COMMIT blocks holding a write, plus writes outside "
        "any block (tests/statements.py).",
        "",
        "| database | Akismet answers | queries | write transactions | p50 ms | p99 ms | POSTs |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "| target | measured | result |",
        "| --- | --- | --- |",
        *targets,
        "",
        f"Comment POST targets met: {met} of {len(targets)}.",
    ]


def _target(name: str, measured: int, limit: int) -> str:
    return f"| {name} | {measured} | {'PASS' if measured <= limit else '**MISS**'} |"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        started = time.perf_counter()
        child(int(sys.argv[2]))
        _log(f"Measured the comment POST in {time.perf_counter() - started:.1f} s.")
