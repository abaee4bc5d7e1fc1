"""Site-wide middleware: a "try again" page, not a server error, when the database is
busy or cannot be reached; and old addresses that lead to their new ones."""

import logging
import sqlite3
from enum import StrEnum

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string

from .redirects import query_address, redirect_target

logger = logging.getLogger(__name__)

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
