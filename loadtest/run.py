"""Load test: 16 clients post 1000 comments and read pages at once, against gunicorn.

For each database (SQLite, then PostgreSQL when pg_isready answers) a child process
creates a fresh database (a SQLite file in a temporary folder, or `loadtest_blog` on the
local PostgreSQL), migrates it, loads the demo posts, collects the static files, starts
gunicorn on a free port of 127.0.0.1 with DEBUG off, loads it, stops it, checks the
answers, the database and the server's log, and drops the database. Prints a table per
database and both side by side, writes loadtest/results.md, and exits non-zero when a
check fails. Loopback only; the work is bounded and so is the time (--max-seconds).

    make loadtest      # or: .venv/bin/python -m loadtest.run [--database sqlite] [--comments 200]
"""

import argparse
import io
import json
import logging
import os
import platform
import runpy
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from loadtest.clients import Plan, Tally, plan_comments, run_load

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.md")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "loadtest_blog"  # never the site's own `blog` or the suite's `test_blog`


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report:
        return run_one_database(args)
    wanted = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    reports = []
    for database in wanted:
        if database == "postgres" and not postgres_is_ready():
            print("PostgreSQL does not answer on 127.0.0.1:5432 (pg_isready): skipped.\n")
            continue
        reports.append(run_child(database, args))
    if not reports:
        return 1
    table = summary_table(reports)
    print(f"\n{table}")
    RESULTS.write_text(results_page(reports, table))
    failed = [r["label"] for r in reports if not r["passed"]]
    print(f"\nFailed: {', '.join(failed)}." if failed else "\nAll checks passed.")
    return 1 if failed else 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--comments", type=int, default=1000, help="comments to post")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--flood-probes", type=int, default=25, help="second comments, same IP")
    parser.add_argument("--duplicate-probes", type=int, default=25, help="same comment again")
    parser.add_argument("--doubles", type=int, default=10, help="comments posted twice at once")
    parser.add_argument("--max-seconds", type=float, default=240, help="stop posting after this")
    parser.add_argument("--keep", action="store_true", help="keep the database and the log")
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)  # set for the child
    return parser.parse_args(argv)


def run_child(database: str, args) -> dict:
    """Run one database in its own process: Django's settings are set once per process."""
    with tempfile.TemporaryDirectory(prefix="loadtest-report-") as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "loadtest.run", "--database", database]
        command += ["--report", str(report), *passed_on(args)]
        code = subprocess.run(command, cwd=ROOT).returncode
        if report.exists():
            return json.loads(report.read_text())
    label = LABELS[database]
    failure = ["the run itself", False, f"ended with status {code} before its checks"]
    return {"label": label, "passed": False, "figures": {}, "checks": [failure]}


def passed_on(args) -> list[str]:
    """The options of this run, for the child's command line."""
    options = ["comments", "clients", "flood_probes", "duplicate_probes", "doubles", "max_seconds"]
    line = [f"--{name.replace('_', '-')}={getattr(args, name)}" for name in options]
    return line + (["--keep"] if args.keep else [])


def postgres_is_ready() -> bool:
    if shutil.which("pg_isready") is None:
        return False
    command = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]
    return subprocess.run(command, check=False).returncode == 0


# One database, in the child process
# ----------------------------------------------------------------------------------------


def run_one_database(args) -> int:
    label = LABELS[args.database]
    workdir = Path(tempfile.mkdtemp(prefix=f"loadtest-{args.database}-"))
    database_url = create_database(args.database, workdir)
    try:
        report = load_and_check(args, label, workdir, database_url)
    finally:
        if args.keep:
            print(
                f"{label}: kept {workdir}"
                + (f" and {database_url}" if "postgres" in database_url else "")
            )
        else:
            drop_database(database_url)
            shutil.rmtree(workdir, ignore_errors=True)
    args.report.write_text(json.dumps(report))
    return 0 if report["passed"] else 1


