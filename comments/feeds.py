"""Atom feeds of approved comments: the whole site's, and each post's.

A post's feed lives under the post's address, as WordPress puts it
(/2026/11/29/slug/feed/); the older /comments/feed/<post id>/ serves the same feed.
Each feed's id is its own address, so no feed shares an id with a post's entry, and a
comment's entry id is the post's address and #comment-N; its link adds the comment page.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import Truncator

from blog import stamps
from blog.feeds import AtomWithContent
from blog.models import Post
from core.pagecache import depends_on

from .models import Comment

FEED_LENGTH = 50


def post_comments_feed_url(post) -> str:
    """The address of `post`'s comment feed: the post's own address, then feed/ (the
    comments:post-permalink-feed pattern; tests/comments pin that the two agree)."""
    return f"{post.get_absolute_url()}feed/"


class SiteCommentsFeed(Feed):
    """The newest approved comments on any published post."""

    feed_type = AtomWithContent

    def title(self):
        return f"Comments on {settings.SITE_NAME}"

    def subtitle(self):
        return f"The newest approved comments on {settings.SITE_NAME}."

    def link(self):
        return reverse("blog:home")

    def feed_url(self):
        return reverse("comments:feed")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django's default id is the page the feed is about: for a post's feed, the
        # post's own entry id.
        feed.feed["id"] = feed.feed["feed_url"]
        # An entry's id stays the post's address and #comment-N: its link names the page
        # of the thread that shows the comment, which moves as the discussion grows.
        for entry in feed.items:
            address, _, anchor = entry["unique_id"].partition("#")
            entry["unique_id"] = f"{address.partition('?')[0]}#{anchor}"
        return feed

    def items(self):
        return self.newest(Comment.objects.filter(post__in=Post.objects.published()))

    def newest(self, comments):
        # Peers, so that the entries' permalinks find their pages in one query.
        return (
            comments.approved()
            .select_related("post")
            .fetch_mode(models.FETCH_PEERS)
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"Comment on {item.post.title} by {item.author_name}"

    def item_description(self, item):
        return None  # The comment is short: its whole text goes in <content>.

    def item_extra_kwargs(self, item):
        return {"content": item.body_html}

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        # An imported comment may carry a date later than its last save.
        return max(item.created_at, item.updated_at)

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        return item.author_url or None


class PostCommentsFeed(SiteCommentsFeed):
    """A published post's approved comments, found by the post's address."""

    def get_object(self, request, year, month, day, slug):
        try:
            published_on = datetime.date(year, month, day)
        except ValueError:
            raise Http404("No such date") from None
        # __date is the date in the current time zone, as on the post's page.
        post = get_object_or_404(
            Post.objects.published(), slug=slug, published_at__date=published_on
        )
        depends_on(request, stamps.post_key(post.pk))
        return post

    def title(self, post):
        return f"Comments on “{post.title}”"

    def subtitle(self, post):
        return f"The newest approved comments on “{post.title}”."

    def link(self, post):
        return post.get_absolute_url()

    def feed_url(self, post):
        return post_comments_feed_url(post)

    def items(self, post):
        return self.newest(Comment.objects.filter(post=post))

    def item_title(self, item):
        return f"{item.author_name}: {Truncator(item.body).words(12)}"


class PostCommentsFeedById(PostCommentsFeed):
    """The same feed at its older address, /comments/feed/<post id>/."""

    def get_object(self, request, post_id):
        post = get_object_or_404(Post.objects.published(), pk=post_id)
        depends_on(request, stamps.post_key(post.pk))
        return post
