"""Small helpers for the blog's templates."""

import logging
from datetime import timedelta
from urllib.parse import urljoin

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from blog.images import renditions
from core.markup import fit_to_page

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def site_name():
    """The site's name, from settings: also available where no context processor runs (500)."""
    return settings.SITE_NAME


@register.filter
def absolute(url):
    """Make a URL or path absolute against SITE_URL, for canonical links and OpenGraph."""
    if not url:
        return ""
    return urljoin(f"{settings.SITE_URL}/", str(url))


@register.filter
def under_heading(html, level):
    """A post's sanitised HTML under a heading of `level`: its own headings start one below."""
    return mark_safe(fit_to_page(html, top_heading=int(level) + 1))


@register.filter
def isoformat(value):
    """A datetime for a datetime attribute or a meta tag, to the second: the HTML standard
    allows at most three digits of a fraction, and `|date:"c"` writes six."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# Saving a post again soon after it went public (a typo fixed, a tag added) is part of
# publishing it, not an update worth telling readers about.
UPDATE_GRACE = timedelta(hours=1)


@register.filter
def was_updated(post) -> bool:
    """Whether a post changed after it went public: after its publish date, and after it
    was written (a post imported or loaded with an older publish date is saved once, late)."""
    went_public_at = max(post.published_at, post.created_at)
    return post.updated_at - went_public_at > UPDATE_GRACE


@register.inclusion_tag("includes/_post_image.html")
def post_image(post, sizes="(min-width: 48rem) 45rem, 100vw"):
    """The featured image with a srcset of WebP renditions, or the original alone; nothing
    when the original is missing (a lost file, a server without the uploads)."""
    try:
        sources = renditions(post.image.name, post.image_width)
    except FileNotFoundError:
        logger.warning("The featured image of post %s is missing: %s", post.pk, post.image.name)
        return {}
    srcset = [f"{url} {width}w" for url, width in sources]
    if srcset and post.image_width:
        srcset.append(f"{post.image.url} {post.image_width}w")
    return {
        "src": sources[0][0] if sources else post.image.url,
        "srcset": ", ".join(srcset),
        "sizes": sizes,
        "alt": post.image_alt,
        "width": post.image_width,
        "height": post.image_height,
    }
