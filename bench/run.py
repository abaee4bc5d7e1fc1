"""Benchmark the public pages and the comment POST against a throwaway database.

1. Builds a deterministic database (bench/seed.py): a site of 100 posts, measured, then
   the same site grown to 10,000 posts with posts of 10, 100 and 1000 comments.
2. In this process, through Django's test client: SQL queries and median server time of
   each page with the cache on and off, a conditional GET's cost, the thread render alone,
   and the comment POST against a fake Akismet answering in 50 ms.
   Then the admin's moderation queue with 100 and 10,000 held comments (moderation.py).
3. Under gunicorn (2 workers) with wrk on 127.0.0.1: each page's requests/s and latency,
   the same for a static copy of the page (the ceiling), and the 100-comment page with
   no cache at all. Then search at 50,000 posts (search.py) and the home and tag pages
   there (lists.py), the page cache under reads and approvals in a process of its own
   (cache_mix.py), and the WordPress import.
4. Prints the tables and the targets met or missed, and writes bench/results.md and the
   last results in bench/README.md. Exits 0 unless something crashed: a missed target is
   reported, not fatal.

    make bench      # or: .venv/bin/python -m bench.run [--seconds 5] [--no-load]
"""

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    cache_mix,
    comment_post,
    database,
    imports,
    inprocess,
    lists,
    load,
    moderation,
    report,
    search,
    seed,
)

FAKE_AKISMET_DELAY_S = report.AKISMET_DELAY_S


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(workdir: Path, database_url: str) -> dict[str, str]:
    """What this process and every gunicorn it starts run with: production settings
    (DEBUG off), the throwaway database, and nothing that leaves 127.0.0.1."""
    # Retired by the settings, which refuse it; HTTPS is DJANGO_HTTPS now.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_SECURE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": inprocess.HOST,
        # Plain http on 127.0.0.1, as `make serve`: no redirect to https.
        "DJANGO_HTTPS": "0",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        # Moderators are emailed about each held comment, into memory.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "COMMENTS_MODERATOR_EMAILS": "moderators@example.com",
        # Pages are measured without spam checking; the comment POST turns it on
        # against the fake Akismet.
        "AKISMET_API_KEY": "",
    }


def page_urls() -> dict[str, str]:
    """Every measured page of the large site."""
    return {
        report.POST_10: seed.commented_post(10).get_absolute_url(),
        report.POST_100: seed.commented_post(100).get_absolute_url(),
        report.POST_1000: seed.commented_post(1000).get_absolute_url(),
        **scaled_page_urls(),
    }


def scaled_page_urls() -> dict[str, str]:
    """The pages compared between 100 and 10,000 posts (they exist on both sites)."""
    from django.urls import reverse

    year, month = seed.MEASURED_MONTH
    return {
        report.HOME: reverse("blog:home"),
        report.TAG: reverse("blog:tag", kwargs={"slug": seed.MEASURED_TAG}),
        report.MONTH: reverse("blog:archive-month", kwargs={"year": year, "month": month}),
    }


def measure_in_process(args, machine: dict[str, str]) -> report.Results:
    """Seed, and measure everything the test client can: all the results but the load."""
    from tests.fake_akismet import FakeAkismet

    started = time.perf_counter()
    seed.seed_small_site()
    log(f"Seeded the small site ({seed.SMALL_SITE_POSTS} posts) in {_since(started)}.")
    small_site = {
        name: inprocess.measure_page(url, budget_seconds=args.budget)
        for name, url in scaled_page_urls().items()
    }
    log("Measured the small site.")

    started = time.perf_counter()
    seed.seed_large_site()
    log(f"Seeded the large site ({seed.LARGE_SITE_POSTS:,} posts, threads) in {_since(started)}.")
    pages = {}
    for name, url in page_urls().items():
        pages[name] = inprocess.measure_page(url, budget_seconds=args.budget)
        log(f"Measured {name} in process.")
    thread_render_s = inprocess.measure_thread_render(
        seed.commented_post(1000), budget_seconds=args.budget
    )
    from django.urls import reverse

    rendered_s, floor_s = inprocess.measure_rendered_against_floor(
        page_urls()[report.POST_100], reverse("core:robots-txt"), budget_seconds=args.budget
    )
    log("Measured the 100-comment page rendered for each request, against /robots.txt.")

    # The fake's "slow" fault waits `slow_seconds`, then answers as Akismet would.
    fake_akismet = FakeAkismet().start()
    fake_akismet.slow_seconds = FAKE_AKISMET_DELAY_S
    fake_akismet.set_fault("slow")
    try:
        submission = inprocess.measure_comment_submission(
            seed.post_by_number(seed.POST_RECEIVING_COMMENTS),
            fake_akismet,
            requests=args.comment_posts,
        )
    finally:
        fake_akismet.stop()
    log("Measured the comment POST.")
    return report.Results(
        machine=machine,
        small_site=small_site,
        pages=pages,
        thread_render_s=thread_render_s,
        thread_comments=1000,
        rendered_s=rendered_s,
        floor_s=floor_s,
        submission=submission,
        # timed() sends two untimed POSTs first.
        submission_posts=args.comment_posts + 2,
        load_skipped=_load_skipped(args),
    )


