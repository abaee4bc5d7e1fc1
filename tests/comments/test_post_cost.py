"""What a comment POST costs the database (issue 14): at most 12 statements and 2 write
transactions for an accepted comment with Akismet enabled, the comment with its history
and its verdict first, then the visitor's session.

Counted by tests/statements.py: statements other than transaction control (BEGIN,
COMMIT, ROLLBACK, SAVEPOINT, RELEASE); write transactions as BEGIN … COMMIT blocks
holding a write, plus writes outside any block. Transactional tests, so the request's
own transactions are what is counted. Each visitor posts a second comment, with the
session their first one started; Akismet is the local fake server.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment, CommentEvent
from tests import factories
from tests.comments.conftest import post_comment, tasks_waiting
from tests.statements import cost

Kind = CommentEvent.Kind
MAX_STATEMENTS = 12
MAX_WRITE_TRANSACTIONS = 2
# The first comment of an Akismet outage also starts the pause for everyone and enqueues
# its recheck beside the moderators' email: 12 on SQLite, and one more on PostgreSQL,
# which takes the sender's advisory locks in a statement of their own.
FIRST_FAILURE_EXTRA = 1 if connection.vendor == "postgresql" else 0


def comment_cost(client, post, **fields):
    """POST a comment; the comment as saved, and what the POST cost."""
    with CaptureQueriesContext(connection) as queries:
        response = post_comment(client, post, **fields)
    assert response.status_code == 302
    return Comment.objects.latest("pk"), cost(queries.captured_queries)


def kinds(comment):
    return list(comment.events.values_list("kind", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_held_comment_costs_at_most_twelve_statements(client, post, fake_akismet):
    """Intended to keep the POST cheap: the checks read in one query, Akismet asked
    before the write, and the comment, its history and its email task saved in one."""
    post_comment(client, post)

    comment, spent = comment_cost(client, post, body="Held for a moderator.")

    assert (comment.status, comment.akismet_verdict) == ("pending", "ham")
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECK_HAM]
    emails = [task.args_kwargs["args"] for task in tasks_waiting("moderators_notify_held")]
    assert emails[-1] == [comment.pk]
    assert len(spent.statements) <= MAX_STATEMENTS, spent
    assert spent.write_transactions <= MAX_WRITE_TRANSACTIONS, spent


@pytest.mark.django_db(transaction=True)
def test_an_approved_comment_costs_at_most_twelve_statements(client, post, fake_akismet, settings):
    """Intended to keep the POST cheap when the comment is public at once: the renewal
    of its post's pages joins the comment's own transaction."""
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    known = {"author_name": "Kim", "author_email": "kim@example.com"}
    factories.make_comment(post=post, created_at=timezone.now() - timedelta(days=1), **known)
    reader = Client()
    reader.get(post.get_absolute_url())  # Now in the page cache.

    post_comment(client, post)

    comment, spent = comment_cost(client, post, body="Published at once.", **known)

    assert comment.status == "approved"
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECK_HAM, Kind.AUTO_APPROVED]
    assert "Published at once." in reader.get(post.get_absolute_url()).content.decode()
    emails = [task.args_kwargs["args"] for task in tasks_waiting("moderators_notify_held")]
    assert [comment.pk] not in emails
    assert len(spent.statements) <= MAX_STATEMENTS, spent
    assert spent.write_transactions <= MAX_WRITE_TRANSACTIONS, spent


@pytest.mark.django_db(transaction=True)
def test_a_comment_sent_while_akismet_is_down_is_kept_at_the_same_cost(client, post, fake_akismet):
    """Intended to keep an outage cheap too: the comment is saved held, its failure and
    its recheck recorded, in the same one transaction."""
    post_comment(client, post)
    fake_akismet.set_fault("503")

    comment, spent = comment_cost(client, post, body="Kept through the outage.")

    assert (comment.status, comment.akismet_verdict) == ("pending", "error")
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECK_ERROR]
    recheck = tasks_waiting("comment_recheck")[-1]
    assert recheck.args_kwargs["args"] == [comment.pk]
    assert recheck.run_after == comment.akismet_next_attempt_at > timezone.now()
    assert tasks_waiting("moderators_notify_held")[-1].args_kwargs["args"] == [comment.pk]
    assert len(spent.statements) <= MAX_STATEMENTS + FIRST_FAILURE_EXTRA, spent
    assert spent.write_transactions <= MAX_WRITE_TRANSACTIONS, spent


@pytest.mark.django_db(transaction=True)
def test_a_comment_sent_while_akismet_is_paused_costs_at_most_twelve_statements(
    client, post, fake_akismet
):
    """Intended to keep the rest of an outage cheap: Akismet is not asked again, and the
    comment waits for its recheck."""
    fake_akismet.set_fault("503")
    post_comment(client, post)  # Akismet fails: new comments are held without asking.

    comment, spent = comment_cost(client, post, body="Held while Akismet rests.")

    assert (comment.status, comment.akismet_verdict) == ("pending", "error")
    assert "moments ago" in comment.akismet_last_error
    assert len(fake_akismet.requests_to("comment-check")) == 1
    assert tasks_waiting("comment_recheck")[-1].args_kwargs["args"] == [comment.pk]
    assert len(spent.statements) <= MAX_STATEMENTS, spent
    assert spent.write_transactions <= MAX_WRITE_TRANSACTIONS, spent
