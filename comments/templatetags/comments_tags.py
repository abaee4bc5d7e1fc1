"""Template tags through which blog pages show comments (blog never imports comments).

STUB: the comments work replaces these bodies; the tag names and signatures are the contract.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, post):
    """The thread of approved comments and the reply form, for the post page."""
    return ""


@register.simple_tag
def comment_counts(posts):
    """Approved-comment counts for a page of posts, in one query: {post.pk: count}."""
    return {}


@register.filter
def count_for(counts, post):
    return counts.get(post.pk, 0)


@register.simple_tag
def comment_feed_link(post):
    """A <link rel="alternate"> to the post's comment feed, for the page head."""
    return ""
