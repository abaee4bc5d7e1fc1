"""The page cache under a mixed workload (issue 14): readers and moderators at once.

A site of 2,000 published posts, each with three approved comments, is read in simulated
time at 10 post pages a second (600 a minute), each read a Zipf-distributed choice
(s = 1: the newest post is read most, the 2nd half as often, the 2,000th 1/2,000 as
often), while a moderator approves held comments at 0, 1, 10 and 60 a minute: one
approval every 600 / rate reads, through `comments.services.comment_approve`, on a post
chosen by the same distribution (busy posts get comments). One home page read follows
every 20 post reads (30 a minute); it is counted apart from the post reads.

Every read goes through the whole middleware stack with Django's test client, as a
first-time anonymous reader: no cookies, gzip accepted. A hit is a response the page
cache answered (`response.served_from_page_cache`). Each post is read once first, least
read first, so that cold pages are not counted as misses; then, for each rate, a
simulated minute warms the cache to that rate's steady state and five more are measured.
Rate 0 is the baseline: what the cache's size alone allows.

It runs in a process of its own, on a SQLite database of its own in the run's folder,
with the bench's settings and cache (`bench/settings.py`): the project's local-memory
cache, or Redis when REDIS_URL is set. Run by bench/run.py; `--cache-mix-only` runs it
alone (about a minute and a half).

Targets (issue 14): a hit ratio of at least 97% at 10 approvals a minute, and at least
85% at 60.
"""

import json
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from pathlib import Path

SITE_POSTS = 2_000
APPROVED_PER_POST = 3
READS_PER_MINUTE = 600  # 10 a second
WARMUP_MINUTES = 1
MEASURED_MINUTES = 5
RATES = (0, 1, 10, 60)  # approvals a minute
HOME_EVERY = 20  # post reads per home page read
ZIPF_EXPONENT = 1.0
READS_SEED, APPROVALS_SEED = 14, 41
MIN_HIT_RATIOS = {10: 0.97, 60: 0.85}


@dataclass
class Tally:
    """The reads of one page kind over the measured minutes of one rate."""

    hit_s: list[float] = field(default_factory=list)
    miss_s: list[float] = field(default_factory=list)

    def add(self, hit: bool, seconds: float) -> None:
        (self.hit_s if hit else self.miss_s).append(seconds)


@dataclass
class RateFigures:
    rate: int
    approvals: int
    reads: int
    hits: int
    per_read_s: float
    hit_median_s: float | None
    miss_median_s: float | None
    home_reads: int
    home_hits: int

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.reads


def zipf_cumulative_weights(count: int) -> list[float]:
    """For random.choices: rank 1 weighs 1, rank k weighs 1 / k**s."""
    return list(accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, count + 1)))


def approval_schedule() -> dict[int, list[int]]:
    """For each rate, the ranks of the posts approved on, in order (warm-up included)."""
    rng = random.Random(APPROVALS_SEED)
    weights = zipf_cumulative_weights(SITE_POSTS)
    ranks = range(SITE_POSTS)
    minutes = WARMUP_MINUTES + MEASURED_MINUTES
    return {rate: rng.choices(ranks, cum_weights=weights, k=rate * minutes) for rate in RATES}


# The child process: seed, simulate, print the figures
# ----------------------------------------------------------------------------------------


def seed_site(schedule: dict[int, list[int]]):
    """The posts, newest first, and for each the held comments its approvals will take,
    oldest first; and the moderator who approves them."""
    from django.contrib.auth import get_user_model
    from django.db.models import F

    from blog.models import Post
    from comments.models import Comment

    from . import seed

    seed.seed_small_site()
    author = get_user_model().objects.get(username=seed.AUTHOR_USERNAME)
    seed._create_posts(range(seed.SMALL_SITE_POSTS, SITE_POSTS), author)
    posts = list(Post.objects.published().order_by("-published_at"))
    held_per_post = [0] * SITE_POSTS
    for ranks in schedule.values():
        for rank in ranks:
            held_per_post[rank] += 1
    comments = []
    for rank, post in enumerate(posts):
        comments += [seed._comment(post, index) for index in range(APPROVED_PER_POST)]
        for index in range(APPROVED_PER_POST, APPROVED_PER_POST + held_per_post[rank]):
            held = seed._comment(post, index)
            held.status = Comment.Status.PENDING
            held.akismet_verdict = Comment.Verdict.UNCHECKED
            comments.append(held)
    Comment.objects.bulk_create(comments, batch_size=1_000)
    # As seed.py does: bulk_create stamps updated_at with today.
    Comment.objects.update(updated_at=F("created_at"))
    seed._refresh_statistics()
    held = {post.pk: [] for post in posts}
    for comment in Comment.objects.pending().order_by("created_at"):
        held[comment.post_id].append(comment)
    moderator = get_user_model().objects.create_superuser(
        "bench-moderator", "moderator@example.com", None
    )
    return posts, held, moderator


