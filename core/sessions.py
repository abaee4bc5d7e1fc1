"""Saving a visitor's session once, from the view, where a failure can be handled.

Django's session middleware saves a modified session after the view has answered, and
turns a failed save into a 400 (SessionInterrupted). For a view whose real work is
already stored (a comment), that is the wrong answer: the visitor would retry and be
told "duplicate". Such a view saves the session itself with `session_save_now`.
"""

import logging

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError

logger = logging.getLogger(__name__)


def session_save_now(request, response) -> bool:
    """Save the session and set its cookie on `response`, exactly as the middleware
    would, and tell the middleware not to save it again. False, logged, if it could not
    be saved: the visitor then just lacks what the session would have kept."""
    saved = True
    try:
        SessionMiddleware(lambda request: response).process_response(request, response)
    except (SessionInterrupted, CreateError, UpdateError, DatabaseError) as error:
        logger.warning("Could not save the session on %s: %r", request.path, error)
        saved = False
    request.session.modified = False
    return saved
