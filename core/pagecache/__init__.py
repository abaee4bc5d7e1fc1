"""Fast public pages: conditional GET and a page cache shared across servers and deploys.

- `changes`: what changed and when, by a write or by time alone (one query), and what
  each page shows;
- `release`: the release identifier pages are kept under;
- `policy`: which requests may share a page;
- `store`: validators, the shared-page middleware and the `public_page` view wrapper.
"""

from .changes import (
    SITE,
    SiteState,
    depends_on,
    note_changes,
    note_site_change,
    site_state,
)
from .policy import could_share_page, is_shared_page_request
from .release import release_id
from .store import SharedPageCacheMiddleware, mark_personal, public_page

__all__ = [
    "SITE",
    "SharedPageCacheMiddleware",
    "SiteState",
    "could_share_page",
    "depends_on",
    "is_shared_page_request",
    "mark_personal",
    "note_changes",
    "note_site_change",
    "public_page",
    "release_id",
    "site_state",
]
