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
# The largest request line gunicorn allows (its default is 4,094 bytes): "Press This"
# sends the passage it quotes in the address (blog.bookmarklet.ADDRESS_LIMIT).
limit_request_line = 8190

# Behind a reverse proxy on the same host, trust its X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"

# gunicorn 25+ opens a control socket for `gunicornc` at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl, else ~/.gunicorn/gunicorn.ctl). A second master on the
# same host (another instance, or a new release started beside the old one) deletes the
# first one's socket and takes the path, and whichever stops first deletes the other's:
# gunicornc would then steer the wrong master, or none. Nothing here uses gunicornc
# (systemd and signals run the servers), so it is off unless GUNICORN_CONTROL_SOCKET
# gives this instance a path of its own, e.g. /run/marginalia/gunicorn.ctl.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
