"""Benchmark the public pages and the comment POST against a fresh database.

Fills a throwaway database (a SQLite file in a temporary folder, or a test database
beside DATABASE_URL's when that is set) with 200 posts and one post with 300 approved
comments, then times a bounded number of requests through Django's test client: no
server and no network. Prints a table, writes bench/results.txt, and exits non-zero
when a target from bench/README.md is missed.

    make bench                     # or: .venv/bin/python bench/run.py --requests 50
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.txt")

# name: (p95 limit in ms, query limit). The post page's queries must also not grow
# with its comments, which run() checks against a post with one comment.
TARGETS = {
    "home": (50, 8),
    "post, 300 comments": (150, 12),
    "post, 300, cold cache": (400, 12),
    "atom feed": (100, 8),
    "comment POST": (100, 20),
}
MEMORY_LIMIT_MB = 25  # peak Python allocations while serving one request


def configure(workdir: Path) -> bool:
    """Point Django at a throwaway database; True when it must be created as a test DB."""
    sys.path.insert(0, str(ROOT))
    external = bool(os.environ.get("DATABASE_URL"))
    if not external:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="",  # measure what production runs
        AKISMET_API_KEY="",  # never contact Akismet
        COMMENTS_MODERATOR_EMAILS="",
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
    )
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    return external


def fill_database(posts: int, comments: int):
    """Create the posts and the discussions; return (busy post, quiet post, open post)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from blog.models import Post
    from comments.models import Comment

    author = User.objects.create_user("bench", first_name="Bench", last_name="Author")
    now = timezone.now()
    body = "Some *commentary* with a [link](https://example.org/) and a list:\n\n- one\n- two\n"
    Post.objects.bulk_create(
        rendered(
            Post(
                title=f"Post number {number}",
                slug=f"post-number-{number}",
                author=author,
                body=body * 3,
                excerpt="A quoted passage from the source." if number % 3 == 0 else "",
                source_url=f"https://example.org/{number}" if number % 3 == 0 else "",
                source_title="The source" if number % 3 == 0 else "",
                source_name="Example" if number % 3 == 0 else "",
                status=Post.Status.PUBLISHED,
                published_at=now - timedelta(hours=number),
            )
        )
        for number in range(posts)
    )
    tags = ["python", "django", "sqlite", "web", "spam"]
    for number, post in enumerate(Post.objects.all()):
        post.tags.add(tags[number % 5], tags[(number + 2) % 5])

    # Posts from the middle of the list, so each page has both previous and next links.
    busy, quiet, open_post = Post.objects.order_by("-published_at")[1:4]
    top_level = comments * 2 // 3
    Comment.objects.bulk_create(
        rendered(comment(busy, number, now - timedelta(minutes=comments - number)))
        for number in range(top_level)
    )
    parents = list(Comment.objects.filter(post=busy).order_by("id"))
    Comment.objects.bulk_create(
        rendered(comment(busy, number, now, parent=parents[number % len(parents)]))
        for number in range(top_level, comments)
    )
    comment(quiet, 0, now).save()
    return busy, quiet, open_post


def rendered(instance):
    """bulk_create skips save(), where the HTML is rendered: render it here."""
    instance.render_html()
    return instance


def comment(post, number, created_at, parent=None):
    from comments.models import Comment

    return Comment(
        post=post,
        parent=parent,
        author_name=f"Reader {number}",
        author_email=f"reader{number}@example.com",
        author_url="https://example.com/" if number % 4 == 0 else "",
        body=f"Comment {number}, see https://example.org/{number}.\n\nA second paragraph.",
        status=Comment.Status.APPROVED,
        akismet_verdict=Comment.Verdict.HAM,
        created_at=created_at,
    )


def timed_requests(send, count: int) -> list[float]:
    """Milliseconds for each of `count` requests, after a short warm-up."""
    for _ in range(min(5, count)):
        send()
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        send()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def count_queries(send) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        send()
    return len(queries)


def measure(name: str, send, count: int) -> dict:
    """Time `send`, count its queries once, and trace its peak memory once."""
    queries = count_queries(send)
    tracemalloc.start()
    send()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    timings = timed_requests(send, count)
    return {
        "name": name,
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20)[-1],
        "queries": queries,
        "peak_mb": peak / 1024 / 1024,
    }


def get(client, url: str, status: int = 200):
    def send():
        response = client.get(url)
        if response.status_code != status:
            raise SystemExit(f"GET {url} answered {response.status_code}, not {status}")
        return response

    return send


