"""The benchmark's figures as markdown: the machine, the tables, and each target met or
missed. The same text goes to the terminal, bench/results.md and bench/README.md."""

import os
import platform
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .inprocess import PageTimes, Submission
from .load import Load

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.md"
README = BENCH_DIR / "README.md"
README_START = "<!-- last-results:start -->"
README_END = "<!-- last-results:end -->"

# The pages, in the order of the tables.
POST_10 = "post, 10 comments"
POST_100 = "post, 100 comments"
POST_1000 = "post, 1000 comments"
HOME = "home"
TAG = "tag"
MONTH = "month archive"
PAGES = [POST_10, POST_100, POST_1000, HOME, TAG, MONTH]
SCALED_PAGES = [HOME, TAG, MONTH]

# The targets of issue 4, measured on the machine that runs the benchmark.
MAX_QUERIES_1000 = 8
MAX_THREAD_MICROSECONDS_PER_COMMENT = 30
MAX_RENDERED_OVER_FLOOR = 8.0
MAX_CACHED_1000_OVER_10 = 2.0
MAX_LARGE_OVER_SMALL = 1.5
MIN_SHARE_OF_STATIC = 0.5
MAX_CONDITIONAL_SHARE = 0.1
MIN_UNCACHED_REQUESTS_PER_SECOND = 300
AKISMET_DELAY_S = 0.050
MAX_SUBMISSION_P50_S = AKISMET_DELAY_S + 0.025


@dataclass
class PageLoad:
    app: Load
    static: Load
    bytes: int


@dataclass
class Results:
    machine: dict[str, str]
    small_site: dict[str, PageTimes]
    pages: dict[str, PageTimes]
    thread_render_s: float | None
    thread_comments: int
    submission: Submission
    submission_posts: int
    # The 100-comment post page rendered for each request, and /robots.txt, in process.
    rendered_s: float | None = None
    floor_s: float | None = None
    load: dict[str, PageLoad] = field(default_factory=dict)
    rendered_load: Load | None = None
    uncached_load: Load | None = None
    floor_load: PageLoad | None = None
    load_skipped: str = ""
    duration_s: float = 0.0
    # The moderation queue's section, from bench/moderation.py.
    moderation: list[str] = field(default_factory=list)
    # The search section, from bench/search.py.
    search: list[str] = field(default_factory=list)
    # The home and tag pages at 50,000 posts, from bench/lists.py.
    lists: list[str] = field(default_factory=list)
    # The page cache under reads and approvals, from bench/cache_mix.py.
    cache_mix: list[str] = field(default_factory=list)
    # The comment POST on SQLite and PostgreSQL, from bench/comment_post.py.
    comment_post: list[str] = field(default_factory=list)
    # The WordPress import's section, from bench/imports.py.
    imports: list[str] = field(default_factory=list)


