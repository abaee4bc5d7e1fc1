"""Webmentions received: another site's page that links a post tells the post so.

- `webmention_request_check` is what POST /webmention/ checks at once (webmention_views):
  both URLs http(s), not the same, and the target a published post of this site, at its
  address with or without a query or fragment. Anything else is refused with a message.
  Each address may send COMMENTS_RATE_LIMIT of them, as it may comments.
- `webmention_verify`, a background task, fetches the source with the site's one safe
  fetcher (core.outbound: bounded bytes and time, no private addresses), checks that it
  links to the target, and reads it as microformats2 (mf2py): an h-entry with
  u-in-reply-to the target is a reply, u-like-of a like, u-repost-of a repost, anything
  else a mention; the author from its h-card.
- A new one becomes a comment of kind "webmention" through the comments' own pipeline
  (services.webmention_submit: the rules, Akismet, the queue, the moderators' email).
  The same source and post again updates it; a source that answers 410, or no longer
  links the post, takes it down (the "webmention_gone" move, to the trash).
- Approved replies and mentions are listed on the post with the imported pingbacks;
  approved likes and reposts are counted in "N people like this" (blog.likes) and shown
  as their authors' faces.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import mf2py
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from blog import likes
from blog.models import Post
from core import outbound

from . import ratelimit
from .events import event_record
from .models import Comment, CommentEvent, Webmention
from .services import (
    akismet_check_webmention_update,
    comment_transition,
    webmention_submit,
)
from .stamps import comments_changed

logger = logging.getLogger(__name__)

Type = Webmention.Type
Status = Comment.Status
RATE_KEY_PREFIX = "webmention:"
RATE_SALT = "comments.webmentions.rate"
VERIFY_TASK = "comments.tasks.webmention_verify"
# Longest name and text kept from a source, as for a comment (Comment's limits).
NAME_MAX = Comment.AUTHOR_NAME_MAX
BODY_MAX = Comment.BODY_MAX


class WebmentionRefused(Exception):
    """The request is not a webmention this site takes; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The request
# ----------------------------------------------------------------------------------------


def webmention_request_check(*, source: str, target: str, hosts: Iterable[str] = ()) -> Post:
    """The published post `target` names; WebmentionRefused for anything else.

    `hosts` are the host names the request came to, besides SITE_URL's.
    """
    if not source or not target:
        missing = " and ".join(
            name for name, value in [("source", source), ("target", target)] if not value
        )
        raise WebmentionRefused(
            f"The {missing} field{'s are' if ' and ' in missing else ' is'} "
            "missing: send both source and target, form-encoded."
        )
    for name, url in (("source", source), ("target", target)):
        if not is_web_url(url):
            raise WebmentionRefused(f"The {name} must be an http or https URL.")
    if normalised(source) == normalised(target):
        raise WebmentionRefused("The source and the target are the same page.")
    post = post_at(target, hosts=hosts)
    if post is None:
        raise WebmentionRefused("The target is not a post of this site.")
    return post


def is_web_url(url: str) -> bool:
    if len(url) > Webmention.URL_MAX or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port out of range)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def normalised(url: str) -> str:
    """`url` as compared: scheme and host in lower case, no default port, no fragment,
    "/" for an empty path. Empty for what is no web URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def post_at(url: str, *, hosts: Iterable[str] = ()) -> Post | None:
    """The published post at `url` on this site (its address by the blog's URL pattern,
    with any query or fragment), or None."""
    parts = urlsplit(url)
    ours = {urlsplit(settings.SITE_URL).netloc.lower(), *(host.lower() for host in hosts)}
    if parts.netloc.lower() not in ours:
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != "blog:post-detail":
        return None
    kwargs = match.kwargs
    try:
        day = date(kwargs["year"], kwargs["month"], kwargs["day"])
        return Post.objects.published_at_address(day=day, slug=kwargs["slug"])
    except (ValueError, OverflowError):
        return None


def webmention_allowed(*, ip_address: str | None) -> bool:
    """Count one webmention from `ip_address` now; False once it is past
    COMMENTS_RATE_LIMIT. The comments' machinery, under a keyed hash of the address."""
    client = ratelimit.client_key(ip_address)
    hashed = salted_hmac(RATE_SALT, client, algorithm="sha256").hexdigest()[:32]
    return ratelimit.key_allowed(RATE_KEY_PREFIX + hashed)


def rate_refusal_message() -> str:
    described = ratelimit.limit_description().replace("comment", "webmention")
    return (
        f"Too many webmentions from your address: this site accepts at most {described} "
        "from one address. Please try again later."
    )


