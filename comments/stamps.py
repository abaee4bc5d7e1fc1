"""What a change to comments renews among cached pages (core.pagecache).

A comment shows on its post's page, in the count the lists show for the post, and in the
comment feeds. Only comments readers can see count: a held or spam comment's saves
(Akismet's verdict, retries) renew nothing. The services and the admin call
`comments_changed` after any change a reader could see; no signal does it behind them.
"""

from collections.abc import Iterable

from blog import stamps as blog_stamps
from core.pagecache import note_changes

# The site's comment feed.
SITE_COMMENTS = "comments"


def site_feed_shows(request, *args, **kwargs) -> list[str]:
    """The site's comment feed: every post's comments, and which posts are public."""
    return [SITE_COMMENTS, blog_stamps.LISTS]


def comments_changed(post_ids: Iterable[int]) -> None:
    """Renew the pages showing the comments of these posts."""
    post_ids = set(post_ids)
    if post_ids:
        note_changes(SITE_COMMENTS, *(blog_stamps.post_key(post_id) for post_id in post_ids))
