"""Faults the comment pipeline must live through without losing anything a visitor sent:
Akismet failing in every way it can, and a database busy past its timeout.

Comments go through the real view with Django's test client; Akismet is the local fake
server (tests/fake_akismet.py), switched into each fault and back. The Akismet faults send
200 comments each, with a 0.1 s timeout so that the slow fault takes about 30 s in all.
"""

import socket
import sqlite3
import time
from contextlib import closing, contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from comments import services
from comments.models import AkismetReport, Comment, CommentEvent
from tests import factories
from tests.comments.conftest import time_passes
from tests.fake_akismet import SPAM_AUTHOR

Kind = CommentEvent.Kind
AWAITING = "Your comment is awaiting moderation."
AKISMET_FAULTS = ["refused", "503", "429", "slow", "invalid", "garbage"]
SUBMISSIONS = 200
# Short, so that 200 comments each waiting out the timeout take seconds, not minutes.
AKISMET_TIMEOUT = 0.1
# Every 20th visitor signs with the name Akismet always calls spam.
SPAM_EVERY = 20


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting to it is refused."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def break_akismet(fake_akismet, settings, fault):
    if fault == "refused":
        settings.AKISMET_API_URL = f"http://127.0.0.1:{closed_port()}"
    else:
        fake_akismet.set_fault(fault)


def repair_akismet(fake_akismet, settings):
    """Akismet answers again; the fake forgets the requests it failed. The timeout goes
    back to the production default, so a busy test machine cannot fake a new outage."""
    settings.AKISMET_API_URL = fake_akismet.url
    settings.AKISMET_TIMEOUT = 2.0
    fake_akismet.reset()


def make_due():
    """Move every next attempt into the past, as if the back-off (a minute after the
    first failure) had run out: the test cannot wait for the clock."""
    past = timezone.now() - timedelta(seconds=1)
    Comment.objects.update(akismet_next_attempt_at=past)
    AkismetReport.objects.update(next_attempt_at=past)


def submit_as_new_visitor(post, number):
    """A new visitor (own browser, address and email) comments."""
    visitor = Client()
    response = visitor.post(
        reverse("comments:post-comment", args=[post.pk]),
        {
            "author_name": SPAM_AUTHOR if number % SPAM_EVERY == 0 else f"Visitor {number}",
            "author_email": f"visitor{number}@example.com",
            "body": f"Remark number {number}, which must not be lost.",
        },
        REMOTE_ADDR=f"203.0.113.{number % 250 + 1}",
        HTTP_USER_AGENT="Mozilla/5.0 (fault tests)",
    )
    return response, visitor