def measure_load(results: report.Results, urls: dict[str, str], env: dict, workdir: Path, args):
    """Each page under gunicorn and its static copy, one after the other so that both see
    the same machine; then the 100-comment page with no cache."""
    from django.urls import reverse

    logs = workdir / "gunicorn.log"
    wrk_options = {"seconds": args.seconds, "keepalive": args.keepalive}
    # The cheapest page Django serves here, to tell Django's own cost from the pages'.
    floor_path = reverse("core:robots-txt")
    with load.Gunicorn("config.wsgi:application", env=env, log=logs) as app:
        saved = {path: load.warm(app.base_url, path) for path in [*urls.values(), floor_path]}
        pages_file = workdir / "static-pages.json"
        load.save_static_copies(pages_file, saved)
        static_env = {**env, "BENCH_STATIC_PAGES": str(pages_file)}
        with load.Gunicorn("bench.static_app:application", env=static_env, log=logs) as static:
            for name, path in urls.items():
                load.warm(static.base_url, path)
                results.load[name] = report.PageLoad(
                    app=load.run_wrk(app.base_url + path, **wrk_options),
                    static=load.run_wrk(static.base_url + path, **wrk_options),
                    bytes=len(saved[path].body),
                )
                log(
                    f"Loaded {name} under gunicorn: "
                    f"{results.load[name].app.requests_per_second:.0f} req/s, "
                    f"static copy {results.load[name].static.requests_per_second:.0f}."
                )
            load.warm(static.base_url, floor_path)
            results.floor_load = report.PageLoad(
                app=load.run_wrk(app.base_url + floor_path, **wrk_options),
                static=load.run_wrk(static.base_url + floor_path, **wrk_options),
                bytes=len(saved[floor_path].body),
            )

    # Every request rendered: the page cache off, the thread's fragment cache on.
    rendered_env = {**env, "PAGE_CACHE": "0"}
    with load.Gunicorn("config.wsgi:application", env=rendered_env, log=logs) as app:
        path = urls[report.POST_100]
        load.warm(app.base_url, path)
        results.rendered_load = load.run_wrk(app.base_url + path, **wrk_options)
        log("Loaded the 100-comment page, rendered every time, under gunicorn.")

    # Nothing cached at all, for comparison.
    nocache_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_nocache"}
    with load.Gunicorn("config.wsgi:application", env=nocache_env, log=logs) as app:
        path = urls[report.POST_100]
        load.warm(app.base_url, path)
        results.uncached_load = load.run_wrk(app.base_url + path, **wrk_options)
        log("Loaded the uncached 100-comment page under gunicorn.")


