"""Likes: "N people like this" under each post, with no account (issue 15).

- A browser is known by a random id in a signed cookie (BROWSER_COOKIE): one like per
  browser per post, enforced by a unique constraint. A missing or forged cookie gets a new
  id, so it can only ever start afresh, never act for another browser.
- Pressing again takes the like back (`like_toggle`).
- Against scripts that clear their cookies: each address (its /64 for IPv6) may add at
  most BLOG_LIKES_RATE_LIMIT likes in a period. The address is kept only as a keyed hash,
  and only for BLOG_LIKES_ADDRESS_DAYS, long enough for a moderator to remove a burst.
- The count is a column of the post (Post.like_count), counted again in the like's own
  transaction, so the post's page reads it with the post, at no query of its own. (An
  editor's save in the very moment of a like writes back the count it read; the next like
  or removal counts again.)
- A like renews exactly its post's page (blog.stamps.post_likes_key): the lists and every
  other page stay in the page cache. That shared page shows everyone the same neutral
  button; whether this browser likes the post is in a small cookie of post ids
  (LIKED_COOKIE), which static/js/likes.js reads to mark the button "Liked", and which a
  page rendered for one visitor anyway reads too. It is a display hint: the server
  decides from the database alone.
"""

import ipaddress
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Expression, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import stamps
from .models import Like, Post

BROWSER_COOKIE = "like_browser"
BROWSER_SALT = "blog.likes.browser"
LIKED_COOKIE = "liked_posts"
COOKIE_AGE = 365 * 24 * 60 * 60
# The liked cookie holds the newest of them, so it stays small.
LIKED_REMEMBERED = 200
ADDRESS_SALT = "blog.likes.address"


@dataclass(frozen=True)
class LikeOutcome:
    liked: bool
    count: int


class LikeRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def count_text(count: int) -> str:
    """The line under the button, as Jetpack words it."""
    if count == 0:
        return "Be the first to like this"
    if count == 1:
        return "1 person likes this"
    return f"{count:,} people like this"


def browser_id_of(request) -> str | None:
    """This browser's id, from its signed cookie; None when it has none, or a forged one."""
    value = request.get_signed_cookie(BROWSER_COOKIE, default=None, salt=BROWSER_SALT)
    if value is None or len(value) != 32 or not value.isalnum():
        return None
    return value


def new_browser_id() -> str:
    return secrets.token_hex(16)


def liked_ids_of(request) -> list[int]:
    """The posts this browser likes, as its liked cookie says (a display hint only)."""
    value = request.COOKIES.get(LIKED_COOKIE, "")
    return [int(part) for part in value.split(".")[:LIKED_REMEMBERED] if part.isdecimal()]


def liked_cookie_ids(liked_ids: list[int], post_id: int, *, liked: bool) -> list[int]:
    """The liked cookie's posts after this browser liked `post_id`, or took it back."""
    kept = [pk for pk in liked_ids if pk != post_id]
    if liked:
        kept.insert(0, post_id)
    return kept[:LIKED_REMEMBERED]


def remember_browser(response, *, browser_id: str, liked_ids: list[int]) -> None:
    """Set both cookies on `response`: the signed id (for the server only) and the liked
    posts (for the page's script, which is why it is readable)."""
    common = {"max_age": COOKIE_AGE, "secure": settings.SESSION_COOKIE_SECURE, "samesite": "Lax"}
    response.set_signed_cookie(
        BROWSER_COOKIE, browser_id, salt=BROWSER_SALT, httponly=True, **common
    )
    value = ".".join(str(pk) for pk in liked_ids)
    if value:
        response.set_cookie(LIKED_COOKIE, value, httponly=False, **common)
    else:
        response.delete_cookie(LIKED_COOKIE, samesite="Lax")


def address_hash(ip_address: str | None) -> str:
    """A keyed hash of the address (its /64 network for IPv6, as one household is given a
    whole /64): the same for the same address, and no way back to it without the key."""
    return salted_hmac(ADDRESS_SALT, _network(ip_address), algorithm="sha256").hexdigest()[:32]


def _network(ip_address: str | None) -> str:
    if not ip_address:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def limit_description() -> str:
    count, seconds = settings.BLOG_LIKES_RATE_LIMIT
    likes = f"{count} like{'' if count == 1 else 's'}"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            amount = seconds // size
            if amount == 1:
                return f"{likes} {'an' if unit == 'hour' else 'a'} {unit}"
            return f"{likes} in {amount} {unit}s"
    return f"{likes} in {seconds} seconds"


