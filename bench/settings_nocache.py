"""The benchmark's settings with a cache that keeps nothing, so every request renders the
comment thread from scratch: the "uncached" rows under gunicorn."""

from bench.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
