"""When a post's comments close by age (COMMENTS_CLOSE_AFTER_DAYS).

The page cache must know the moment it happens, since no write marks it: `last_closed`
gives the latest closing that has passed (registered in CommentsConfig.ready).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet

from blog.models import Post


def close_after() -> timedelta | None:
    """How long after publishing comments close by themselves; None when they never do."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return timedelta(days=days) if days else None


def closes_by_age(*, post: Post, now: datetime) -> bool:
    age = close_after()
    return age is not None and post.published_at <= now - age


def last_closed(now: datetime) -> QuerySet:
    """The latest moment at which a post's comments closed by age, as a one-row queryset."""
    age = close_after()
    if age is None:
        return Post.objects.none()
    closes_at = ExpressionWrapper(F("published_at") + age, output_field=DateTimeField())
    # "now" compared as it is, not shifted by the age: the page cache builds this query
    # once and puts in each request's "now" (core.pagecache.changes).
    posts = Post.objects.published(now=now).filter(comments_open=True)
    posts = posts.annotate(closes_at=closes_at).filter(closes_at__lte=now)
    return posts.order_by("-published_at").values("closes_at")[:1]
