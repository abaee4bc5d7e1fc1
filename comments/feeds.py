"""An Atom feed of each post's approved comments."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from blog.models import Post

from .models import Comment

FEED_LENGTH = 50


class PostCommentsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, post_id):
        return get_object_or_404(Post.objects.published(), pk=post_id)

    def title(self, post):
        return f"Comments on “{post.title}”"

    def link(self, post):
        return post.get_absolute_url()

    def subtitle(self, post):
        return f"The newest approved comments on “{post.title}”."

    def items(self, post):
        return (
            Comment.objects.approved()
            .filter(post=post)
            .select_related("post")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"{item.author_name}: {Truncator(item.body).words(12)}"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        return item.author_url or None