def machine(
    *, database: str, cache: str, gunicorn: str, wrk: str, load_average: float
) -> dict[str, str]:
    """Where the figures come from; they mean little on another machine, or on this one
    while something else keeps its cores busy (the load average says so)."""
    import django

    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU model": _cpu_model(),
        "RAM": _memory(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "database": database,
        "cache": cache,
        "gunicorn": gunicorn,
        "load generator": wrk,
        "load average at the start (1 min)": f"{load_average:.2f}",
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    return platform.processor() or "unknown"


def _memory() -> str:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if match:
            return f"{int(match.group(1)) / 1024 / 1024:.1f} GiB"
    return "unknown"


# Formatting
# ----------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    milliseconds = seconds * 1000
    return f"{milliseconds:.2f}" if milliseconds < 10 else f"{milliseconds:.1f}"


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def per_second(load: Load | None) -> str:
    return "n/a" if load is None else f"{load.requests_per_second:.0f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# Derived figures
# ----------------------------------------------------------------------------------------


def conditional_share(page: PageTimes) -> float | None:
    """A 304's server time as a share of a full render's (cache off), when a 304 came back."""
    conditional = page.conditional
    if conditional.status != 304 or conditional.median_s is None:
        return None
    return conditional.median_s / page.cache_off.median_s


def conditional_cell(page: PageTimes) -> str:
    conditional = page.conditional
    if not conditional.validators:
        return "n/a (no validators)"
    if conditional.status != 304:
        return f"n/a ({conditional.status} to {' + '.join(conditional.validators)})"
    return f"{ms(conditional.median_s)} ({ratio(conditional_share(page))})"


def per_comment_from_pages(results: Results) -> float | None:
    """Seconds per comment: (uncached 1000-comment page − uncached 10-comment page) / 990."""
    pages = results.pages
    difference = pages[POST_1000].cache_off.median_s - pages[POST_10].cache_off.median_s
    return difference / 990


def per_comment_render(results: Results) -> float | None:
    if results.thread_render_s is None:
        return None
    return results.thread_render_s / results.thread_comments


def large_over_small(results: Results, page: str, visit: str = "cache_off") -> float:
    """A page's server time over 10,000 posts divided by its time over 100."""
    large = getattr(results.pages[page], visit).median_s
    return large / getattr(results.small_site[page], visit).median_s


def cached_1000_over_10(results: Results, visit: str) -> float:
    pages = results.pages
    return getattr(pages[POST_1000], visit).median_s / getattr(pages[POST_10], visit).median_s


# Targets
# ----------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured on this run

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "**MISS**", None: "SKIP"}[self.met]


def targets(results: Results) -> list[Target]:
    pages = results.pages
    post_1000 = pages[POST_1000]
    visits = {
        "first visit": post_1000.first_visit,
        "returning": post_1000.returning,
        "cache off": post_1000.cache_off,
    }
    rendered = per_comment_render(results) or per_comment_from_pages(results)
    cached_ratios = {
        visit: cached_1000_over_10(results, visit) for visit in ("first_visit", "returning")
    }
    found = [
        Target(
            f"Post page, 1000 comments: ≤ {MAX_QUERIES_1000} queries",
            ", ".join(f"{visit.queries} {name}" for name, visit in visits.items()),
            max(visit.queries for visit in visits.values()) <= MAX_QUERIES_1000,
        ),
        Target(
            f"Uncached thread rendering ≤ {MAX_THREAD_MICROSECONDS_PER_COMMENT} µs per comment",
            f"{rendered * 1e6:.1f} µs per comment",
            rendered * 1e6 <= MAX_THREAD_MICROSECONDS_PER_COMMENT,
        ),
        Target(
            f"Post page, 1000 comments, cache on: ≤ {MAX_CACHED_1000_OVER_10:g}× the "
            "10-comment page (first and returning visits)",
            f"{ratio(cached_ratios['first_visit'])} first visit, "
            f"{ratio(cached_ratios['returning'])} returning",
            max(cached_ratios.values()) <= MAX_CACHED_1000_OVER_10,
        ),
    ]
    for page in (HOME, TAG):
        scale = large_over_small(results, page)
        found.append(
            Target(
                f"{page.capitalize()} page over 10,000 posts: ≤ {MAX_LARGE_OVER_SMALL:g}× "
                "over 100 posts (cache off)",
                f"{ratio(scale)} ({ms(pages[page].cache_off.median_s)} / "
                f"{ms(results.small_site[page].cache_off.median_s)} ms)",
                scale <= MAX_LARGE_OVER_SMALL,
            )
        )
    if results.rendered_s and results.floor_s:
        over_floor = results.rendered_s / results.floor_s
        found.append(
            Target(
                f"Post page, 100 comments, rendered (page cache off): ≤ "
                f"{MAX_RENDERED_OVER_FLOOR:g}× /robots.txt in the same process",
                f"{ratio(over_floor)} ({ms(results.rendered_s)} / {ms(results.floor_s)} ms)",
                over_floor <= MAX_RENDERED_OVER_FLOOR,
            )
        )
    found.append(_static_share_target(results))
    found.append(_conditional_target(results))
    found.append(_uncached_load_target(results))
    submission = results.submission
    found.append(
        Target(
            f"Comment POST p50 ≤ {ms(MAX_SUBMISSION_P50_S)} ms (Akismet answers in "
            f"{ms(AKISMET_DELAY_S)} ms)",
            f"{ms(submission.p50_s)} ms",
            submission.p50_s <= MAX_SUBMISSION_P50_S,
        )
    )
    return found


