"""The admin's "Press This" link (blog.bookmarklet), for the admin index and the post list."""

from django import template

from blog import bookmarklet

register = template.Library()


@register.simple_tag(takes_context=True)
def press_this_link(context) -> str:
    """The bookmarklet's javascript: address, or "" for someone who cannot add posts."""
    request = context["request"]
    if not request.user.has_perm("blog.add_post"):
        return ""
    return bookmarklet.link(request)
