"""
Settings for the blog, read from the environment.

Every variable has a safe local default except DJANGO_SECRET_KEY, which must be set
whenever DEBUG is off. `.env.example` and the README list every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default, *, minimum=None):
    value = os.environ.get(name, "").strip()
    try:
        number = int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {number}.")
    return number


def env_float(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def env_rate(name, default):
    """A rate such as "30/10m" (30 per 10 minutes) as (count, seconds); None for "0" or
    "off". Units: s, m, h, d; "30/m" means 30 per minute."""
    value = os.environ.get(name, "").strip().lower() or default
    if value in {"0", "off"}:
        return None
    count, _, period = value.partition("/")
    number, unit = period[:-1], period[-1:]
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit)
    if not (count.isdecimal() and int(count) > 0 and seconds and (number or "1").isdecimal()):
        raise ImproperlyConfigured(
            f"{name} must look like 30/10m (30 per 10 minutes; units s, m, h, d), "
            f"or 0 or off to turn the limit off, not {value!r}."
        )
    if not int(number or "1"):
        raise ImproperlyConfigured(f"{name} needs a period longer than zero, not {value!r}.")
    return int(count), int(number or "1") * seconds


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The comment form on a cached page gets its token at submit time; without JavaScript,
# this view shows the form once more with a token (see core/pagecache).
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"

# The public address of the site, used in feeds, e-mails and as Akismet's blog URL.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Marginalia")
SITE_DESCRIPTION = os.environ.get(
    "SITE_DESCRIPTION", "Notes and links worth reading, with comments from readers."
)
SITE_LANGUAGE = "en"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "axes",
    "django_tasks_db",
    "core",
    "blog",
    "comments",
    # Moving in from WordPress or Disqus and out to WordPress; nothing imports it.
    "moving",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files come precompressed from whitenoise, so this compresses pages only.
    # Django masks the CSRF token afresh in every response, which defeats BREACH.
    "core.middleware.FastGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session, auth and CSRF middleware, so a cached page costs none of them.
    "core.pagecache.SharedPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # A 404 at an address that has moved becomes a 301 to the new one (core.redirects).
    # Inside the header middleware, so the redirect gets the same headers as any page.
    "core.middleware.RedirectFallbackMiddleware",
    # A database busy past its timeout gets a "try again" page (503), not a 500.
    "core.middleware.DatabaseBusyMiddleware",
    # Admin logins throttled by django-axes (see AXES_* below); last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Compiled templates stay in memory for the life of the process. With DEBUG
            # on, Django's autoreloader empties this cache whenever a template changes.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite by default; DATABASE_URL=postgres://… for production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Keep each connection for a minute rather than opening one per request; the
        # health check replaces a connection the database has dropped.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tuned for a live site: WAL lets readers and one writer work at once, the busy
    # timeout waits for a lock instead of failing, and IMMEDIATE transactions take the
    # write lock up front so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=5000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Each process's own memory. A post's page takes two entries or more (the page and
    # its thread), so Django's default of 300 would keep only the busiest 150 posts.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "5000"))},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# A "www." address in a comment becomes an https:// link, the default from Django 2028.
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads go to the local disk, or, for several app servers, to an S3-compatible bucket
# that all of them share (django-storages).
MEDIA_STORAGE = os.environ.get("DJANGO_MEDIA_STORAGE", "").strip().lower() or "local"
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"].strip(),
            # Empty means boto3's own lookup (AWS's endpoint, an instance role's keys).
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "").strip() or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "").strip() or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None,
            # A second upload of "photo.png" gets a name of its own instead of replacing
            # the file that published pages show.
            "file_overwrite": False,
            # Plain, unsigned URLs: a signed one expires after an hour, but pages are
            # cached whole until the site changes. The bucket must allow public reads.
            "querystring_auth": False,
            # No ACL on each object: the bucket's policy decides, as AWS now recommends.
            "default_acl": None,
        },
    }
else:
    raise ImproperlyConfigured(f"DJANGO_MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Uploads: Django refuses request bodies past these sizes before a view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Featured images: files past either limit are refused, which also guards
# against decompression bombs (a small file that expands to a huge bitmap).
BLOG_IMAGE_MAX_BYTES = env_int("BLOG_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
BLOG_IMAGE_MAX_PIXELS = env_int("BLOG_IMAGE_MAX_PIXELS", 40_000_000)
BLOG_POSTS_PER_PAGE = env_int("BLOG_POSTS_PER_PAGE", 10)
# Old revisions of posts the nightly prune deletes (blog.revisions): those older than the
# days, and past the count for each post; 0 is no limit. Each post's newest is always kept.
BLOG_REVISIONS_KEEP_DAYS = env_int("BLOG_REVISIONS_KEEP_DAYS", 0, minimum=0)
BLOG_REVISIONS_KEEP_COUNT = env_int("BLOG_REVISIONS_KEEP_COUNT", 50, minimum=0)
# Likes (blog.likes): how many one address may add in a period ("30/h"; 0 or off: no
# limit), and how many days a like keeps the hash of its address (for removing a burst).
BLOG_LIKES_RATE_LIMIT = env_rate("BLOG_LIKES_RATE_LIMIT", "30/h")
BLOG_LIKES_ADDRESS_DAYS = env_int("BLOG_LIKES_ADDRESS_DAYS", 7, minimum=1)
# Webmention. Sending (blog.webmentions): publishing a post, or changing a published one,
# tells the pages it links to. Every request to another site goes through core.outbound,
# which refuses private and loopback addresses unless WEBMENTION_ALLOW_PRIVATE_ADDRESSES
# is on (a site on an intranet; the tests' local servers).
WEBMENTION_SEND = env_bool("WEBMENTION_SEND", True)
WEBMENTION_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBMENTION_ALLOW_PRIVATE_ADDRESSES", False)
# Receiving (comments.webmentions, at /webmention/): each source is read up to the bytes,
# for at most the seconds.
WEBMENTION_MAX_BYTES = env_int("WEBMENTION_MAX_BYTES", 1024 * 1024, minimum=1024)
WEBMENTION_TIMEOUT = env_float("WEBMENTION_TIMEOUT", 10.0)
# Keep public pages whole in the cache for anonymous readers (see core/pagecache).
# BLOG_PAGE_CACHE is its earlier name, still read.
PAGE_CACHE = env_bool("PAGE_CACHE", env_bool("BLOG_PAGE_CACHE", True))
# What cached pages and ETags are kept under: the deployed release (a commit id, say), so
# every server running it agrees. Empty: a hash of the deployed code (core/pagecache).
RELEASE = os.environ.get("DJANGO_RELEASE", "").strip()

# Comments and Akismet. Spam checking turns on only when AKISMET_API_KEY is set.
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_BLOG_URL = os.environ.get("AKISMET_BLOG_URL", "") or SITE_URL
AKISMET_API_URL = os.environ.get("AKISMET_API_URL", "https://rest.akismet.com").rstrip("/")
AKISMET_TIMEOUT = env_float("AKISMET_TIMEOUT", 2.0)
AKISMET_IS_TEST = env_bool("AKISMET_IS_TEST", False)
COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = env_bool("COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS", False)
COMMENTS_DROP_DISCARDED = env_bool("COMMENTS_DROP_DISCARDED", False)
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)
# Hold a comment with this many links or more, as WordPress's comment_max_links; 0: never.
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
COMMENTS_THREAD_DEPTH = env_int("COMMENTS_THREAD_DEPTH", 5)
# Top-level threads per page of a post's comments (replies stay with their thread); 0: one
# page. COMMENTS_ORDER says which threads come first: "oldest" (WordPress's default) or
# "newest". The page with no ?comments= is page 1 of that order (comments/pages.py).
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50, minimum=0)
COMMENTS_ORDER = os.environ.get("COMMENTS_ORDER", "").strip().lower() or "oldest"
if COMMENTS_ORDER not in {"oldest", "newest"}:
    raise ImproperlyConfigured(f"COMMENTS_ORDER must be oldest or newest, not {COMMENTS_ORDER!r}.")
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENTS_SPAM_RETENTION_DAYS = env_int("COMMENTS_SPAM_RETENTION_DAYS", 15)
COMMENTS_AKISMET_DATA_RETENTION_DAYS = env_int("COMMENTS_AKISMET_DATA_RETENTION_DAYS", 15)
COMMENTS_MODERATOR_EMAILS = env_list("COMMENTS_MODERATOR_EMAILS")
# Seconds the Approve, Spam and Trash links in a moderator's email keep working.
COMMENTS_EMAIL_LINK_MAX_AGE = env_int("COMMENTS_EMAIL_LINK_MAX_AGE", 7 * 24 * 60 * 60)
# Replies by email and new-post emails (comments/subscriptions.py): days an address that
# asked for them has to confirm (its link works so long) before it is forgotten.
COMMENTS_SUBSCRIPTION_CONFIRM_DAYS = env_int("COMMENTS_SUBSCRIPTION_CONFIRM_DAYS", 3, minimum=1)
# Seconds after posting during which a comment's author may edit or delete it from the
# browser that posted it (comments/editing.py); 0: never.
COMMENTS_EDIT_SECONDS = env_int("COMMENTS_EDIT_SECONDS", 900, minimum=0)
# The picture beside each comment: "generated" on this site from a keyed hash of the
# email (no outside request), or "gravatar" (the email's SHA-256 is sent to Gravatar).
COMMENTS_AVATARS = os.environ.get("COMMENTS_AVATARS", "").strip().lower() or "generated"
if COMMENTS_AVATARS not in {"generated", "gravatar"}:
    raise ImproperlyConfigured(
        f"COMMENTS_AVATARS must be generated or gravatar, not {COMMENTS_AVATARS!r}."
    )
# How many reverse proxies stand in front of the site and append to X-Forwarded-For.
# 0 (the default) trusts no header and uses the address of the connection. Read by
# comments and the admin login throttle alike (core/request_info.py);
# COMMENTS_TRUSTED_PROXIES is its earlier name, still read.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", env_int("COMMENTS_TRUSTED_PROXIES", 0))

# Background work (Django's tasks framework): emails to moderators, reports to Akismet,
# rechecks after an outage and the nightly purges. Tasks are rows in the database, run by
# `manage.py db_worker` (see the README's "Production"); `make run` starts one.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Email (Django 6.1's MAILERS). The console in development; SMTP otherwise.
_email_backend = os.environ.get("DJANGO_EMAIL_BACKEND", "") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
MAILERS = {"default": {"BACKEND": _email_backend}}
if _email_backend.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "blog@localhost")

# Security headers and HTTPS. With DEBUG off the site is taken to be served over HTTPS:
# the HTTPS redirect, secure cookies and HSTS are on. DJANGO_HTTPS=0 turns them all off
# (for plain http on 127.0.0.1, as `make serve` does); each also has its own variable.
if os.environ.get("DJANGO_SECURE", "").strip():
    # It used to turn HTTPS on and trust X-Forwarded-Proto; kept silently, a site behind
    # a TLS proxy would now redirect forever. Say what replaced it instead.
    raise ImproperlyConfigured(
        "DJANGO_SECURE is no longer read: the HTTPS settings are on whenever DEBUG is off. "
        "Remove it; behind a TLS-terminating proxy set DJANGO_TLS_PROXY=1, and to serve "
        "plain http (locally) set DJANGO_HTTPS=0. See the README's Security and privacy."
    )
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Browsers ship the preload list built in, and leaving it takes months: joining is the
# owner's decision (DJANGO_SECURE_HSTS_PRELOAD=1), so the deploy check's nudge is silenced.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (replacing whatever the
# client sent), that header tells Django the request came over HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (Django 6's built-in middleware): scripts only from this site
# and only in tags carrying the request's nonce (`nonce="{{ csp_nonce }}"`); no inline code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}
# Named as well as covered by "https:", so that a narrower img-src keeps Gravatar's
# avatars when they are on (COMMENTS_AVATARS), and only then.
if COMMENTS_AVATARS == "gravatar":
    SECURE_CSP["img-src"].append("https://www.gravatar.com")

# Abuse controls and commenters' privacy (README, "Security and privacy").
# ------------------------------------------------------------------------------------------

# Admin logins: django-axes refuses a login from an address after AXES_FAILURE_LIMIT
# failures in a row, for AXES_COOLOFF_MINUTES, even with the right password. Failures are
# counted in the database, so every worker sees them without a cache server; the address
# is the visitor's, read as the comments read it (TRUSTED_PROXIES).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # In hours.
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.logins.client_ip"
AXES_LOCKOUT_CALLABLE = "core.logins.lockout_response"
# No record of successful logins (it would keep staff addresses for ever), and log lines
# that name the address only, not the browser and path as well.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False


# Comment submissions from one address (an IPv6 /64), on top of COMMENTS_FLOOD_SECONDS:
# (count, seconds), or None when off.
COMMENTS_RATE_LIMIT = env_rate("COMMENTS_RATE_LIMIT", "30/10m")
# Days to keep a comment's IP address, browser (user agent) and referrer.
COMMENTS_PERSONAL_DATA_RETENTION_DAYS = env_int("COMMENTS_PERSONAL_DATA_RETENTION_DAYS", 60)
# Readers' reports (from different addresses) that take a published comment back into the
# moderation queue; 0 never does, and reports only wait in the queue's Reported view.
COMMENTS_REPORTS_TO_HOLD = env_int("COMMENTS_REPORTS_TO_HOLD", 3, minimum=0)
# Where the privacy page tells commenters to ask for a copy or the erasure of their data.
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
