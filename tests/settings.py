"""Test settings: the project's settings, with a throwaway key and a fast hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
# The test client and the live server speak plain http; tests/test_deploy.py checks the
# HTTPS settings that production gets.
os.environ.setdefault("DJANGO_HTTPS", "0")

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from config.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A database file, as the site runs on, rather than SQLite's in-memory database:
    # the live server shares that one connection among its request threads, and two
    # requests at once (the editor's preview beside a page load) can deadlock on it.
    # With a file each thread has its own connection, and SQLite's locks apply.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"marginalia-tests-{os.getpid()}.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Never contact the real Akismet: tests configure the key and a local fake server.
AKISMET_API_KEY = ""
AKISMET_API_URL = "http://127.0.0.1:9"
# Never send webmentions to the pages posts link to (example.org and the like): the tests
# that send turn it on, with the pages served on 127.0.0.1 (tests/local_sites.py).
WEBMENTION_SEND = False
# Serve static files from the app folders, as in development: tests run no collectstatic.
WHITENOISE_AUTOREFRESH = True
