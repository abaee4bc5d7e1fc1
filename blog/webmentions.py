"""Webmention, sending (W3C Recommendation, §3.1): a post tells the pages it links to.

When a post is published, or a published post's text changes, Post.save calls
`post_saved`, which enqueues `blog.tasks.webmentions_send` after the commit (for a
scheduled post, at its publish date). The task calls `webmentions_send`: for each page the
post links to (`post_links`: the source, which is the "via" link, and every link in the
commentary and the excerpt) it discovers the page's endpoint (`endpoint_of`: the Link
header first, then the first <link> or <a> with rel="webmention") and POSTs `source` (the
post's address) and `target` (the page) to it, through core.outbound. Each target's
outcome is one WebmentionSent row, shown on the post's admin page.

A 2xx ends it; no endpoint, a refusal (4xx) and an address the site may not reach are
final; a network failure, a 5xx or a 429 is tried again with the site's back-off, up to
core.tasks.MAX_ATTEMPTS times.
A later change to the post's text starts every target afresh, those it no longer links to
included, so that their pages can see the link has gone (§3.1.4 of the spec); so does
unpublishing it, for the pages that accepted one, which then find the post gone.
"""

import contextvars
import hashlib
import ipaddress
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core import outbound
from core.tasks import enqueue_on_commit, gives_up, retry_delay

logger = logging.getLogger(__name__)

SEND_TASK = "blog.tasks.webmentions_send"
# What a webmention's source shows: a change to any of these sends again.
CONTENT_FIELDS = {"title", "body", "excerpt", "source_url", "slug", "published_at", "status"}
# What post_saved and post_version read of a post.
POST_FIELDS_READ = [
    "status",
    "published_at",
    "slug",
    "title",
    "body_html",
    "excerpt_html",
    "source_url",
]
# The version of a post readers no longer see (unpublished): its webmentions are sent
# again, so that the pages linked to find it gone and drop the mention.
WITHDRAWN = "withdrawn"
# How long one run holds a target it is sending to, so that another run leaves it alone.
CLAIM = timedelta(minutes=5)
# The longest target kept (the column's length); a longer link is not sent to.
MAX_TARGET_LENGTH = 2000
# The pages whose endpoint is looked for are read up to this size.
MAX_PAGE_BYTES = 1024 * 1024
HTML_TYPES = {"", "text/html", "application/xhtml+xml"}


@dataclass(frozen=True)
class Attempt:
    """What one try at sending to a target came to (a WebmentionSent.State value)."""

    state: str
    endpoint: str = ""
    status_code: int | None = None
    error: str = ""


_paused = contextvars.ContextVar("webmentions_paused", default=False)


@contextmanager
def paused():
    """Send nothing for the posts saved inside: an import moves in posts published
    elsewhere, maybe years ago, whose linked pages were told then or never asked to be.
    A later change to one's text sends as any edit does."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def post_saved(post, *, update_fields=None, was_public: bool = False) -> None:
    """After a save of `post` (Post.save): enqueue its webmentions, once the save
    commits, if readers can see it now or will at its publish date; if it was public
    and no longer is, tell the pages that had the webmention that it has gone."""
    if _paused.get() or not (settings.WEBMENTION_SEND and site_is_reachable()):
        return
    if update_fields is not None and not CONTENT_FIELDS & set(update_fields):
        return
    if post.status != post.Status.PUBLISHED:
        if was_public:
            enqueue_on_commit(SEND_TASK, post.pk, WITHDRAWN)
        return
    run_after = post.published_at if post.is_scheduled else None
    enqueue_on_commit(SEND_TASK, post.pk, post_version(post), run_after=run_after)


def posts_unpublished_in_bulk(post_ids) -> None:
    """After the admin's bulk Unpublish of posts readers could see, which saves none."""
    if settings.WEBMENTION_SEND and site_is_reachable():
        for post_id in post_ids:
            enqueue_on_commit(SEND_TASK, post_id, WITHDRAWN)


def posts_published_in_bulk(post_ids) -> None:
    """After the admin's bulk Publish, which saves no post: what their saves would do."""
    from .models import Post

    for post in Post.objects.filter(pk__in=post_ids).only(*POST_FIELDS_READ):
        post_saved(post)


