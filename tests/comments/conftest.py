"""Helpers for the comment tests: injected Akismet clients, form data, posting, HTML."""

from itertools import count

import akismet
import httpx
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test.html import parse_html
from django.urls import reverse

_addresses = count(10)


def akismet_client(answer=akismet.CheckResponse.HAM, *, key_valid=True):
    """An akismet test client that answers comment-check with `answer`."""

    class Client(akismet.TestSyncClient):
        comment_check_response = answer
        verify_key_response = key_valid

    return Client(config=akismet.Config(key="test-key", url="http://testserver"))


def failing_akismet_client(status=503, text="Service Unavailable", calls=None):
    """A real SyncClient whose HTTP transport answers every request with `status`."""

    def handler(request):
        if calls is not None:
            calls.append(request)
        return httpx.Response(status, text=text)

    return akismet.SyncClient(
        config=akismet.Config(key="test-key", url="http://testserver"),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def next_ip() -> str:
    """A fresh visitor address, so flood control does not join unrelated comments."""
    return f"203.0.113.{next(_addresses) % 250 + 1}"


def form_data(**fields) -> dict:
    number = next(_addresses)
    data = {
        "author_name": f"Visitor {number}",
        "author_email": f"visitor{number}@example.com",
        "author_url": "",
        "body": f"A thoughtful remark, number {number}.",
    }
    data.update(fields)
    return data


def post_comment(client, post, *, ip=None, **fields):
    """POST the comment form for `post` through the real view, from a fresh address."""
    return client.post(
        reverse("comments:post-comment", args=[post.pk]),
        form_data(**fields),
        REMOTE_ADDR=ip or next_ip(),
        HTTP_USER_AGENT="Mozilla/5.0 (comment tests)",
        HTTP_REFERER=f"http://testserver{post.get_absolute_url()}",
    )


def comment_nesting(html: str) -> dict[str, str | None]:
    """Map each comment's element id to the id of the comment element it sits inside."""
    nesting = {}

    def walk(element, parent_id):
        for child in getattr(element, "children", []):
            if isinstance(child, str):
                continue
            attributes = dict(child.attributes)
            child_parent = parent_id
            if child.name == "li" and (attributes.get("id") or "").startswith("comment-"):
                nesting[attributes["id"]] = parent_id
                child_parent = attributes["id"]
            walk(child, child_parent)

    walk(parse_html(html), None)
    return nesting


@pytest.fixture
def request_meta():
    """What the view passes on from the request: address, browser and referrer."""
    return {
        "REMOTE_ADDR": next_ip(),
        "HTTP_USER_AGENT": "Mozilla/5.0 (unit tests)",
        "HTTP_REFERER": "http://testserver/some/post/",
    }


@pytest.fixture
def akismet_on(settings):
    """Spam checking switched on; tests inject the client, so nothing leaves the machine."""
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_API_URL = "http://127.0.0.1:9"


def time_passes():
    """As if the back-off had run out: every next attempt, the tasks waiting for one and
    Akismet's pause move into the past. The periodic tasks (the nightly purge, the
    hourly Akismet upkeep) keep their times."""
    from datetime import timedelta

    from django.tasks import TaskResultStatus
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from comments.models import AkismetPause, AkismetReport, Comment

    past = timezone.now() - timedelta(seconds=1)
    Comment.objects.exclude(akismet_next_attempt_at=None).update(akismet_next_attempt_at=past)
    AkismetReport.objects.exclude(next_attempt_at=None).update(next_attempt_at=past)
    AkismetPause.objects.update(ends_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(
        task_path__in=[
            "comments.tasks.retention_purge",
            "comments.tasks.akismet_upkeep",
            "comments.tasks.posts_announce",
            "blog.tasks.revisions_prune",
        ]
    ).update(run_after=past)


def tasks_waiting(name):
    """The tasks `comments.tasks.<name>` queued and not yet run, soonest first."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path=f"comments.tasks.{name}", status=TaskResultStatus.READY
        ).order_by("run_after")
    )


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused (the test's mail server)")


class SMTPInbox:
    """What a local SMTP server (aiosmtpd) received: each message parsed, with its
    envelope's recipients."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        message.raw = envelope.original_content
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message in self.messages if address in message.envelope_to]


@pytest.fixture(scope="session")
def smtp_server():
    """One real SMTP server on 127.0.0.1 for the session (aiosmtpd), on a free port."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The site's mail sent through the local SMTP server by Django's SMTP backend; the
    inbox, empty at the start of the test."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    inbox = smtp_server.handler
    inbox.messages.clear()
    yield inbox
    inbox.messages.clear()
