"""The moderation queue in process: its page with 100 and with 10,000 held comments, and
one row action. Run by bench/run.py after the pages; its table goes into the report.

The 9,900 comments that make the difference are approved while the 100 are timed, so
both queues sit in a table of the same size and the smaller one shows how the page fares
beside many published comments (each row counts its author's approved ones).

Targets (issue 11): the queue page makes the same number of queries whatever it holds,
and takes at most 1.5× as long with 10,000 held comments as with 100; a row action makes
a bounded number of queries.
"""

import gc
from dataclasses import dataclass
from itertools import count

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .inprocess import HOST
from .timing import median, timed

SMALL, LARGE = 100, 10_000
ACTION_QUERY_LIMIT = 14  # as tests/comments/test_moderation_queue.py
MIN_SAMPLES = 15
PAIRED_SAMPLES = 15
_numbers = count(1)


@dataclass
class Figure:
    queries: int
    median_s: float


def measure(*, budget_seconds: float) -> list[str]:
    """Seed held comments on the bench's database, measure, clean up; the report's lines."""
    from blog.models import Post
    from comments.models import Comment

    moderator = get_user_model().objects.create_superuser(
        "bench-moderator", "moderator@example.com", None
    )
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(moderator)
    post = Post.objects.published().order_by("-published_at").first()
    queue = reverse("admin:comments_comment_changelist")
    try:
        _hold(post, SMALL)
        _hold(post, LARGE - SMALL, prefix="held-extra-")
        extra = Comment.objects.filter(post=post, author_email__startswith="held-extra-")
        small, large = _queue_figures(
            lambda: client.get(queue),
            small=lambda: extra.update(status=Comment.Status.APPROVED),
            large=lambda: extra.update(status=Comment.Status.PENDING),
        )
        comment = Comment.objects.pending().order_by("-created_at").first()
        toggle = _toggler(client, comment)
        action = _figure(toggle, budget_seconds)
    finally:
        Comment.objects.filter(post=post, author_email__startswith="held-").delete()
        moderator.delete()
    return _lines(small, large, action)


def _hold(post, how_many: int, *, prefix: str = "held-") -> None:
    """`how_many` held comments, each with the history line that explains it."""
    from comments.models import Comment, CommentEvent

    now = timezone.now()
    comments = Comment.objects.bulk_create(
        [
            Comment(
                post=post,
                author_name=f"Held reader {number}",
                author_email=f"{prefix}{number}@example.com",
                body=f"A held comment, number {number}.",
                body_html=f"<p>A held comment, number {number}.</p>",
                status=Comment.Status.PENDING,
                created_at=now - timezone.timedelta(minutes=number),
            )
            for number in (next(_numbers) for _ in range(how_many))
        ],
        batch_size=1000,
    )
    CommentEvent.objects.bulk_create(
        [CommentEvent(comment=c, kind=CommentEvent.Kind.CHECK_SKIPPED) for c in comments],
        batch_size=1000,
    )


def _toggler(client, comment):
    """Approve, then unapprove, the same comment: one row action a call, as JSON."""
    urls = [
        reverse("admin:comments_comment_moderate", args=[comment.pk, move])
        for move in ("approve", "unapprove")
    ]
    state = {"next": 0}

    def act():
        response = client.post(urls[state["next"]], HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:200]
        state["next"] = 1 - state["next"]

    return act


def _queue_figures(request, *, small, large) -> tuple[Figure, Figure]:
    """The queue page with SMALL and with LARGE held comments, timed in turns.

    The page takes a quarter of a second whatever it holds, and this machine's speed
    drifts by half over a few seconds (other machines share its cores): timed one after
    the other, the two figures differed by that drift. Switching between the two queues
    before every request (the extra comments held, or approved and out of the queue, so
    the table is the same size) lets the drift fall on both alike.
    """
    figures = {}
    for name, arrange in (("small", small), ("large", large)):
        arrange()
        request()  # warm
        with CaptureQueriesContext(connection) as queries:
            request()
        figures[name] = len(queries.captured_queries)
    samples = {"small": [], "large": []}
    gc.collect()
    for _ in range(PAIRED_SAMPLES):
        for name, arrange in (("small", small), ("large", large)):
            arrange()
            samples[name].extend(timed(request, max_samples=1, min_samples=1, warmup=0))
    return tuple(Figure(figures[name], median(samples[name])) for name in ("small", "large"))


def _figure(request, budget_seconds: float) -> Figure:
    request()  # warm
    with CaptureQueriesContext(connection) as queries:
        request()
    query_count = len(queries.captured_queries)  # before more requests overwrite the log
    # The page takes a quarter of a second, so a two-second budget gives a handful of
    # samples, and one collection of the bench's own leftovers (thousands of seeded
    # objects) swung the median by half: start clean and take enough samples.
    gc.collect()
    samples = timed(request, budget_seconds=budget_seconds, min_samples=MIN_SAMPLES)
    return Figure(query_count, median(samples))


def _lines(small: Figure, large: Figure, action: Figure) -> list[str]:
    ratio = large.median_s / small.median_s
    same = small.queries == large.queries
    bounded = action.queries <= ACTION_QUERY_LIMIT
    return [
        "### The moderation queue (in process, signed in)",
        "",
        "| measure | queries | median server ms |",
        "| --- | --- | --- |",
        f"| queue page, {SMALL:,} held comments | {small.queries} | {small.median_s * 1000:.1f} |",
        f"| queue page, {LARGE:,} held comments | {large.queries} | {large.median_s * 1000:.1f} |",
        f"| one row action (approve or unapprove, JSON) | {action.queries} | "
        f"{action.median_s * 1000:.1f} |",
        "",
        "| target | measured | result |",
        "| --- | --- | --- |",
        f"| Queue page: the same queries for {LARGE:,} held comments as for {SMALL} | "
        f"{small.queries} and {large.queries} | {'PASS' if same else '**MISS**'} |",
        f"| Queue page, {LARGE:,} held: ≤ 1.5× the time for {SMALL} | {ratio:.2f}× | "
        f"{'PASS' if ratio <= 1.5 else '**MISS**'} |",
        f"| One row action: ≤ {ACTION_QUERY_LIMIT} queries | {action.queries} | "
        f"{'PASS' if bounded else '**MISS**'} |",
        "",
    ]
