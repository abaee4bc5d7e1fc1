"""Gunicorn settings for production (`make serve`, or `gunicorn -c gunicorn.conf.py`).

Each value can be overridden from the environment, e.g. WEB_CONCURRENCY=4.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# One process per core. Each has a few threads, so a request waiting on Akismet (up to
# AKISMET_TIMEOUT seconds) does not stop its process from serving readers.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# Load the app once before forking: workers start fast and share its memory.
preload_app = True
# Replace each worker after a few thousand requests, so no slow leak can grow unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5

# Behind a reverse proxy on the same host, trust its X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