class Simulation:
    """Reads and approvals in simulated time, on one test client."""

    def __init__(self, posts, held, moderator):
        from django.urls import reverse

        from .inprocess import visitor

        self.client = visitor()
        self.posts = posts
        self.urls = [post.get_absolute_url() for post in posts]
        self.home_url = reverse("blog:home")
        self.held = held
        self.moderator = moderator
        self.rng = random.Random(READS_SEED)
        self.weights = zipf_cumulative_weights(len(posts))

    def read(self, url: str) -> tuple[bool, float]:
        """One anonymous first visit: whether the page cache answered, and its time."""
        from .inprocess import get

        started = time.perf_counter()
        response = get(self.client, url)
        seconds = time.perf_counter() - started
        return getattr(response, "served_from_page_cache", False) is True, seconds

    def approve(self, rank: int) -> None:
        from comments.services import comment_approve

        comment = self.held[self.posts[rank].pk].pop(0)
        comment_approve(comment=comment, actor=self.moderator)

    def warm(self) -> None:
        """Every post read once, least read first, so a cache too small for them all
        keeps the busiest."""
        for url in reversed(self.urls):
            self.read(url)
        self.read(self.home_url)

    def run(self, rate: int, approvals: list[int]) -> RateFigures:
        """A warm-up minute, then the measured ones, with `rate` approvals a minute."""
        every = READS_PER_MINUTE // rate if rate else 0
        pending = iter(approvals)
        warmup_reads = WARMUP_MINUTES * READS_PER_MINUTE
        total_reads = warmup_reads + MEASURED_MINUTES * READS_PER_MINUTE
        ranks = self.rng.choices(range(len(self.posts)), cum_weights=self.weights, k=total_reads)
        posts, home = Tally(), Tally()
        approved = 0
        for number, rank in enumerate(ranks, start=1):
            measured = number > warmup_reads
            hit, seconds = self.read(self.urls[rank])
            if measured:
                posts.add(hit, seconds)
            if number % HOME_EVERY == 0:
                hit, seconds = self.read(self.home_url)
                if measured:
                    home.add(hit, seconds)
            if every and number % every == 0:
                self.approve(next(pending))
                if measured:
                    approved += 1
        return _figures(rate, approved, posts, home)


def _figures(rate: int, approvals: int, posts: Tally, home: Tally) -> RateFigures:
    from .timing import median

    reads = len(posts.hit_s) + len(posts.miss_s)
    return RateFigures(
        rate=rate,
        approvals=approvals,
        reads=reads,
        hits=len(posts.hit_s),
        per_read_s=(sum(posts.hit_s) + sum(posts.miss_s)) / reads,
        hit_median_s=median(posts.hit_s) if posts.hit_s else None,
        miss_median_s=median(posts.miss_s) if posts.miss_s else None,
        home_reads=len(home.hit_s) + len(home.miss_s),
        home_hits=len(home.hit_s),
    )


def describe_cache() -> str:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    name = type(cache).__name__
    if isinstance(cache, LocMemCache):
        return f"{name} (one process's, at most {cache._max_entries:,} entries)"
    return name


def child() -> None:
    """In the simulation's own process, on its own database: the figures as JSON."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    schedule = approval_schedule()
    simulation = Simulation(*seed_site(schedule))
    _log(f"Seeded {SITE_POSTS:,} posts with their comments in {_since(started)}.")
    started = time.perf_counter()
    simulation.warm()
    _log(f"Read every post once in {_since(started)}.")
    figures = []
    for rate in RATES:
        started = time.perf_counter()
        found = simulation.run(rate, schedule[rate])
        figures.append(asdict(found))
        _log(
            f"{rate} approvals a minute: hit ratio {found.hit_ratio:.1%} "
            f"(simulated in {_since(started)})."
        )
    print(json.dumps({"cache": describe_cache(), "rates": figures}))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


# The parent: start the child, turn its figures into the report's lines
# ----------------------------------------------------------------------------------------


def measure(*, workdir: Path, env: dict[str, str]) -> list[str]:
    """Run the simulation in a process of its own, on a SQLite database of its own (the
    other parts' data and cached pages stay out of it); the report's lines."""
    database = workdir / "cache-mix.sqlite3"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.cache_mix", "--child"],
        env={**env, "DATABASE_URL": f"sqlite:///{database}"},
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=1800,
    )
    wall_s = time.perf_counter() - started
    found = json.loads(result.stdout.strip().splitlines()[-1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return lines(
        [RateFigures(**figures) for figures in found["rates"]], cache=found["cache"], wall_s=wall_s
    )


def lines(figures: list[RateFigures], *, cache: str, wall_s: float) -> list[str]:
    by_rate = {each.rate: each for each in figures}
    rows = [_row(each) for each in figures]
    verdicts = []
    targets = []
    for rate, minimum in MIN_HIT_RATIOS.items():
        ratio = by_rate[rate].hit_ratio
        met = ratio >= minimum
        verdicts.append(met)
        targets.append(
            f"| Hit ratio ≥ {minimum:.0%} at {rate} approvals a minute | {ratio:.1%} | "
            f"{'PASS' if met else '**MISS**'} |"
        )
    return [
        "### The page cache under a mixed workload (in process)",
        "",
        f"{SITE_POSTS:,} posts, post pages read Zipf-distributed (s = {ZIPF_EXPONENT:g}) at "
        f"{READS_PER_MINUTE // 60} a second, and the home page once every {HOME_EVERY} post "
        f"reads; {MEASURED_MINUTES} simulated minutes a rate after a warm-up minute; "
        f"{cache}; {wall_s:.0f} s in all.",
        "",
        "| approvals/min | post reads | hit ratio | server ms per read | hit ms (median) | "
        "miss ms (median) | home page hits |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "| target | measured | result |",
        "| --- | --- | --- |",
        *targets,
        "",
        f"Cache mix targets met: {sum(verdicts)} of {len(verdicts)}.",
    ]


def _row(each: RateFigures) -> str:
    rate = f"{each.rate} (baseline)" if each.rate == 0 else str(each.rate)
    home = f"{each.home_hits} of {each.home_reads}"
    return (
        f"| {rate} | {each.reads:,} | {each.hit_ratio:.1%} | {each.per_read_s * 1000:.2f} | "
        f"{_ms(each.hit_median_s)} | {_ms(each.miss_median_s)} | {home} |"
    )


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.2f}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