def _static_share_target(results: Results) -> Target:
    name = f"Warm post page, 100 comments, under gunicorn: ≥ {MIN_SHARE_OF_STATIC:.0%} of static"
    load = results.load.get(POST_100)
    if load is None:
        return Target(name, f"skipped: {results.load_skipped or 'not measured'}", None)
    share = load.app.requests_per_second / load.static.requests_per_second
    return Target(
        name,
        f"{share:.0%} ({per_second(load.app)} / {per_second(load.static)} req/s)",
        share >= MIN_SHARE_OF_STATIC,
    )


def _conditional_target(results: Results) -> Target:
    name = f"304 answer < {MAX_CONDITIONAL_SHARE:g}× a full render, cache off (every page)"
    shares = {page: conditional_share(results.pages[page]) for page in PAGES}
    missing = [page for page, share in shares.items() if share is None]
    if missing:
        return Target(name, "no 304 for " + ", ".join(missing), False)
    worst = max(shares, key=shares.get)
    return Target(
        name,
        f"worst {ratio(shares[worst])} ({worst})",
        shares[worst] < MAX_CONDITIONAL_SHARE,
    )


def _uncached_load_target(results: Results) -> Target:
    name = (
        f"Uncached post page, 100 comments: ≥ {MIN_UNCACHED_REQUESTS_PER_SECOND} req/s "
        "with 2 gunicorn workers (page cache off, every request rendered)"
    )
    load = results.rendered_load
    if load is None:
        return Target(name, f"skipped: {results.load_skipped or 'not measured'}", None)
    return Target(
        name,
        f"{per_second(load)} req/s",
        load.requests_per_second >= MIN_UNCACHED_REQUESTS_PER_SECOND,
    )


# The report
# ----------------------------------------------------------------------------------------


def render(results: Results) -> str:
    lines = [f"Benchmark of {results.machine['date']}, in {results.duration_s:.0f} s.", ""]
    lines += table(
        ["machine", ""], [[key, value] for key, value in results.machine.items() if key != "date"]
    )
    lines += ["", "### Pages in process (median server ms)", ""]
    lines += table(
        [
            "page",
            "queries (first / returning / off)",
            "first visit",
            "returning visitor",
            "cache off",
            "304 (of cache off)",
        ],
        [_in_process_row(results.pages[page], page) for page in PAGES],
    )
    lines += ["", "### Pages under gunicorn (wrk)", ""]
    lines += table(
        ["page", "req/s", "p50 ms", "p99 ms", "static req/s", "of static", "bytes"],
        [_load_row(results.load.get(page), page) for page in PAGES],
    )
    lines += ["", "### 100 posts against 10,000 (median server ms)", ""]
    lines += table(
        [
            "page",
            "first visit, 100",
            "first visit, 10,000",
            "cache off, 100",
            "cache off, 10,000",
            "ratio (cache off)",
        ],
        [_scale_row(results, page) for page in SCALED_PAGES],
    )
    lines += ["", "### Thread, uncached load, Django's floor, comment POST", ""]
    lines += table(["measure", "result"], _other_rows(results))
    lines += ["", "### Targets", ""]
    found = targets(results)
    lines += table(
        ["target", "measured", "result"],
        [[each.name, each.measured, each.verdict] for each in found],
    )
    misses = [each for each in found if each.met is False]
    lines += ["", f"Missed: {len(misses)} of {len(found)}." if misses else "All targets met."]
    if results.load_skipped:
        lines.append(f"Load rows skipped: {results.load_skipped}.")
    if results.moderation:
        lines += ["", *results.moderation]
    if results.search:
        lines += ["", *results.search]
    if results.lists:
        lines += ["", *results.lists]
    if results.cache_mix:
        lines += ["", *results.cache_mix]
    if results.comment_post:
        lines += ["", *results.comment_post]
    if results.imports:
        lines += ["", *results.imports]
    return "\n".join(lines) + "\n"


