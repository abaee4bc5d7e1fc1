"""The parts of a post's page that are the same for every reader: the head's meta tags,
the post itself and the links to its neighbours, rendered once and kept in the cache.

They are kept under a key made of everything they show (the post as last saved, its
author, tags and image, its neighbours' titles and addresses, the release), all of it
already loaded to draw the page: an edit anywhere in that makes a new key, so a kept part
is never stale, and a page rendered for one reader (a visitor with cookies, staff) costs
the comment section and the layout rather than the whole post again. A page every
anonymous reader shares is kept whole by the page cache: keeping its parts as well would
take cache room from other pages for nothing.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core.pagecache import release_id

PARTS_SECONDS = 24 * 60 * 60
PARTS_VERSION = 1


@dataclass(frozen=True)
class PostPageParts:
    head: SafeString
    article: SafeString
    description: str


def post_page_parts(post, *, previous, following, keep: bool = True) -> PostPageParts:
    """The parts of `post`'s page; kept in the cache for the next reader when `keep`."""
    key = _parts_key(post, previous, following) if keep else None
    kept = cache.get(key) if keep else None
    if kept is None:
        context = {
            "post": post,
            "previous_post": previous,
            "next_post": following,
            "site_name": settings.SITE_NAME,
        }
        kept = (
            render_to_string("blog/_post_head.html", context),
            render_to_string("blog/_post_article.html", context),
            post.summary_text,
        )
        if keep:
            cache.set(key, kept, PARTS_SECONDS)
    head, article, description = kept
    return PostPageParts(head=mark_safe(head), article=mark_safe(article), description=description)


def _parts_key(post, previous, following) -> str:
    author = post.author
    shown = [
        release_id(),
        settings.SITE_URL,
        post.pk,
        post.updated_at.isoformat(),
        post.published_at.isoformat(),
        post.image.name or "",
        author.pk,
        author.get_username(),
        author.get_full_name(),
        [(tag.pk, tag.name, tag.slug) for tag in post.tags.all()],
        [
            (neighbour.pk, neighbour.title, neighbour.slug, neighbour.published_at.isoformat())
            for neighbour in (previous, following)
            if neighbour is not None
        ],
    ]
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return f"blog:post-page:v{PARTS_VERSION}:{post.pk}:{digest}"