def webmentions_send(*, post_id: int, version: str, now: datetime | None = None) -> dict:
    """Send `post_id`'s webmentions that are due, if the post is public and its text is
    still `version` (else a later save has enqueued its own run). Enqueues the next run
    when a target failed and will be tried again."""
    from .models import Post, WebmentionSent

    if version == WITHDRAWN:
        post = Post.objects.filter(pk=post_id).first()
        if post is None or post.is_published:
            return {"skipped": "public again" if post else "deleted"}
        # Only the pages that accepted a webmention have one to take back.
        renewed = WebmentionSent.objects.filter(post=post, state=WebmentionSent.State.SENT)
    else:
        post = Post.objects.published().filter(pk=post_id).first()
        if post is None:
            return {"skipped": "not public"}
        if post_version(post) != version:
            return {"skipped": "changed since"}
        WebmentionSent.objects.bulk_create(
            [WebmentionSent(post=post, target=url, version=version) for url in post_links(post)],
            ignore_conflicts=True,
        )
        # Every target starts afresh for a new text, the ones it no longer links to too.
        renewed = WebmentionSent.objects.filter(post=post)
    renewed.exclude(version=version).update(
        version=version,
        state=WebmentionSent.State.PENDING,
        attempts=0,
        next_attempt_at=None,
    )
    sent = WebmentionSent.objects.filter(post=post)
    now = now or timezone.now()
    open_states = [WebmentionSent.State.PENDING, WebmentionSent.State.FAILED]
    due = sent.filter(version=version, state__in=open_states).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    source = post_source_url(post)
    outcomes = {}
    for row in due.order_by("pk"):
        # Claimed first, in one statement: a second run at the same time skips it.
        claimed = (
            sent.filter(pk=row.pk, version=version, next_attempt_at=row.next_attempt_at)
            .filter(state__in=open_states)
            .update(next_attempt_at=timezone.now() + CLAIM)
        )
        if claimed:
            try:
                attempt = webmention_send(source=source, target=row.target)
            except Exception as error:  # One odd page must not stop the others.
                logger.exception("Webmention to %s failed", row.target)
                attempt = Attempt(WebmentionSent.State.FAILED, error=f"Error: {error!r}"[:500])
            _record(row, attempt, version=version)
            outcomes[row.target] = attempt.state
    if WebmentionSent.State.FAILED in outcomes.values():
        _send_again(post, version)
    return outcomes


def webmention_send(*, source: str, target: str) -> Attempt:
    """Discover `target`'s endpoint and send it `source`."""
    State = _states()
    try:
        page = outbound.fetch(target, max_bytes=MAX_PAGE_BYTES)
    except outbound.OutboundRefused as refused:
        return Attempt(State.NOT_ALLOWED, error=str(refused))
    except outbound.OutboundError as error:
        return Attempt(State.FAILED, error=str(error))
    if page.status >= 500 or page.status == 429:
        return Attempt(State.FAILED, status_code=page.status, error="The page did not answer.")
    endpoint = endpoint_of(page)
    if endpoint is None:
        return Attempt(State.NO_ENDPOINT, status_code=page.status)
    try:
        answer = outbound.post_form(endpoint, {"source": source, "target": target})
    except outbound.OutboundRefused as refused:
        return Attempt(State.NOT_ALLOWED, endpoint=endpoint, error=str(refused))
    except outbound.OutboundError as error:
        return Attempt(State.FAILED, endpoint=endpoint, error=str(error))
    if 200 <= answer.status < 300:
        state, error = State.SENT, ""
    elif answer.status >= 500 or answer.status == 429:
        state, error = State.FAILED, answer.text[:500]
    else:
        state, error = State.REJECTED, answer.text[:500]
    return Attempt(state, endpoint=endpoint, status_code=answer.status, error=error)


def endpoint_of(page: outbound.Fetched) -> str | None:
    """The Webmention endpoint a fetched page advertises, as an absolute URL (§3.1.2):
    the first Link header value whose rel has "webmention", else the first <link> or <a>
    element with an href and such a rel, in document order. Relative URLs are resolved
    against the page's final address, after redirects."""
    for header in page.headers.get_list("link"):
        for uri, rels in _link_values(header):
            if "webmention" in rels:
                return urljoin(page.url, uri)
    if page.content_type not in HTML_TYPES:
        return None
    document = BeautifulSoup(page.content, "html.parser", from_encoding=page.charset)
    base = document.find("base", href=True)
    base_url = urljoin(page.url, base["href"]) if base else page.url
    for element in document.find_all(["link", "a"], href=True):
        if "webmention" in {rel.lower() for rel in element.get_attribute_list("rel")}:
            # An empty href is the page itself.
            return urljoin(base_url, element["href"].strip())
    return None