# Reading the source
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFacts:
    """What a source page says about the post it links."""

    type: str
    author_name: str
    author_url: str
    author_photo: str
    text: str


class _Links(HTMLParser):
    """Every address a page links to or embeds: href and src of any element."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.add(normalised(urljoin(self.base, value.strip())))

    handle_startendtag = handle_starttag


def links_to(fetched: outbound.Fetched, target: str) -> bool:
    """Whether the page `fetched` links `target` (compared normalised, fragment aside)."""
    wanted = normalised(target)
    if fetched.content_type in ("text/plain", ""):
        return any(normalised(word) == wanted for word in fetched.text.split())
    parser = _Links(fetched.url)
    try:
        parser.feed(fetched.text)
        parser.close()
    except Exception:  # A page bad enough to break the parser links nothing.
        logger.info("Could not read the links of %s", fetched.url, exc_info=True)
        return False
    return wanted in parser.found


def source_read(fetched: outbound.Fetched, target: str) -> SourceFacts:
    """The type, author and text of the webmention `fetched` sends about `target`."""
    entries = []
    cards = []
    if fetched.content_type not in ("text/plain", ""):
        try:
            parsed = mf2py.parse(doc=fetched.text, url=fetched.url)
        except Exception:  # Unreadable microformats: a plain mention.
            logger.info("Could not parse microformats of %s", fetched.url, exc_info=True)
            parsed = {"items": []}
        entries = list(_items_of_type(parsed["items"], "h-entry"))
        cards = list(_items_of_type(parsed["items"], "h-card"))
    wanted = normalised(target)
    entry = next((e for e in entries if _type_for(e, wanted) != Type.MENTION), None)
    entry = entry or (entries[0] if entries else None)
    props = entry["properties"] if entry else {}
    kind = _type_for(entry, wanted) if entry else Type.MENTION
    name, url, photo = _author(props.get("author"), cards, fetched.url)
    return SourceFacts(
        type=kind,
        author_name=name,
        author_url=url,
        author_photo=photo,
        text=_text(props, kind),
    )


def _items_of_type(items, wanted: str):
    for item in items:
        if not isinstance(item, dict):
            continue
        if wanted in item.get("type", []):
            yield item
        yield from _items_of_type(item.get("children", []), wanted)


def _urls(values) -> set[str]:
    """The URLs a property's values name: a plain URL, or an h-cite's url or value."""
    found = set()
    for value in values or []:
        if isinstance(value, str):
            found.add(normalised(value))
        elif isinstance(value, dict):
            found.update(
                normalised(u)
                for u in value.get("properties", {}).get("url", [])
                if isinstance(u, str)
            )
            if isinstance(value.get("value"), str):
                found.add(normalised(value["value"]))
    return found


def _type_for(entry: dict, wanted: str) -> str:
    props = entry.get("properties", {})
    for prop, kind in (
        ("in-reply-to", Type.REPLY),
        ("like-of", Type.LIKE),
        ("repost-of", Type.REPOST),
    ):
        if wanted in _urls(props.get(prop)):
            return kind
    return Type.MENTION


def _first_text(values) -> str:
    for value in values or []:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return value["value"].strip()
    return ""


def _author(authors, cards, source_url: str) -> tuple[str, str, str]:
    """Name, URL and photo: the entry's author h-card, or the page's h-card."""
    card = next((a for a in authors or [] if isinstance(a, dict) and "properties" in a), None)
    card = card or (cards[0] if cards else None)
    name = url = photo = ""
    if card is not None:
        props = card["properties"]
        name = _first_text(props.get("name"))
        url = _first_text(props.get("url"))
        photo = _first_text(props.get("photo"))
    elif authors and isinstance(authors[0], str):
        text = authors[0].strip()
        url, name = (text, "") if is_web_url(text) else ("", text)
    url = url if is_web_url(url) and len(url) <= Comment.AUTHOR_URL_MAX else ""
    photo = photo if is_web_url(photo) else ""
    name = " ".join(name.split())[:NAME_MAX] or urlsplit(url or source_url).hostname or "Someone"
    return name, url, photo


def _text(props: dict, kind: str) -> str:
    """The entry's text, plain (the comment renders it as a comment's), cut to a
    comment's length; for a like or a repost with none, what it is."""
    text = ""
    for value in props.get("content") or []:
        if isinstance(value, dict):
            text = str(value.get("value") or "")
        elif isinstance(value, str):
            text = value
        if text.strip():
            break
    text = text.strip() or _first_text(props.get("summary")) or _first_text(props.get("name"))
    if not text and kind in (Type.LIKE, Type.REPOST):
        text = f"{Type(kind).label} of this post."
    text = text or "Mentioned this post."
    return Truncator(text).chars(BODY_MAX)


