"""The load: threads that read pages and post comments as visitors do, and what they saw.

Each client loops over a shared list of comments: it opens the post's page as a new
visitor (no cookies), posts the comment as a browser does, saying it comes from the site
itself (`Sec-Fetch-Site: same-origin`, so the shared page's form needs no token), without
following the redirect, then reads another page. Every comment comes from its own
address (X-Forwarded-For, trusted by the server as behind one proxy) and email, so flood
control lets it through. Some visitors double-click: the same form is posted twice at
the same instant, and exactly one of the two must be taken. The probes break the rules
on purpose and must be refused, each with its status and its message.
"""

import ipaddress
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace

import httpx

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")
# What comments/views.py answers to each refusal we provoke: status and the page's words.
REFUSALS = {
    "flood": (429, "too quickly. Please wait"),
    "rate": (429, "this site accepts at most"),
    "duplicate": (409, "Duplicate comment detected"),
}
REFUSED = frozenset(REFUSALS)
# Visitors' addresses: comments from 10.0.0.0/9, the probes after the load from 10.128.0.0/9.
COMMENT_ADDRESSES = ipaddress.IPv4Address("10.0.0.1")
PROBE_ADDRESSES = ipaddress.IPv4Address("10.128.0.1")
BODY = (
    "Thanks for writing this up. I tried the same thing on a small site last year and "
    "ran into the *same* questions; the part about keeping things boring rings true.\n\n"
    "One question: would you do it again today?"
)


@dataclass(frozen=True)
class Submission:
    number: int
    post_path: str
    form_action: str
    ip: str
    name: str
    email: str
    body: str
    expect: str  # "accepted", or the refusal it must meet: "flood", "rate", "duplicate"
    double: bool = False  # posted twice at once: one must be accepted, the other refused


@dataclass
class Outcome:
    """The site's answer to one comment POST."""

    submission: Submission
    status: int | None
    result: str  # "accepted", a refusal, "5xx", "no answer" or "unexpected"
    comment_id: int | None = None
    answered_at: float = 0.0
    detail: str = ""

    @property
    def as_expected(self) -> bool:
        if self.submission.double and self.submission.expect == "accepted":
            return self.result == "accepted" or self.result in REFUSED
        return self.result == self.submission.expect


@dataclass
class Plan:
    """What to send: the comments, and which of them carry a probe."""

    comments: list[Submission]
    read_paths: list[str]
    flood_probes: int = 25  # a second comment from the same address, moments later
    duplicate_probes: int = 25  # an accepted comment again, from a new address
    rate_limit: int = 0  # a burst of rate_limit + 1 submissions from one address; 0: none
    flood_seconds: int = 15

    @property
    def expected_probes(self) -> int:
        count = len(self.comments)
        single = sum(1 for s in self.comments if not s.double)
        bursts = self.rate_limit + 1 if self.rate_limit and count > self.duplicate_probes else 0
        return min(self.flood_probes, single) + min(self.duplicate_probes, count) + bursts