def refusal_message() -> str:
    return (
        "Too many likes have come from your address just now: this site accepts at most "
        f"{limit_description()} from one address. Please try again later."
    )


def _address_allowed(hashed: str) -> bool:
    rate = settings.BLOG_LIKES_RATE_LIMIT
    if not rate:
        return True
    since = timezone.now() - timedelta(seconds=rate[1])
    return Like.objects.filter(address_hash=hashed, created_at__gte=since).count() < rate[0]


def like_toggle(*, post: Post, browser_id: str, ip_address: str | None) -> LikeOutcome:
    """Like `post` from this browser, or take its like back if it has one; raises
    LikeRefused past the address's limit. Renews the post's page and nothing else."""
    with transaction.atomic():
        # One post's likes take turns (on SQLite every write does), so each recount
        # below sees every like before it.
        list(Post.objects.select_for_update().filter(pk=post.pk).values_list("pk"))
        taken_back, _ = Like.objects.filter(post=post, browser_id=browser_id).delete()
        if not taken_back:
            hashed = address_hash(ip_address)
            if not _address_allowed(hashed):
                raise LikeRefused(refusal_message())
            Like.objects.create(post=post, browser_id=browser_id, address_hash=hashed)
        count = _recount([post.pk])[post.pk]
        addresses_forget()
        stamps.likes_changed([post.pk])
    return LikeOutcome(liked=not taken_back, count=count)


def likes_remove(*, likes: Iterable[Like]) -> int:
    """Remove `likes` (a moderator's choice, a burst from one address, say): the posts'
    counts and pages follow. Returns how many were removed."""
    ids = [like.pk for like in likes]
    with transaction.atomic():
        removed = Like.objects.filter(pk__in=ids)
        post_ids = sorted(set(removed.values_list("post_id", flat=True)))
        count, _ = removed.delete()
        if post_ids:
            _recount(post_ids)
            stamps.likes_changed(post_ids)
    return count


def likes_from_addresses(*, likes: Iterable[Like]):
    """Every like from the addresses of `likes` (those that still keep their address)."""
    hashes = {like.address_hash for like in likes if like.address_hash}
    return Like.objects.filter(address_hash__in=hashes)


# Likes from elsewhere, counted with the browsers': callables an app registers (comments:
# approved webmention likes and reposts), each giving an integer expression, or None, of
# a post's likes from there for the post row it is read with (OuterRef("pk")).
other_likes: list[Callable[[], Expression]] = []


def register_other_likes(counter: Callable[[], Expression]) -> None:
    """Count `counter`'s likes in "N people like this" too (from an AppConfig.ready())."""
    if counter not in other_likes:
        other_likes.append(counter)


def likes_recount(*, post_ids: Iterable[int]) -> None:
    """Count the likes of `post_ids` again, after likes from elsewhere changed (a
    webmention like approved, say), and renew those posts' pages."""
    post_ids = sorted(set(post_ids))
    if post_ids:
        with transaction.atomic():
            _recount(post_ids)
            stamps.likes_changed(post_ids)


def _recount(post_ids: list[int]) -> dict[int, int]:
    """Count the likes of `post_ids` and store each count on its post."""
    browsers = (
        Like.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(count=Count("pk"))
        .values("count")
    )
    total = Coalesce(Subquery(browsers), 0)
    for counter in other_likes:
        total = total + Coalesce(counter(), 0)
    counted = dict(
        Post.objects.filter(pk__in=post_ids)
        .order_by()
        .annotate(counted_likes=total)
        .values_list("pk", "counted_likes")
    )
    counts = {pk: counted.get(pk, 0) for pk in post_ids}
    for pk, count in counts.items():
        Post.objects.filter(pk=pk).update(like_count=count)
    return counts


def addresses_forget(*, now=None) -> int:
    """Empty the address of every like older than BLOG_LIKES_ADDRESS_DAYS (a partial
    index holds only those that still have one, so this reads only what it changes)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BLOG_LIKES_ADDRESS_DAYS)
    return (
        Like.objects.filter(created_at__lt=cutoff).exclude(address_hash="").update(address_hash="")
    )
