"""Site-wide middleware: a "try again" page, not a server error, when the database is busy."""

import logging
import sqlite3

from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# What the busy page asks browsers and crawlers to wait before trying again.
BUSY_RETRY_AFTER_SECONDS = 5


def database_is_busy(error: BaseException) -> bool:
    """Whether `error` says the database is busy for a moment: worth retrying, not a bug.

    SQLite raises OperationalError("database is locked") when another writer holds the
    lock past the busy timeout, but also uses OperationalError for bugs such as a missing
    table, which must still fail loudly. PostgreSQL's OperationalError only ever means a
    passing trouble: a lost connection, a lock or statement timeout, a serialization failure.
    """
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.__cause__, sqlite3.OperationalError):
        message = str(error).lower()
        return "locked" in message or "busy" in message
    return True


def busy_response(status: int = 503) -> HttpResponse:
    """The busy page. It is rendered without the request, so that showing it never
    reads the session or the user from the database that is busy."""
    response = HttpResponse(render_to_string("503.html"), status=status)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Answer 503 with a friendly page when a view finds the database busy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_is_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        return busy_response()
