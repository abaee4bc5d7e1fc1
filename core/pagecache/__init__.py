"""Fast public pages: conditional GET and a page cache shared across servers and deploys.

- `changes`: when the site changed, by a write or by time alone (one query);
- `release`: the release identifier pages are kept under;
- `policy`: which requests may share a page;
- `store`: validators, the shared-page middleware and the `public_page` view wrapper.
"""

from .changes import SiteState, note_public_change, public_change_noted, site_state
from .policy import is_shared_page_request
from .release import release_id
from .store import SharedPageCacheMiddleware, mark_personal, public_page

__all__ = [
    "SharedPageCacheMiddleware",
    "SiteState",
    "is_shared_page_request",
    "mark_personal",
    "note_public_change",
    "public_change_noted",
    "public_page",
    "release_id",
    "site_state",
]
