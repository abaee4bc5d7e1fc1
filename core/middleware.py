"""Site-wide middleware: a "try again" page, not a server error, when the database is
busy or cannot be reached; old addresses that lead to their new ones; and gzip at a
level fit for pages rendered for one reader."""

import gzip
import logging
import re
import secrets
import sqlite3
from enum import StrEnum

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from .redirects import query_address, redirect_target

logger = logging.getLogger(__name__)

GZIP_ACCEPTED = re.compile(r"\bgzip\b")

# What the 503 page asks browsers and crawlers to wait before trying again.
BUSY_RETRY_AFTER_SECONDS = 5
# SQLSTATE classes of PostgreSQL errors that mean the server is out of reach: connection
# exceptions (08), and the server shutting down or refusing connections (57P01-57P03).
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


class DatabaseTrouble(StrEnum):
    BUSY = "busy"  # Locked, or a statement or lock timeout: another request holds it.
    UNREACHABLE = "unreachable"  # No connection at all: an outage, not load.


def database_trouble(error: BaseException) -> DatabaseTrouble | None:
    """What `error` says about the database, when it is a passing trouble worth a retry.

    SQLite raises OperationalError("database is locked") when another writer holds the
    lock past the busy timeout, but also uses OperationalError for bugs such as a missing
    table, which must still fail loudly. PostgreSQL's OperationalError only ever means a
    passing trouble: a lost connection, a lock or statement timeout, a serialization failure.
    """
    if isinstance(error, InterfaceError):  # The connection was closed under us.
        return DatabaseTrouble.UNREACHABLE
    if not isinstance(error, OperationalError):
        return None
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        message = str(error).lower()
        if "locked" in message or "busy" in message:
            return DatabaseTrouble.BUSY
        if "unable to open" in message or "disk i/o" in message:
            return DatabaseTrouble.UNREACHABLE
        return None
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None or sqlstate.startswith(UNREACHABLE_SQLSTATES):
        # psycopg gives no SQLSTATE when it never reached the server.
        return DatabaseTrouble.UNREACHABLE
    return DatabaseTrouble.BUSY


def database_is_busy(error: BaseException) -> bool:
    """Whether `error` is a passing trouble: busy, or out of reach for a moment."""
    return database_trouble(error) is not None


def busy_response(
    status: int = 503, *, trouble: DatabaseTrouble = DatabaseTrouble.BUSY
) -> HttpResponse:
    """The 503 page. It is rendered without the request, so that showing it never reads
    the session or the user from the database that is in trouble."""
    context = {"unreachable": trouble == DatabaseTrouble.UNREACHABLE}
    response = HttpResponse(render_to_string("503.html", context), status=status)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Answer 503 with a friendly page when a view finds the database busy or gone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        trouble = database_trouble(exception)
        if trouble is None:
            return None
        logger.warning("Database %s on %s %s: %s", trouble, request.method, request.path, exception)
        return busy_response(trouble=trouble)


class RedirectFallbackMiddleware:
    """A page not found (GET or HEAD) at an address that has moved answers 301 to its new
    address (core.redirects), with the query string kept.

    Only a 404 costs a query, so no page that exists pays for the redirects; and an
    address that works again (a new post at an old post's address) is served, not sent away.
    The one exception is WordPress's front-page query for a post (/?p=12, see
    core.redirects.query_address), which the front page would otherwise answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD")
        # The front page answers every query, so an old /?p=12 is looked up before it.
        address = query_address(request.GET) if reading and request.path == "/" else None
        if address and (moved := self.moved(request, address, keep_query=False)):
            return moved
        response = self.get_response(request)
        if response.status_code != 404 or not reading:
            return response
        return self.moved(request, request.path, keep_query=True) or response

    def moved(self, request, address: str, *, keep_query: bool) -> HttpResponse | None:
        try:
            target = redirect_target(address)
        except DatabaseError as error:
            if (trouble := database_trouble(error)) is None:
                raise
            return busy_response(trouble=trouble)
        if target is None:
            return None
        if keep_query and (query := request.META.get("QUERY_STRING", "")):
            target += ("&" if "?" in target else "?") + query
        return HttpResponsePermanentRedirect(target)


class FastGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, compressing a page rendered for one reader at a fast level.

    Such a page is sent once: at zlib's level 1 a 70 kB post page compresses in a third
    of the time of Django's level 6, for some 15% more bytes. Pages kept for many readers
    are compressed once, at level 6, by the page cache (core.pagecache.store), and leave
    here untouched. As Django does against BREACH, random bytes go into the gzip header
    of every page, so a secret in it (a CSRF token) cannot be guessed from its length.
    """

    compress_level = 1

    def process_response(self, request, response):
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not GZIP_ACCEPTED.search(request.headers.get("accept-encoding", "")):
            return response
        compressed = _compress_padded(response.content, self.compress_level, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # A strong ETag cannot name other bytes.
            response.headers["ETag"] = f"W/{etag}"
        response.headers["Content-Encoding"] = "gzip"
        return response


def _compress_padded(content: bytes, level: int, max_random_bytes: int) -> bytes:
    """gzip at `level`, with a random-length file name in the header (RFC 1952's FNAME)."""
    compressed = gzip.compress(content, compresslevel=level, mtime=0)
    header = bytearray(compressed[:10])
    header[3] |= gzip.FNAME
    name = secrets.token_hex(max_random_bytes // 2)[: secrets.randbelow(max_random_bytes) + 1]
    return bytes(header) + name.encode() + b"\x00" + compressed[10:]
