"""Small helpers for the blog's templates."""

import logging
from urllib.parse import urljoin

from django import template
from django.conf import settings

from blog.images import renditions

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