def run(args, workdir: Path) -> report.Results:
    import django
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    load_average = os.getloadavg()[0]
    database_url = database.throwaway_url(os.environ.get("DATABASE_URL", ""), workdir)
    try:
        env = environment(workdir, database_url)
        os.environ.update(env)
        django.setup()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        log(f"Migrated {database.describe(database_url)} and collected static files.")
        if args.queue_only:
            seed.seed_small_site()
            return moderation.measure(budget_seconds=args.budget)
        if args.import_only:
            return imports.measure(workdir=workdir, env=env)
        if args.cache_mix_only:
            return cache_mix.measure(workdir=workdir, env=env)
        if args.comment_post_only:
            return comment_post.measure(workdir=workdir, env=env, posts=args.comment_posts)
        if args.search_only:
            seed.seed_small_site()
            small_site = lists.measure_site(budget_seconds=args.budget)
            seed.seed_large_site()
            found = search.measure(budget_seconds=args.budget)
            return [*found, "", *lists.measure(small_site=small_site, budget_seconds=args.budget)]
        results = measure_in_process(args, _machine(database_url, args, load_average))
        results.moderation = moderation.measure(budget_seconds=args.budget)
        log("Measured the moderation queue.")
        urls = page_urls()
        connections.close_all()  # Gunicorn's workers have the database to themselves.
        if not results.load_skipped:
            measure_load(results, urls, env, workdir, args)
        # Last on this database: it grows the site to 50,000 posts.
        results.search = search.measure(budget_seconds=args.budget)
        log("Measured search at 50,000 posts.")
        small_site = {name: results.small_site[name].cache_off for name in lists.PAGES}
        results.lists = lists.measure(small_site=small_site, budget_seconds=args.budget)
        log("Measured the home and tag pages at 50,000 posts.")
        # In a process and on a SQLite database of its own, with a cache of its own.
        results.cache_mix = cache_mix.measure(workdir=workdir, env=env)
        log("Measured the page cache under a mixed workload.")
        # In processes and on databases of their own: SQLite, then PostgreSQL.
        results.comment_post = comment_post.measure(
            workdir=workdir, env=env, posts=args.comment_posts
        )
        log("Measured the comment POST on SQLite and PostgreSQL.")
        if not args.no_import:
            # Each import in a process and on a SQLite database of its own.
            results.imports = imports.measure(workdir=workdir, env=env)
            log("Measured the WordPress import.")
    finally:
        connections.close_all()
        database.drop(database_url)
    results.duration_s = time.perf_counter() - started
    return results


def _load_skipped(args) -> str:
    if args.no_load:
        return "--no-load was given"
    if load.wrk_path() is None:
        return "wrk is not installed (apt-get install wrk)"
    return ""


def _machine(database_url: str, args, load_average: float) -> dict[str, str]:
    import gunicorn
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        engine = f"SQLite {connection.Database.sqlite_version}"
    else:
        version = connection.pg_version
        engine = f"PostgreSQL {version // 10000}.{version % 10000}"
    config = load.GUNICORN_CONFIG.name if load.GUNICORN_CONFIG.exists() else "no config file"
    connections = "kept alive" if args.keepalive else "a new one per request"
    wrk = (
        f"{load.wrk_version()}, 1 thread, {load.CONNECTIONS} connections "
        f"({connections}), {args.seconds} s"
    )
    return report.machine(
        database=f"{engine} ({database.describe(database_url)})",
        cache=settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        gunicorn=f"{gunicorn.__version__}, {load.WORKERS} workers, {config}",
        wrk=wrk,
        load_average=load_average,
    )


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per page")
    parser.add_argument(
        "--budget", type=float, default=2.0, help="seconds of in-process requests per figure"
    )
    parser.add_argument("--comment-posts", type=int, default=60, help="timed comment POSTs")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn and wrk")
    parser.add_argument("--keepalive", action="store_true", help="wrk keeps its connections open")
    parser.add_argument(
        "--queue-only", action="store_true", help="only the moderation queue (bench/moderation.py)"
    )
    parser.add_argument(
        "--import-only", action="store_true", help="only the WordPress import (bench/imports.py)"
    )
    parser.add_argument(
        "--no-import", action="store_true", help="skip the WordPress import (about 6 minutes)"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only search and the home and tag pages at 50,000 posts (search.py, lists.py)",
    )
    parser.add_argument(
        "--cache-mix-only",
        action="store_true",
        help="only the page cache under reads and approvals (bench/cache_mix.py)",
    )
    parser.add_argument(
        "--comment-post-only",
        action="store_true",
        help="only the comment POST on SQLite and PostgreSQL (bench/comment_post.py)",
    )
    args = parser.parse_args()
    # A plain `kill` stops the run as Ctrl-C does: servers stopped, database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    try:
        with tempfile.TemporaryDirectory(prefix="blog-bench-") as workdir:
            results = run(args, Path(workdir))
    except KeyboardInterrupt:
        log("Interrupted: the servers are stopped and the database is gone.")
        return 130
    only = (
        args.queue_only,
        args.import_only,
        args.search_only,
        args.cache_mix_only,
        args.comment_post_only,
    )
    if any(only):
        print("\n".join(results))
        return 0
    text = report.render(results)
    print(text, end="")
    report.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
