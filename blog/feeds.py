"""RSS 2.0 and Atom feeds of the newest posts, site-wide and per tag.

Each entry carries the whole post as HTML (RSS's content:encoded, Atom's content) as the
post page shows it: the commentary, the excerpt as a cited blockquote and the "via" link,
so a feed reader shows a link post as the site does. The summary goes in RSS's
description and Atom's summary, as WordPress sends them.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from .models import Post

FEED_LENGTH = 20


class AtomWithContent(Atom1Feed):
    """Atom whose entries carry their HTML in <content type="html"> (RFC 4287 §4.1.3)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 whose items carry their HTML in <content:encoded>, as WordPress's do."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content:encoded", item["content"])


class LatestPostsFeed(Feed):
    feed_type = RssWithContent

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

    def item_description(self, item):
        # The summary is plain text; the feed carries HTML.
        return escape(item.summary_text)

    def item_extra_kwargs(self, item):
        return {"content": render_to_string("blog/_feed_item.html", {"post": item})}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # A scheduled post was last saved before it went out.
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return item.author.get_full_name() or item.author.get_username()

    def item_author_link(self, item):
        # Unlike entry links, Django does not make the author's link absolute.
        path = reverse("blog:author", kwargs={"username": item.author.get_username()})
        return settings.SITE_URL + path

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = AtomWithContent
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
    feed_type = AtomWithContent
    subtitle = TagFeed.description