# One link-value of a Link header (RFC 8288): <uri> and its parameters, up to the next.
_LINK_VALUE = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r'(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


def _link_values(header: str):
    """(uri, rels) of each value of one Link header, rels in lower case."""
    for match in _LINK_VALUE.finditer(header):
        rel = _REL.search(match.group(2))
        rels = (rel.group(1) if rel.group(1) is not None else rel.group(2)) if rel else ""
        yield match.group(1).strip(), set(rels.lower().split())


def post_links(post) -> list[str]:
    """The other sites' pages `post` links to, each once, in the order it shows them:
    its source (the "via" link), then the links in its commentary and excerpt."""
    source = post_source_url(post)
    candidates = [post.source_url] if post.source_url else []
    for html in (post.body_html, post.excerpt_html):
        document = BeautifulSoup(html or "", "html.parser")
        candidates += [link["href"] for link in document.find_all("a", href=True)]
    links = []
    for candidate in candidates:
        url = urljoin(source, candidate.strip())
        if (
            urlsplit(url).scheme in {"http", "https"}
            and not is_own_address(url)
            and url not in links
            and len(url) <= MAX_TARGET_LENGTH
        ):
            links.append(url)
    return links


def is_own_address(url: str) -> bool:
    """Whether `url` is on this site (SITE_URL's host and port, by either scheme)."""
    own, other = urlsplit(settings.SITE_URL), urlsplit(url)
    if (own.hostname or "") != (other.hostname or ""):
        return False
    return _port(own) == _port(other) or (own.port is None and other.port is None)


def site_is_reachable() -> bool:
    """Whether other sites can fetch this one's pages, as a receiver must to check a
    webmention: not when SITE_URL is a loopback or private address (a development
    server), unless WEBMENTION_ALLOW_PRIVATE_ADDRESSES says such addresses are fine."""
    if settings.WEBMENTION_ALLOW_PRIVATE_ADDRESSES:
        return True
    host = (urlsplit(settings.SITE_URL).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # A name, which other sites resolve for themselves.
    return outbound.address_refusal(address, allow_private=False) is None


def post_source_url(post) -> str:
    """The post's public address: the `source` of its webmentions."""
    return f"{settings.SITE_URL}{post.get_absolute_url()}"


def post_version(post) -> str:
    """A fingerprint of what the post's page shows of it, which a webmention's receiver
    reads: its address, title, text and source."""
    parts = [post_source_url(post), post.title, post.body_html, post.excerpt_html]
    parts.append(post.source_url)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


def _record(row, attempt: Attempt, *, version: str) -> None:
    """Store `attempt` on its row, unless the post's text changed meanwhile."""
    State = _states()
    now = timezone.now()
    attempts = row.attempts + 1
    state, next_attempt_at = attempt.state, None
    if state == State.FAILED:
        if gives_up(attempts):
            state = State.GAVE_UP
        else:
            next_attempt_at = now + retry_delay(attempts)
    type(row).objects.filter(pk=row.pk, version=version).update(
        state=state,
        endpoint=attempt.endpoint[:MAX_TARGET_LENGTH],
        status_code=attempt.status_code,
        error=attempt.error,
        attempts=attempts,
        attempted_at=now,
        next_attempt_at=next_attempt_at,
    )


def _send_again(post, version: str) -> None:
    """Enqueue the run that retries the failed targets, when the first is due."""
    from .models import WebmentionSent

    failed = WebmentionSent.objects.filter(
        post=post, version=version, state=WebmentionSent.State.FAILED
    )
    first = failed.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if first is not None:
        enqueue_on_commit(SEND_TASK, post.pk, version, run_after=first)


def _states():
    from .models import WebmentionSent

    return WebmentionSent.State


def _port(url) -> int | None:
    try:
        return url.port or {"http": 80, "https": 443}.get(url.scheme)
    except ValueError:
        return None
