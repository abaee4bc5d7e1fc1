"""The site's own settings, with static files collected into the load test's folder.

DEBUG is off, so the pages need the manifest that `collectstatic` writes; collecting into
a temporary STATIC_ROOT leaves the project's `staticfiles/` alone.
"""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOADTEST_STATIC_ROOT"]