def cold(send):
    """`send` with the cache emptied first, as the first visitor after a change sees it."""
    from django.core.cache import cache

    def send_cold():
        cache.clear()
        return send()

    return send_cold


def comment_sender(client, post):
    """A function posting a new comment per call, or None while comments have no URL."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("comments:post-comment", args=[post.pk])
    except NoReverseMatch:
        return None
    numbers = iter(range(1, 10**6))

    def send():
        number = next(numbers)
        response = client.post(
            url,
            {
                "author_name": f"Bench visitor {number}",
                "author_email": f"visitor{number}@example.com",
                "body": f"Comment {number} from the benchmark.",
            },
            # A new address each time, so flood control lets every comment through.
            REMOTE_ADDR=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
        )
        if response.status_code not in (302, 303):
            raise SystemExit(f"POST {url} answered {response.status_code}, not a redirect")
        return response

    return send


def check(row: dict) -> list[str]:
    p95_limit, query_limit = TARGETS[row["name"]]
    misses = []
    if row["p95"] > p95_limit:
        misses.append(f"{row['name']}: p95 {row['p95']:.1f} ms > {p95_limit} ms")
    if row["queries"] > query_limit:
        misses.append(f"{row['name']}: {row['queries']} queries > {query_limit}")
    if row["peak_mb"] > MEMORY_LIMIT_MB:
        misses.append(f"{row['name']}: peak {row['peak_mb']:.1f} MB > {MEMORY_LIMIT_MB} MB")
    return misses


def run(args) -> tuple[list[str], list[str]]:
    """Fill the database, measure every page; return (report lines, missed targets)."""
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    busy, quiet, open_post = fill_database(args.posts, args.comments)
    print(f"Filled the database in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    # A visitor's own pending comments show on the post page: keep each row's cookies apart.
    cases = [
        ("home", get(Client(), "/")),
        ("post, 300 comments", get(Client(), busy.get_absolute_url())),
        ("post, 300, cold cache", cold(get(Client(), busy.get_absolute_url()))),
        ("atom feed", get(Client(), "/feed/atom/")),
        ("comment POST", comment_sender(Client(), open_post)),
    ]
    rows, misses, notes = [], [], []
    for name, send in cases:
        if send is None:
            notes.append(f"{name}: skipped, the URL comments:post-comment does not exist yet")
            continue
        rows.append(measure(name, send, args.requests))
        misses += check(rows[-1])

    # Intended to prevent an n+1 issue: the thread must load in the same number of
    # queries whatever the number of comments.
    quiet_queries = count_queries(get(Client(), quiet.get_absolute_url()))
    busy_queries = rows[1]["queries"]
    if quiet_queries != busy_queries:
        misses.append(
            f"post page: {busy_queries} queries with {args.comments} comments, "
            f"{quiet_queries} with 1"
        )

    import django

    database = connection.vendor
    if database == "sqlite":
        database += f" {connection.Database.sqlite_version}"
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"Benchmark of {time.strftime('%Y-%m-%d %H:%M')}: {args.requests} requests per row, "
        f"{args.posts} posts, {args.comments} comments on the busy post.",
        f"Python {platform.python_version()}, Django {django.get_version()}, {database}.",
        "",
        f"{'page':<22}{'median ms':>10}{'p95 ms':>10}{'target':>9}{'queries':>9}{'peak MB':>9}",
    ]
    for row in rows:
        lines.append(
            f"{row['name']:<22}{row['median']:>10.1f}{row['p95']:>10.1f}"
            f"{'< ' + str(TARGETS[row['name']][0]):>9}{row['queries']:>9}{row['peak_mb']:>9.1f}"
        )
    lines += [
        "",
        f"Post page queries: {quiet_queries} with 1 comment, {busy_queries} with {args.comments}.",
        f"Process peak RSS: {max_rss:.0f} MB.",
        *notes,
        "",
        "All targets met." if not misses else "Missed targets:",
        *(f"  - {miss}" for miss in misses),
    ]
    return lines, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--comments", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blog-bench-") as workdir:
        external = configure(Path(workdir))
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import override_settings

        if external:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            call_command("migrate", verbosity=0)
        try:
            with override_settings(
                ALLOWED_HOSTS=["testserver"],
                STATIC_ROOT=workdir,
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
                # No collectstatic here: plain storage, as whitenoise would serve the files.
                STORAGES={
                    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
            ):
                lines, misses = run(args)
        finally:
            if external:
                connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
            connection.close()

    report = "\n".join(lines) + "\n"
    print(report, end="")
    RESULTS.write_text(report)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
