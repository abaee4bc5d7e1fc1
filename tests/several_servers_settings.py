"""Production settings for the servers of tests/test_several_servers.py.

With no REDIS_URL, their shared cache is a folder both servers use (Django's file-based
cache), standing in for Redis on a machine without it.
"""

import os

from config.settings import *  # noqa: F403

if not REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["SHARED_CACHE_FOLDER"],
        }
    }

# A deploy runs collectstatic on each server; these serve static files from the source
# folders instead, as the test suite does.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
