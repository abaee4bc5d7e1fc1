"""Measurements in this process, through Django's test client: no server, no network.

Every request goes through the whole middleware stack, accepting gzip as browsers do,
in one of three ways:

- first visit: no cookies, the project's cache on and warm: what wrk sends too;
- returning visitor: the CSRF cookie from an earlier visit, cache on. Cookies can shape
  a page (its form carries a token made from that cookie), so a page cache may step
  aside for them while the comment thread's cache still serves;
- cache off: no cookies and a DummyCache, which keeps nothing: everything is rendered
  from the database on every request.
"""

from dataclasses import dataclass
from itertools import count

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from .timing import median, percentile, timed

HOST = "127.0.0.1"
DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def cache_off():
    """Settings under which nothing is cached: the thread is rendered for every request."""
    return override_settings(CACHES=DUMMY_CACHE)


@dataclass
class Conditional:
    """A conditional GET with the validators the page sent; `status` 304 when honoured."""

    validators: list[str]
    status: int | None = None
    median_s: float | None = None


@dataclass
class Visit:
    queries: int
    median_s: float


@dataclass
class PageTimes:
    first_visit: Visit
    returning: Visit
    cache_off: Visit
    conditional: Conditional


def visitor() -> Client:
    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")


def get(client: Client, url: str, *, keep_cookies: bool = False, **headers):
    """One request, anonymous unless `keep_cookies`; anything but 200 or 304 stops the
    benchmark."""
    if not keep_cookies:
        client.cookies.clear()
    response = client.get(url, **headers)
    if response.status_code not in (200, 304):
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def measure_visit(action, *, budget_seconds: float) -> Visit:
    samples = timed(action, budget_seconds=budget_seconds)
    return Visit(queries=count_queries(action), median_s=median(samples))


def measure_page(url: str, *, budget_seconds: float) -> PageTimes:
    """Queries and median server time of each kind of visit, and the 304's cost."""
    client = visitor()
    first_visit = measure_visit(lambda: get(client, url), budget_seconds=budget_seconds)
    get(client, url)  # The visit that sets the CSRF cookie.
    returning = measure_visit(
        lambda: get(client, url, keep_cookies=True), budget_seconds=budget_seconds
    )
    with cache_off():
        uncached = measure_visit(lambda: get(client, url), budget_seconds=budget_seconds)
    return PageTimes(
        first_visit=first_visit,
        returning=returning,
        cache_off=uncached,
        conditional=measure_conditional(client, url, budget_seconds=budget_seconds),
    )


def measure_conditional(client: Client, url: str, *, budget_seconds: float) -> Conditional:
    """Ask again with If-None-Match / If-Modified-Since, from what the page sent to a
    first visit, cache on."""
    response = get(client, url)
    headers, validators = {}, []
    if response.has_header("ETag"):
        headers["HTTP_IF_NONE_MATCH"] = response["ETag"]
        validators.append("ETag")
    if response.has_header("Last-Modified"):
        headers["HTTP_IF_MODIFIED_SINCE"] = response["Last-Modified"]
        validators.append("Last-Modified")
    if not validators:
        return Conditional(validators=[])
    status = get(client, url, **headers).status_code
    samples = timed(lambda: get(client, url, **headers), budget_seconds=budget_seconds)
    return Conditional(validators=validators, status=status, median_s=median(samples))


def measure_rendered_against_floor(url: str, floor_url: str, *, budget_seconds: float):
    """Median seconds of `url` rendered for every request (the page cache off, the
    fragments kept) and of `floor_url`, the cheapest page, in turns in this process:
    (page, floor)."""
    client = visitor()
    with override_settings(PAGE_CACHE=False):
        page, floor = [], []
        for _ in range(3):  # Interleaved, so both see the same machine.
            page += timed(lambda: get(client, url), budget_seconds=budget_seconds / 3)
            floor += timed(lambda: get(client, floor_url), budget_seconds=budget_seconds / 3)
    return median(page), median(floor)


def measure_thread_render(post, *, budget_seconds: float) -> float | None:
    """Median seconds of comments.thread.render_thread alone for `post`, all its comments
    on one page and the cache bypassed; None when its signature no longer takes `post=`
    alone."""
    from comments.thread import render_thread

    # Every comment on one page, so the figure is per comment of the whole thread.
    with cache_off(), override_settings(COMMENTS_PER_PAGE=0):
        try:
            render_thread(post=post)
        except TypeError:
            return None
        return median(timed(lambda: render_thread(post=post), budget_seconds=budget_seconds))


@dataclass
class Submission:
    samples_s: list[float]
    akismet_checks: int

    @property
    def p50_s(self) -> float:
        return percentile(self.samples_s, 50)

    @property
    def p99_s(self) -> float:
        return percentile(self.samples_s, 99)


def comment_poster(client: Client, post, numbers, *, new_visitor_each_time: bool):
    """A function that POSTs one new comment to `post` through `client`, from a new
    address and email each time (numbered from `numbers`), so flood control accepts
    every one; anything but the redirect stops the benchmark."""
    from django.urls import reverse

    url = reverse("comments:post-comment", args=[post.pk])
    referrer = f"http://{HOST}{post.get_absolute_url()}"

    def submit():
        number = next(numbers)
        if new_visitor_each_time:
            client.cookies.clear()
        response = client.post(
            url,
            {
                "author_name": f"Bench visitor {number}",
                "author_email": f"visitor{number}@example.com",
                "body": f"Comment {number} from the benchmark: https://example.org/{number}",
            },
            REMOTE_ADDR=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
            HTTP_USER_AGENT="Mozilla/5.0 (benchmark)",
            HTTP_REFERER=referrer,
        )
        if response.status_code != 302:
            raise RuntimeError(f"POST {url} answered {response.status_code}, not a redirect")

    return submit


def measure_comment_submission(post, fake_akismet, *, requests: int) -> Submission:
    """POST `requests` new comments to `post`, each from a new address and email, with
    spam checking on against `fake_akismet`; time each POST up to its redirect."""

    from tests.fake_akismet import VALID_KEY

    submit = comment_poster(visitor(), post, count(1), new_visitor_each_time=True)

    checks_before = len(fake_akismet.requests_to("comment-check"))
    with override_settings(AKISMET_API_KEY=VALID_KEY, AKISMET_API_URL=fake_akismet.url):
        samples = timed(submit, budget_seconds=60, max_samples=requests, min_samples=requests)
    return Submission(
        samples_s=samples,
        akismet_checks=len(fake_akismet.requests_to("comment-check")) - checks_before,
    )