def told(response) -> list[str]:
    """The messages the visitor's next page shows them."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def akismet_fault_settings(fake_akismet, settings):
    """The fake Akismet with a 0.1 s timeout, and a "slow" fault answering after 2 s."""
    settings.AKISMET_TIMEOUT = AKISMET_TIMEOUT
    fake_akismet.slow_seconds = 2.0
    return fake_akismet


# Akismet
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fault", AKISMET_FAULTS)
def test_every_comment_outlives_an_akismet_fault_and_recheck_settles_them_all(
    post, akismet_fault_settings, settings, moderator, django_capture_on_commit_callbacks, fault
):
    fake_akismet = akismet_fault_settings
    submit_as_new_visitor(post, 0)  # Before the fault, Akismet calls this one spam.
    flagged = Comment.objects.get(status=Comment.Status.SPAM)
    break_akismet(fake_akismet, settings, fault)
    started = time.monotonic()

    for number in range(1, SUBMISSIONS + 1):
        response, visitor = submit_as_new_visitor(post, number)
        assert response.status_code == 302, number
        assert told(response) == [AWAITING], number
        if number % 25 == 0:  # Some follow the redirect, and read it there.
            assertContains(visitor.get(response["Location"]), AWAITING, count=2)

    # No one waited for the slow fault's answer: each gave up at the timeout.
    assert time.monotonic() - started < SUBMISSIONS * (AKISMET_TIMEOUT + 0.3)
    held = Comment.objects.exclude(pk=flagged.pk)
    assert held.count() == SUBMISSIONS
    assert set(held.values_list("status", "akismet_verdict")) == {("pending", "error")}
    assert CommentEvent.objects.filter(kind=Kind.CHECK_ERROR).count() == SUBMISSIONS

    # A moderator acts while Akismet is still failing: the reports are owed, not dropped.
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_mark_spam(comment=held.order_by("pk").first(), actor=moderator)
        services.comment_mark_ham(comment=flagged, actor=moderator)
    owed = AkismetReport.objects.filter(sent_at__isnull=True)
    assert owed.count() == 2

    repair_akismet(fake_akismet, settings)
    make_due()
    for _ in range(SUBMISSIONS // 50):  # An operator's runs, 50 comments each by default.
        call_command("recheck_comments", stdout=StringIO())

    assert not services.comments_due_for_check().exists()
    assert not Comment.objects.awaiting_spam_check().exists()
    spam = held.filter(author_name=SPAM_AUTHOR)
    assert spam.count() == SUBMISSIONS // SPAM_EVERY
    assert set(spam.values_list("status", "akismet_verdict")) == {("spam", "spam")}
    ham = held.exclude(author_name=SPAM_AUTHOR).filter(status=Comment.Status.PENDING)
    assert ham.count() == SUBMISSIONS - SUBMISSIONS // SPAM_EVERY - 1  # Less the one marked.
    assert set(ham.values_list("akismet_verdict", flat=True)) == {"ham"}
    assert not owed.exists()
    assert len(fake_akismet.requests_to("submit-spam")) == 1
    assert len(fake_akismet.requests_to("submit-ham")) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", AKISMET_FAULTS)
def test_a_failed_report_is_retried_until_akismet_takes_it(
    post, akismet_fault_settings, settings, moderator, run_worker, fault
):
    fake_akismet = akismet_fault_settings
    submit_as_new_visitor(post, 1)
    comment = Comment.objects.get()
    break_akismet(fake_akismet, settings, fault)

    services.comment_mark_spam(comment=comment, actor=moderator)
    run_worker()
    time_passes()
    run_worker()  # Still failing.

    report = AkismetReport.objects.get()
    assert report.status == "owed" and report.attempts == 2 and report.last_error

    repair_akismet(fake_akismet, settings)
    time_passes()
    run_worker()

    report.refresh_from_db()
    assert report.status == "sent" and report.sent_at is not None
    assert list(comment.events.values_list("kind", flat=True))[-1] == Kind.REPORTED_SPAM


# The database
# ----------------------------------------------------------------------------------------

# Seconds SQLite waits for another connection's lock (5 in production).
BUSY_TIMEOUT = 0.2


@pytest.fixture(params=["wal"])
def file_database(request, transactional_db, tmp_path):
    """The test database copied into a SQLite file, with Django's connection pointed at it.

    pytest-django keeps a SQLite test database in memory, which no other connection can
    lock as another process locks the production file. So the migrated database is
    copied into a file, opened with the production options (WAL journal, IMMEDIATE
    transactions) and a busy timeout cut from 5 s to 0.2 s so that waiting it out is quick.
    The test is transactional, so nothing else wraps it in a transaction. Afterwards the
    in-memory database is put back, still open, for pytest-django to empty.
    """
    if connection.vendor != "sqlite":
        pytest.skip("These tests hold SQLite's lock on its database file.")
    connection.ensure_connection()
    in_memory = connection.connection
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        in_memory.backup(copy)
    saved = {**connection.settings_dict}
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    connection.settings_dict["OPTIONS"] = {
        **saved["OPTIONS"],
        "timeout": BUSY_TIMEOUT,
        "init_command": (
            f"PRAGMA journal_mode={request.param};PRAGMA synchronous=NORMAL;"
            f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)};PRAGMA foreign_keys=ON;"
        ),
    }
    connection.ensure_connection()
    yield path
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    connection.connection = in_memory


@contextmanager
def database_locked(path, *, mode="IMMEDIATE"):
    """A second connection, standing in for another process, holds the write lock
    (IMMEDIATE), or every lock (EXCLUSIVE: with a rollback journal, readers wait too),
    until the block ends."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    try:
        other.execute(f"BEGIN {mode}")
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def comment_form(**fields):
    return {
        "author_name": "Patient Reader",
        "author_email": "patient@example.com",
        "body": "Words I would hate to lose.",
        **fields,
    }


