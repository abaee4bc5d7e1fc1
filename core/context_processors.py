from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

from . import registry


def site(request):
    """The site's name and description, for the layout and meta tags, and the links the
    layout makes on every page (core.registry)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_description": settings.SITE_DESCRIPTION,
        "site_url": settings.SITE_URL,
        "links": _layout_links(get_script_prefix()),
    }


@cache
def _layout_links(script_prefix: str) -> dict[str, str]:
    # The same on every page: reversed once a process (a dozen reverse() calls were a
    # tenth of a rendered post page), for each prefix the site is served under.
    return {name: reverse(url_name) for name, url_name in registry.layout_links.items()}
