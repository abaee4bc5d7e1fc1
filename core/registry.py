"""What the apps tell `core` about themselves, from their `AppConfig.ready()`.

Core knows no domain: it never names another app's cookie, session key, setting or model.
An app registers here what core must know, and core reads only these registries:

- cookies and session keys that make a request personal (its page is never shared);
- settings that change what pages look like (a change renews every cached page);
- moments at which pages change by time alone (a scheduled post going live);
- the accounts that `ensure_local_admin` creates for local development;
- what robots.txt lists, the links of the layout every page has, and the endpoints a
  post's page names in its Link header.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

personal_cookies: set[str] = set()
personal_session_keys: set[str] = set()
# Label -> a callable giving the value that shapes pages (read at call time).
page_settings: dict[str, Callable[[], Any]] = {}


@dataclass(frozen=True)
class TimedChange:
    """Something readers see that changes when a moment passes, with no write at all.

    `passed` takes "now" and returns a one-column queryset of at most one row: the
    latest moment at or before now. It moves the moment a new one passes. When it moves,
    the pages that show `shown_under` (a page-stamp key, see core.pagecache.changes) are
    renewed; every page when it is None.
    """

    name: str
    passed: Callable[[datetime], QuerySet]
    shown_under: str | None = None


timed_changes: dict[str, TimedChange] = {}


@dataclass(frozen=True)
class LocalAccount:
    username: str
    label: str
    group: str | None


local_accounts: dict[str, LocalAccount] = {}


def register_personal_cookies(*names: str) -> None:
    """Cookies whose presence makes a page this visitor's own (it fills in a form, say)."""
    personal_cookies.update(names)


def register_personal_session_keys(*keys: str) -> None:
    """Session keys that make a page this visitor's own, and always fresh."""
    personal_session_keys.update(keys)


def register_page_settings(**values: Callable[[], Any]) -> None:
    """Values that shape pages, by label: a change to any renews every cached page."""
    page_settings.update(values)


def register_timed_change(
    name: str,
    *,
    passed: Callable[[datetime], QuerySet],
    shown_under: str | None = None,
) -> None:
    timed_changes[name] = TimedChange(name, passed, shown_under)


def register_local_account(username: str, label: str, group: str | None = None) -> None:
    local_accounts[username] = LocalAccount(username, label, group)


# The layout's links (base.html), by name: the URL names the apps registered.
layout_links: dict[str, str] = {}


def register_layout_links(**url_names: str) -> None:
    """Pages every page links to (the navigation, the feeds), as `links.<name>` in
    templates: `register_layout_links(home="blog:home")`."""
    layout_links.update(url_names)


# The Link headers of a post's page (RFC 8288), by rel: the URL names the apps registered.
post_page_links: dict[str, str] = {}


def register_post_page_links(**url_names: str) -> None:
    """Endpoints each post's page names in its Link header, by rel:
    `register_post_page_links(webmention="comments:webmention")`."""
    post_page_links.update(url_names)


def post_page_link_header() -> str:
    """The Link header of a post's page: each registered endpoint, as an absolute URL."""
    return ", ".join(
        f'<{settings.SITE_URL}{reverse(url_name)}>; rel="{rel}"'
        for rel, url_name in post_page_links.items()
    )


# robots.txt: URL names of pages crawlers should skip, and of sitemaps.
robots_disallowed: list[str] = []
robots_sitemaps: list[str] = []


def register_robots(*, disallow: tuple[str, ...] = (), sitemaps: tuple[str, ...] = ()) -> None:
    """URL names for robots.txt: pages crawlers should skip, and sitemaps to read."""
    robots_disallowed.extend(name for name in disallow if name not in robots_disallowed)
    robots_sitemaps.extend(name for name in sitemaps if name not in robots_sitemaps)