def create_database(database: str, workdir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir / 'loadtest.sqlite3'}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def drop_database(database_url: str) -> None:
    if database_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def configure(workdir: Path, database_url: str) -> None:
    """The environment of the site as in production, for this process and gunicorn."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="loadtest.settings",
        LOADTEST_STATIC_ROOT=str(workdir / "static"),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # thrown away with the run
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",  # plain http on 127.0.0.1: no HTTPS redirect, no secure cookies
        DATABASE_URL=database_url,
        REDIS_URL="",  # each worker's local-memory cache, as by default
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        AKISMET_API_KEY="",  # spam checking off: comments are held as pending
        # Every request comes from 127.0.0.1; the site reads each visitor's own address
        # from X-Forwarded-For, as behind one reverse proxy.
        TRUSTED_PROXIES="1",
        COMMENTS_FLOOD_SECONDS="15",
        # The default limit: each comment has its own address, so only the burst probe
        # from one address reaches it.
        COMMENTS_RATE_LIMIT="30/10m",
        COMMENTS_CLOSE_AFTER_DAYS="0",
        # Moderators are "emailed" about each held comment, through the dummy backend.
        COMMENTS_MODERATOR_EMAILS="moderators@example.org",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )


def prepare_site() -> tuple[list[tuple[str, str]], list[str]]:
    """Migrate, collect static files, load the demo posts; the posts and pages to visit."""
    from django.core.management import call_command
    from django.urls import reverse

    from blog.models import Post
    from comments.services import comments_are_open

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    posts = [p for p in Post.objects.published().order_by("pk") if comments_are_open(post=p)]
    targets = [(p.get_absolute_url(), reverse("comments:post-comment", args=[p.pk])) for p in posts]
    tags = sorted({slug for post in posts for slug in post.tags.slugs()})
    reads = []
    for n in range(max(len(posts), len(tags))):
        reads += [reverse("blog:home"), targets[n % len(targets)][0]]
        reads += [reverse("blog:tag", args=[tags[n % len(tags)]])] if tags else []
    return targets, reads


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(workdir: Path):
    """gunicorn serving the site on a free port of 127.0.0.1; stopped however the run ends."""
    port = free_port()
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    config = ROOT / "gunicorn.conf.py"
    command += ["--config", str(config)] if config.exists() else ["--workers", "2"]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_answering(server, base_url, log)
        yield base_url, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_answering(server: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


def load_and_check(args, label: str, workdir: Path, database_url: str) -> dict:
    configure(workdir, database_url)
    import django

    django.setup()
    from django.db import connections

    # The site's logging shows INFO on the console; one line per request is too many.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return measure(args, label, workdir)
    finally:
        connections.close_all()  # so that the database can be dropped


def measure(args, label: str, workdir: Path) -> dict:
    """Prepare the site, load it through gunicorn, and check what came of it."""
    from django.conf import settings
    from django.db import connections

    from loadtest import verify

    print(f"{label}: migrating, collecting static files, loading the demo posts…")
    posts, reads = prepare_site()
    connections.close_all()  # gunicorn's workers are the only ones at work from now on
    run_id = secrets.token_hex(4)
    rate_limit = getattr(settings, "COMMENTS_RATE_LIMIT", None)
    plan = Plan(
        comments=plan_comments(
            posts=posts, count=args.comments, run_id=run_id, doubles=args.doubles
        ),
        read_paths=reads,
        flood_probes=args.flood_probes,
        duplicate_probes=args.duplicate_probes,
        rate_limit=rate_limit[0] if rate_limit else 0,
        flood_seconds=settings.COMMENTS_FLOOD_SECONDS,
    )
    server = gunicorn_description()
    load_before = os.getloadavg()[0]
    with gunicorn(workdir) as (base_url, log):
        print(
            f"{label}: gunicorn ({server}) on {base_url}; {args.clients} clients post "
            f"{args.comments} comments over {len(posts)} posts and read pages in turn…"
        )
        tally = run_load(
            base_url=base_url, plan=plan, clients=args.clients, max_seconds=args.max_seconds
        )
    log_checks, alarms = verify.log_checks(log)
    checks = [*verify.answer_checks(tally, plan), *verify.database_checks(tally), *log_checks]
    report = {
        "label": label,
        "passed": all(ok for _, ok, _ in checks),
        "figures": figures(tally, alarms, server=server, load_before=load_before),
        "checks": checks,
        "problems": tally.problems[:20],
    }
    print(f"\n{summary_table([report])}\n")
    for name, ok, detail in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))
    for problem in tally.problems[:20]:
        print(f"  ! {problem}")
    print()
    return report


def gunicorn_description() -> str:
    """How gunicorn will run, e.g. "2 gthread workers × 4 threads", from gunicorn.conf.py."""
    config = ROOT / "gunicorn.conf.py"
    if not config.exists():
        return "2 sync workers"
    values = runpy.run_path(str(config))
    workers, kind = values.get("workers", 1), values.get("worker_class", "sync")
    threads = f" × {values['threads']} threads" if kind == "gthread" else ""
    return f"{workers} {kind} workers{threads}, gunicorn.conf.py"


# Figures
# ----------------------------------------------------------------------------------------


def figures(tally: Tally, alarms: dict, *, server: str, load_before: float) -> dict:
    results = Counter(o.result for o in tally.outcomes)
    statuses = [status for _, status, _ in tally.requests]
    return {
        "requests": len(tally.requests),
        "gets": sum(1 for method, _, _ in tally.requests if method == "GET"),
        "posts": sum(1 for method, _, _ in tally.requests if method == "POST"),
        "accepted": results["accepted"],
        "flood": results["flood"],
        "duplicate": results["duplicate"],
        "rate": results["rate"],
        "5xx": sum(1 for status in statuses if status and status >= 500),
        "unanswered": statuses.count(None),
        "locked": alarms.get("database is locked", 0),
        "post_ms": percentiles(tally.latencies("POST")),
        "get_ms": percentiles(tally.latencies("GET")),
        "seconds": round(tally.duration, 1),
        "per_second": round(tally.requests_in_load / tally.duration, 1) if tally.duration else 0,
        "server": server,
        "load_before": round(load_before, 2),
    }


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    if len(seconds) < 2:
        return (0.0, 0.0)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return (round(statistics.median(seconds) * 1000), round(cuts[98] * 1000))


ROWS = [
    ("requests (GET + POST)", lambda f: f"{f['requests']} ({f['gets']} + {f['posts']})"),
    ("comments accepted (302)", lambda f: f["accepted"]),
    ("refused: flood (429)", lambda f: f["flood"]),
    ("refused: duplicate (409)", lambda f: f["duplicate"]),
    ("refused: rate limit (429)", lambda f: f["rate"]),
    ("5xx answers", lambda f: f["5xx"]),
    ("no answer (connection error, timeout)", lambda f: f["unanswered"]),
    ('"database is locked" in the log', lambda f: f["locked"]),
    ("POST latency p50 / p99", lambda f: "{} / {} ms".format(*f["post_ms"])),
    ("GET latency p50 / p99", lambda f: "{} / {} ms".format(*f["get_ms"])),
    (
        "duration of the concurrent load",
        lambda f: f"{f['seconds']} s ({f['per_second']} requests/s)",
    ),
    ("gunicorn", lambda f: f["server"]),
    ("load average before the run", lambda f: f["load_before"]),
]


def summary_table(reports: list[dict]) -> str:
    lines = [
        "| | " + " | ".join(r["label"] for r in reports) + " |",
        "| --- |" + " --- |" * len(reports),
    ]
    for name, show in ROWS:
        cells = [str(show(r["figures"])) if r["figures"] else "–" for r in reports]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    verdicts = [
        "all passed" if r["passed"] else f"{sum(not ok for _, ok, _ in r['checks'])} failed"
        for r in reports
    ]
    lines.append("| checks | " + " | ".join(verdicts) + " |")
    return "\n".join(lines)


def results_page(reports: list[dict], table: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Latest load test",
        "",
        f"`make loadtest`, {when}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        table,
        "",
    ]
    for report in reports:
        lines.append(f"{report['label']}:")
        lines += [
            f"- {'ok' if ok else 'FAILED'}: {name} ({detail})"
            for name, ok, detail in report["checks"]
        ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
