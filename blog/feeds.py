"""Atom and RSS feeds of the newest posts, site-wide and per tag.

Each entry's description is the commentary, the excerpt as a cited blockquote and
the "via" link, so a feed reader shows a link post as the site does.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from taggit.models import Tag

from .models import Post

FEED_LENGTH = 20


class LatestPostsFeed(Feed):
    description_template = "blog/_feed_item.html"

    def title(self):
        return settings.SITE_NAME

    def description(self):
        return settings.SITE_DESCRIPTION

    def link(self):
        return reverse("blog:home")

    def items(self):
        return Post.objects.published().for_listing()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.get_full_name() or item.author.get_username()

    def item_author_link(self, item):
        # Unlike entry links, Django does not make the author's link absolute.
        path = reverse("blog:author", kwargs={"username": item.author.get_username()})
        return settings.SITE_URL + path

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class TagFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return f"{settings.SITE_NAME}: posts tagged “{tag.name}”"

    def description(self, tag):
        return f"The newest posts tagged “{tag.name}”."

    def link(self, tag):
        return reverse("blog:tag", kwargs={"slug": tag.slug})

    def items(self, tag):
        return Post.objects.published().for_listing().tagged(tag)[:FEED_LENGTH]


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = TagFeed.description
