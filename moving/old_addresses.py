"""The addresses an imported WordPress site had, each sent to its page here (core.redirects).

For a post: its `<link>` and `guid`, WordPress's `/?p=ID`, the usual permalink shapes
(/YYYY/MM/DD/slug/, /YYYY/MM/slug/, /slug/) and its comment feed (/slug/feed/); for a
category, /category/slug/ (with its parents, as WordPress nests them) and its feed;
for an author, /author/login/. The front page's feeds (/feed/, /comments/feed/) and
/tag/slug/ are this site's own addresses too, and `/?s=words` leads to the search.

Old addresses are stored as the old site had them, below the folder it lived in
(/blog/2024/05/06/slug/ for a WordPress at https://example.com/blog/).
"""

from urllib.parse import unquote, urlsplit

from django.urls import reverse

from comments.feeds import post_comments_feed_url
from core.models import Redirect
from core.redirects import add_redirects

OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length


def site_path_prefix(home_url: str) -> str:
    """The folder the old site lived in: "" at a domain's root, "/blog" below it."""
    return unquote(urlsplit(home_url).path).rstrip("/")


def _redirect_all(old_paths, new_path: str) -> None:
    """Send each of `old_paths` to `new_path`, unless it leads somewhere already: two
    old posts that shared an address (/slug/ for two years' posts) keep it for the first."""
    paths = [
        path
        for path in old_paths
        if path.startswith("/") and path != "/" and len(path) <= OLD_PATH_MAX
    ]
    add_redirects(paths, new_path, keep_existing=True)


def _path_of(address: str, *, site_hosts: set[str]) -> str | None:
    """The path (and query) of `address` if it points into the old site."""
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https", "") or parts.netloc.lower() not in site_hosts:
        return None
    path = unquote(parts.path) or "/"
    return f"{path}?{parts.query}" if parts.query else path


def redirect_post(post, item, *, site_hosts: set[str], prefix: str) -> None:
    """Send the old addresses of `item` (a wxr.Item) to `post`'s page."""
    new_path = post.get_absolute_url()
    old_paths = [
        path
        for address in (item.link, item.guid)
        if (path := _path_of(address, site_hosts=site_hosts))
    ]
    if not prefix:
        # Only the front page answers WordPress's queries (core.redirects.query_address).
        old_paths.append(f"/?p={int(item.post_id)}" if item.post_id.isdecimal() else "")
    slug = unquote(item.post_name).strip("/") or post.slug
    dated = item.post_date[:10].split("-")
    shapes = [f"{prefix}/{slug}/"]
    if len(dated) == 3 and all(part.isdecimal() for part in dated):
        year, month, day = dated
        shapes[:0] = [f"{prefix}/{year}/{month}/{day}/{slug}/", f"{prefix}/{year}/{month}/{slug}/"]
    _redirect_all([*old_paths, *shapes], new_path)
    feed = post_comments_feed_url(post)
    _redirect_all([f"{shape}feed/" for shape in shapes], feed)


def redirect_category(tag, nested_slugs: list[str], *, prefix: str) -> None:
    """Send /category/parent/child/ (and its feed) to the page of the tag it became."""
    chain = "/".join(unquote(slug) for slug in nested_slugs if slug)
    if not chain:
        return
    _redirect_all([f"{prefix}/category/{chain}/"], reverse("blog:tag", args=[tag.slug]))
    _redirect_all(
        [f"{prefix}/category/{chain}/feed/"], reverse("blog:tag-feed-rss", args=[tag.slug])
    )
    if prefix:  # The site's own /tag/x/ answers at the root only.
        _redirect_all([f"{prefix}/tag/{tag.slug}/"], reverse("blog:tag", args=[tag.slug]))


def redirect_author(user, login: str, *, prefix: str) -> None:
    """Send /author/login/ to the author's page here."""
    if login:
        _redirect_all(
            [f"{prefix}/author/{login}/"], reverse("blog:author", args=[user.get_username()])
        )
