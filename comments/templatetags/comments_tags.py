"""Template tags through which blog pages show comments (blog never imports comments)."""

from django import template
from django.db.models import Count
from django.utils.html import format_html

from comments.feeds import post_comments_feed_url
from comments.models import Comment
from comments.section import comment_section_html
from comments.services import comments_are_open

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, post):
    """The thread of approved comments and the reply form, for the post page."""
    return comment_section_html(context.get("request"), post)


@register.simple_tag
def comment_counts(posts):
    """Approved-comment counts for a page of posts, in one query: {post.pk: count}."""
    post_ids = [post.pk for post in posts]
    if not post_ids:
        return {}
    rows = (
        Comment.objects.approved()
        .discussion()
        .filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(count=Count("pk"))
        .values_list("post_id", "count")
        .order_by()
    )
    return dict(rows)


@register.filter
def count_for(counts, post):
    return counts.get(post.pk, 0)


@register.filter
def accepts_comments(post):
    """Whether a list may invite comments on `post`: its comments are open."""
    return comments_are_open(post=post)


@register.simple_tag
def comment_feed_link(post):
    """A <link rel="alternate"> to the post's comment feed, for the page head."""
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="Comments on “{}”" href="{}">',
        post.title,
        post_comments_feed_url(post),
    )