def post_the_form(client, post, data):
    return client.post(
        reverse("comments:post-comment", args=[post.pk]), data, REMOTE_ADDR="198.51.100.7"
    )


def assert_every_comment_has_its_history():
    """No comment row without the event that records its submission, and no event alone."""
    submitted = set(
        CommentEvent.objects.filter(kind=Kind.SUBMITTED).values_list("comment_id", flat=True)
    )
    assert set(Comment.objects.values_list("pk", flat=True)) == submitted


def test_a_comment_sent_while_the_database_is_locked_gets_try_again_with_its_text(
    file_database, client
):
    post = factories.make_post()

    with database_locked(file_database):
        started = time.monotonic()
        response = post_the_form(client, post, comment_form())

    assert time.monotonic() - started < 5 * BUSY_TIMEOUT + 2
    assertContains(response, "The site is busy", status_code=503)
    assertContains(response, "Words I would hate to lose.", status_code=503)
    assertContains(response, 'id="commentform"', status_code=503)
    assert int(response["Retry-After"]) > 0
    assert not Comment.objects.exists()
    assert not CommentEvent.objects.exists()

    again = post_the_form(client, post, comment_form())

    assert again.status_code == 302
    assert told(again) == [AWAITING]
    assert Comment.objects.get().body == "Words I would hate to lose."
    assert_every_comment_has_its_history()


def test_a_lock_taken_while_akismet_answers_gives_the_form_back_with_its_text(
    file_database, client, fake_akismet, settings
):
    """Akismet is asked before anything is written, and the comment is saved with its
    verdict in one transaction: while another process holds the lock past the busy
    timeout, nothing is half-saved, and the visitor has their text to send again."""
    post = factories.make_post()
    other = sqlite3.connect(file_database, timeout=0, isolation_level=None, check_same_thread=False)
    fake_akismet.before_answer = lambda endpoint: other.execute("BEGIN IMMEDIATE")

    try:
        response = post_the_form(client, post, comment_form())
    finally:
        other.execute("ROLLBACK")
        other.close()

    assertContains(response, "The site is busy", status_code=503)
    assertContains(response, "Words I would hate to lose.", status_code=503)
    assert not Comment.objects.exists()
    assert not CommentEvent.objects.exists()

    fake_akismet.before_answer = None
    again = post_the_form(client, post, comment_form())

    assert again.status_code == 302
    assert told(again) == [AWAITING]
    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == ("pending", "ham")
    assert_every_comment_has_its_history()


@pytest.mark.parametrize("file_database", ["delete"], indirect=True)
def test_public_pages_answer_try_again_while_the_database_is_locked(file_database, client):
    """With a rollback journal (SQLite without WAL), a writer's exclusive lock makes
    readers wait too: every page then waits out the busy timeout and says so kindly."""
    post = factories.make_post(tags=["python"])
    factories.make_comment(post=post)
    pages = [
        reverse("blog:home"),
        post.get_absolute_url(),
        reverse("blog:tag", args=["python"]),
        reverse("blog:archive"),
        reverse("blog:search") + "?q=post",
        reverse("blog:feed-atom"),
        reverse("comments:post-feed", args=[post.pk]),
        reverse("blog:sitemap"),
    ]
    assert all(client.get(page).status_code == 200 for page in pages)

    with database_locked(file_database, mode="EXCLUSIVE"):
        answers = {page: client.get(page) for page in pages}

    for page, response in answers.items():
        assert response.status_code == 503, page
        assertContains(response, "Busy for a moment", status_code=503)
        assert int(response["Retry-After"]) > 0
    assert all(client.get(page).status_code == 200 for page in pages)