def _in_process_row(times: PageTimes, page: str) -> list[str]:
    visits = (times.first_visit, times.returning, times.cache_off)
    return [
        page,
        " / ".join(str(visit.queries) for visit in visits),
        *(ms(visit.median_s) for visit in visits),
        conditional_cell(times),
    ]


def _load_row(load: PageLoad | None, page: str) -> list[str]:
    if load is None:
        return [page] + ["n/a"] * 6
    errors = f" ({load.app.errors} errors)" if load.app.errors else ""
    return [
        page,
        per_second(load.app) + errors,
        ms(load.app.p50_s),
        ms(load.app.p99_s),
        per_second(load.static),
        f"{load.app.requests_per_second / load.static.requests_per_second:.0%}",
        f"{load.bytes:,}",
    ]


def _scale_row(results: Results, page: str) -> list[str]:
    small, large = results.small_site[page], results.pages[page]
    return [
        page,
        ms(small.first_visit.median_s),
        ms(large.first_visit.median_s),
        ms(small.cache_off.median_s),
        ms(large.cache_off.median_s),
        ratio(large_over_small(results, page)),
    ]


def _other_rows(results: Results) -> list[list[str]]:
    render_time = results.thread_render_s
    from_render = per_comment_render(results)
    rows = [
        [
            f"render_thread alone, {results.thread_comments} comments, cache bypassed",
            "n/a (signature changed)"
            if render_time is None
            else f"{ms(render_time)} ms = {from_render * 1e6:.1f} µs per comment",
        ],
        [
            "(uncached 1000-comment page − uncached 10-comment page) / 990",
            f"{per_comment_from_pages(results) * 1e6:.1f} µs per comment",
        ],
    ]
    rendered = results.rendered_load
    rows.append(
        [
            "post, 100 comments, under gunicorn, page cache off (PAGE_CACHE=0)",
            "n/a"
            if rendered is None
            else f"{per_second(rendered)} req/s, p50 {ms(rendered.p50_s)} ms, "
            f"p99 {ms(rendered.p99_s)} ms",
        ]
    )
    uncached = results.uncached_load
    rows.append(
        [
            "post, 100 comments, under gunicorn with DummyCache (nothing cached)",
            "n/a"
            if uncached is None
            else f"{per_second(uncached)} req/s, p50 {ms(uncached.p50_s)} ms, "
            f"p99 {ms(uncached.p99_s)} ms",
        ]
    )
    floor = results.floor_load
    rows.append(
        [
            "Django's floor: /robots.txt (a template, no query) under gunicorn",
            "n/a"
            if floor is None
            else f"{per_second(floor.app)} req/s, p50 {ms(floor.app.p50_s)} ms; "
            f"{floor.app.requests_per_second / floor.static.requests_per_second:.0%} of its "
            f"static copy ({per_second(floor.static)} req/s)",
        ]
    )
    submission = results.submission
    rows.append(
        [
            f"comment POST, Akismet answering in {ms(AKISMET_DELAY_S)} ms",
            f"p50 {ms(submission.p50_s)} ms, p99 {ms(submission.p99_s)} ms "
            f"({len(submission.samples_s)} timed; Akismet checked "
            f"{submission.akismet_checks} of {results.submission_posts})",
        ]
    )
    return rows


def write(report: str) -> None:
    """bench/results.md, and the last-results block of bench/README.md."""
    RESULTS.write_text(report)
    if README.exists():
        readme = README.read_text()
        start, end = readme.find(README_START), readme.find(README_END)
        if 0 <= start < end:
            block = f"{README_START}\n{report}{README_END}"
            README.write_text(readme[:start] + block + readme[end + len(README_END) :])