# Verification, the task's work
# ----------------------------------------------------------------------------------------


def webmention_verify(
    *,
    source: str,
    target: str,
    ip_address: str | None = None,
    user_agent: str = "",
    hosts: Iterable[str] = (),
    client=None,
) -> str:
    """Fetch `source`, check it, and receive, update or remove its webmention of
    `target`; returns what came of it, in a word, for the task's result."""
    post = post_at(target, hosts=hosts)
    if post is None:
        return "target gone"
    existing = Webmention.objects.select_related("comment").filter(source=source, post=post).first()
    try:
        fetched = outbound.fetch(
            source,
            max_bytes=settings.WEBMENTION_MAX_BYTES,
            timeout=settings.WEBMENTION_TIMEOUT,
        )
    except outbound.OutboundRefused as exc:
        logger.info("Webmention source %s refused: %s", source, exc)
        return "source refused"
    except outbound.OutboundError as exc:
        logger.info("Webmention source %s unreachable: %s", source, exc)
        return "source unreachable"
    if fetched.status == 410:
        return _removed(existing, "The source answered 410 Gone.")
    if not 200 <= fetched.status < 300:
        return f"source answered {fetched.status}"
    if not links_to(fetched, target):
        return _removed(existing, "The source no longer links to this post.")
    facts = source_read(fetched, target)
    if existing is not None:
        return _updated(existing, facts, target, client=client)
    comment = Comment(
        post=post,
        kind=Comment.Kind.WEBMENTION,
        author_name=facts.author_name,
        author_url=facts.author_url,
        body=facts.text,
        ip_address=ip_address,
        user_agent=user_agent[:1000],
        created_at=timezone.now(),
    )
    webmention = Webmention(
        source=source, target=target, type=facts.type, author_photo=facts.author_photo
    )
    try:
        webmention_submit(comment=comment, webmention=webmention, client=client)
    except IntegrityError:  # The same pair, received at the same moment: update it.
        existing = Webmention.objects.select_related("comment").get(source=source, post=post)
        return _updated(existing, facts, target, client=client)
    return "received"


def _removed(webmention: Webmention | None, reason: str) -> str:
    if webmention is None:
        return "rejected: no link"
    if webmention.comment.status != Status.TRASH:
        comment_transition(comment=webmention.comment, move="webmention_gone", detail=reason)
    return "removed"


def _updated(webmention: Webmention, facts: SourceFacts, target: str, *, client=None) -> str:
    """Bring the comment up to date with its source; put back in the queue one its
    source had taken down and now links again."""
    fields = {
        "author_name": facts.author_name,
        "author_url": facts.author_url,
        "body": facts.text,
    }
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=webmention.pk)
        changed = [name for name, value in fields.items() if getattr(comment, name) != value]
        changed_type = webmention.type != facts.type or webmention.author_photo != (
            facts.author_photo
        )
        for name in changed:
            setattr(comment, name, fields[name])
        if changed:
            comment.save(update_fields=[*changed, "updated_at"])
        webmention.type = facts.type
        webmention.author_photo = facts.author_photo
        webmention.target = target
        webmention.verified_at = timezone.now()
        webmention.save()
        if changed or changed_type:
            event_record(comment=comment, kind=CommentEvent.Kind.WEBMENTION_UPDATED)
            if comment.status == Status.APPROVED:
                comments_changed([comment.post_id])
                likes.likes_recount(post_ids=[comment.post_id])
    if comment.status == Status.TRASH and _taken_down_by_source(comment):
        comment = comment_transition(comment=comment, move="webmention_back")
    # New text is checked as a new webmention's was; what stays in the trash is not.
    if changed and comment.status != Status.TRASH:
        akismet_check_webmention_update(comment=comment, client=client)
    return "updated" if changed or changed_type else "unchanged"


def _taken_down_by_source(comment: Comment) -> bool:
    latest = comment.events.order_by("-created_at", "-id").first()
    return latest is not None and latest.kind == CommentEvent.Kind.WEBMENTION_GONE


# What the post page shows
# ----------------------------------------------------------------------------------------


def face_likes() -> Subquery:
    """The approved webmention likes and reposts of the post row it is read with
    (OuterRef("pk")): counted with the post's likes (registered with blog.likes in
    CommentsConfig.ready)."""
    faces = (
        Webmention.objects.filter(
            post=OuterRef("pk"),
            type__in=[Type.LIKE, Type.REPOST],
            comment__status=Status.APPROVED,
        )
        .order_by()
        .values("post")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(faces)