@dataclass
class Tally:
    """Everything the clients saw, appended to from every thread."""

    requests: list[tuple[str, int | None, float]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # The concurrent load, without the probes that follow it.
    duration: float = 0.0
    requests_in_load: int = 0
    stopped_early: bool = False

    def latencies(self, method: str) -> list[float]:
        return [seconds for m, status, seconds in self.requests if m == method and status]


def plan_comments(
    *, posts: list[tuple[str, str]], count: int, run_id: str, doubles: int
) -> list[Submission]:
    """`count` distinct comments over `posts` ((page path, form action) pairs), `doubles`
    of them double-clicked."""
    double_every = max(count // doubles, 1) if doubles else 0
    doubled = set(range(double_every // 2, count, double_every)[:doubles]) if doubles else set()
    return [
        Submission(
            number=number,
            post_path=posts[number % len(posts)][0],
            form_action=posts[number % len(posts)][1],
            ip=str(COMMENT_ADDRESSES + number),
            name=f"Reader {number}",
            email=f"reader-{number}-{run_id}@example.org",
            body=f"Comment {number} of load test {run_id}. {BODY}",
            expect="accepted",
            double=number in doubled,
        )
        for number in range(count)
    ]


def flood_probe(submission: Submission) -> Submission:
    """A second comment from the same address moments later: flood control must refuse it."""
    return replace(
        submission,
        email=f"flood-{submission.email}",
        body=f"Flood probe after comment {submission.number}. {BODY}",
        expect="flood",
        double=False,
    )


def duplicate_probe(submission: Submission, address: int) -> Submission:
    """The same comment again from a new address, once flood control no longer covers its
    email: a duplicate."""
    return replace(submission, ip=str(PROBE_ADDRESSES + address), expect="duplicate", double=False)


class Visitor:
    """One client thread's HTTP connection, recording every request in the tally."""

    def __init__(self, base_url: str, tally: Tally):
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=30.0, follow_redirects=False)
        self.tally = tally
        self._twin = None

    def close(self) -> None:
        self.client.close()
        if self._twin is not None:
            self._twin.close()

    def get(self, path: str) -> httpx.Response | None:
        response = self._send("GET", path)
        if response is not None and response.status_code != 200:
            self.tally.problems.append(f"GET {path} answered {response.status_code}")
        return response

    def open_form(self, submission: Submission) -> str | None:
        """Open the post's page as a new visitor; the CSRF token its form carries: empty
        on the page every anonymous reader shares, which needs none (see core/cross_origin.py).
        """
        self.client.cookies.clear()
        response = self.get(submission.post_path)
        match = CSRF_INPUT.search(response.text) if response is not None else None
        if match is None:
            if response is not None and response.status_code == 200:
                self.tally.problems.append(f"GET {submission.post_path}: no comment form")
            return None
        return match.group(1)

    def post_comment(self, submission: Submission, csrf_token: str) -> Outcome:
        data = {
            "csrfmiddlewaretoken": csrf_token,
            "body": submission.body,
            "author_name": submission.name,
            "author_email": submission.email,
            "author_url": "",
            "parent": "",
            "fax_number": "",  # the honeypot stays empty, as a person leaves it
        }
        headers = {
            "Sec-Fetch-Site": "same-origin",
            "X-Forwarded-For": submission.ip,
            "Referer": str(self.client.base_url.join(submission.post_path)),
        }
        response = self._send("POST", submission.form_action, data=data, headers=headers)
        outcome = classify(submission, response)
        self.tally.outcomes.append(outcome)
        if not outcome.as_expected:
            self.tally.problems.append(
                f"comment {submission.number} ({submission.expect}): {outcome.result}"
                f" {outcome.status or ''} {outcome.detail}".rstrip()
            )
        return outcome

    def post_twice(self, submission: Submission, csrf_token: str) -> list[Outcome]:
        """A double click: the same form, with the same cookies, posted twice at once."""
        if self._twin is None:
            self._twin = Visitor(self.base_url, self.tally)
        self._twin.client.cookies = httpx.Cookies(self.client.cookies)
        start_together = threading.Barrier(2)
        outcomes = []

        def post(visitor):
            start_together.wait()
            outcomes.append(visitor.post_comment(submission, csrf_token))

        second = threading.Thread(target=post, args=(self._twin,))
        second.start()
        post(self)
        second.join()
        return outcomes

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.requests.append((method, None, time.perf_counter() - started))
            self.tally.problems.append(f"{method} {path}: {type(exc).__name__} {exc}")
            return None
        self.tally.requests.append((method, response.status_code, time.perf_counter() - started))
        return response


def classify(submission: Submission, response: httpx.Response | None) -> Outcome:
    """Sort the answer to a comment POST into accepted, one refusal, or a failure."""
    now = time.monotonic()
    if response is None:
        return Outcome(submission, None, "no answer", answered_at=now)
    status = response.status_code
    if status >= 500:
        return Outcome(submission, status, "5xx", answered_at=now)
    if status == 302:
        anchor = COMMENT_ANCHOR.search(response.headers.get("location", ""))
        if anchor:
            return Outcome(submission, status, "accepted", int(anchor.group(1)), now)
        detail = f"redirect to {response.headers.get('location')!r}"
        return Outcome(submission, status, "unexpected", answered_at=now, detail=detail)
    for reason, (refusal_status, words) in REFUSALS.items():
        if status == refusal_status and words in response.text:
            return Outcome(submission, status, reason, answered_at=now)
    return Outcome(submission, status, "unexpected", answered_at=now, detail="page without reason")


def run_load(*, base_url: str, plan: Plan, clients: int, max_seconds: float) -> Tally:
    """Post the comments and read pages from `clients` threads at once; then the probes
    that need the load behind them."""
    tally = Tally()
    started = time.perf_counter()
    deadline = started + max_seconds
    comments = plan.comments
    # Flood probes follow comments spread over the run, none of them double-clicked.
    single = [s.number for s in comments if not s.double]
    every = max(len(single) // plan.flood_probes, 1) if plan.flood_probes else 1
    flood_probed = set(single[::every][: plan.flood_probes])

    def visit(visitor: Visitor, submission: Submission) -> None:
        token = visitor.open_form(submission)
        if token is None:
            return
        if submission.double:
            visitor.post_twice(submission, token)
        else:
            outcome = visitor.post_comment(submission, token)
            if outcome.result == "accepted" and submission.number in flood_probed:
                visitor.post_comment(flood_probe(submission), token)
        visitor.get(plan.read_paths[submission.number % len(plan.read_paths)])

    _run_threads(comments, visit, base_url=base_url, tally=tally, threads=clients, until=deadline)
    tally.duration = time.perf_counter() - started
    tally.requests_in_load = len(tally.requests)
    tally.stopped_early = time.perf_counter() > deadline
    _send_late_probes(plan, base_url=base_url, tally=tally, threads=clients)
    return tally


def _send_late_probes(plan: Plan, *, base_url: str, tally: Tally, threads: int) -> None:
    """Duplicates of the first comments accepted, and a burst past the rate limit from
    one address (the same comment again and again: refused as a duplicate until the limit
    is reached, then by the limit). Both wait until flood control no longer covers those
    comments' emails, whichever rule the pipeline checks first."""
    accepted = sorted(
        (o for o in tally.outcomes if o.result == "accepted" and o.submission.expect == "accepted"),
        key=lambda o: o.answered_at,
    )[: plan.duplicate_probes + 1]
    if not accepted:
        return
    time.sleep(max(0.0, accepted[-1].answered_at + plan.flood_seconds + 1 - time.monotonic()))
    probes = [[duplicate_probe(o.submission, n)] for n, o in enumerate(accepted)]
    burst = probes.pop() if len(probes) > plan.duplicate_probes else []
    if plan.rate_limit and burst:
        burst = burst * plan.rate_limit + [replace(burst[0], expect="rate")]
        probes.append(burst)

    def visit(visitor: Visitor, submissions: list[Submission]) -> None:
        token = visitor.open_form(submissions[0])
        for submission in submissions if token is not None else []:
            visitor.post_comment(submission, token)

    _run_threads(probes, visit, base_url=base_url, tally=tally, threads=threads, until=None)


def _run_threads(work, visit, *, base_url, tally, threads, until) -> None:
    """Share `work` among `threads` visitors; each stops when the work or the time runs out."""
    pending = queue.SimpleQueue()
    for item in work:
        pending.put(item)

    def client_loop() -> None:
        visitor = Visitor(base_url, tally)
        try:
            while until is None or time.perf_counter() < until:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                visit(visitor, item)
        finally:
            visitor.close()

    workers = [threading.Thread(target=client_loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
