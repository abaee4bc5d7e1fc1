"""POST /webmention/: another site says one of its pages links a post (comments.webmentions).

Sites post it from their servers, with no token: CSRF-exempt, like a pingback. The answer
comes at once, 202 with the check left to the task worker, or 400 with what is wrong;
every request counts against its address's rate limit, refused ones too.
"""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from core.request_info import RequestInfo, content_length
from core.tasks import enqueue_on_commit

from . import webmentions

logger = logging.getLogger(__name__)

# Two URLs and a little more: a larger body is no webmention.
REQUEST_MAX_BYTES = 16 * 1024
TEXT = "text/plain; charset=utf-8"


@csrf_exempt
def receive(request):
    if request.method != "POST":
        response = _answer(
            "This is the Webmention endpoint (https://www.w3.org/TR/webmention/): POST "
            "source and target, form-encoded.",
            status=405 if request.method not in ("GET", "HEAD") else 200,
        )
        response["Allow"] = "GET, HEAD, POST"
        return response
    info = RequestInfo.from_meta(request.META)
    try:
        if not webmentions.webmention_allowed(ip_address=info.ip_address):
            return _answer(webmentions.rate_refusal_message(), status=429)
        if content_length(request) > REQUEST_MAX_BYTES:
            return _answer("The request is too large for a webmention.", status=413)
        try:
            source = str(request.POST.get("source", "")).strip()
            target = str(request.POST.get("target", "")).strip()
        except (RequestDataTooBig, TooManyFieldsSent):
            return _answer("The request is too large for a webmention.", status=413)
        hosts = _request_hosts(request)
        try:
            webmentions.webmention_request_check(source=source, target=target, hosts=hosts)
        except webmentions.WebmentionRefused as refusal:
            return _answer(refusal.message, status=400)
        enqueue_on_commit(
            webmentions.VERIFY_TASK,
            source=source,
            target=target,
            ip_address=info.ip_address,
            user_agent=info.user_agent[:1000],
            hosts=hosts,
        )
    except DatabaseError:
        logger.warning("Webmention not taken: the database is busy", exc_info=True)
        response = _answer("The site is busy; please send the webmention again later.", status=503)
        response["Retry-After"] = "60"
        return response
    return _answer(
        "Accepted: the source will be checked shortly, and a moderator will look at it.",
        status=202,
    )


def _answer(text: str, *, status: int) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type=TEXT)


def _request_hosts(request) -> list[str]:
    """The host the request came to, when Django accepts it (ALLOWED_HOSTS)."""
    try:
        return [request.get_host()]
    except Exception:  # DisallowedHost: then only SITE_URL's host is ours.
        return []
