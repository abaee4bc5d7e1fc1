"""Submissions racing each other on a database that runs writers side by side."""

import threading

import pytest
from django.db import connection

from blog.models import Post
from comments import services
from comments.models import Comment
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; the race needs PostgreSQL (make test-postgres).",
)


def submitted_twice_at_once(post, data, *, ip_address) -> list[str]:
    """Send `data` to the pipeline from two threads at the same moment, as a double click
    does; each one's outcome: "stored" or the refusal's code."""
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        start.wait()
        try:
            services.comment_submit(
                post=Post.objects.get(pk=post.pk),
                data=data,
                request_meta={"REMOTE_ADDR": ip_address},
            )
            outcomes.append("stored")
        except services.CommentRefused as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_double_click_stores_the_comment_once():
    post = factories.make_post()
    data = {
        "author_name": "Quick Clicker",
        "author_email": "clicker@example.com",
        "author_url": "",
        "body": "Sent twice by a double click.",
        "parent": None,
    }
    outcomes = submitted_twice_at_once(post, data, ip_address="198.51.100.7")

    assert sorted(outcomes) == ["duplicate", "stored"]
    assert Comment.objects.filter(author_email="clicker@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_while_akismet_answers_stores_the_comment_once(fake_akismet):
    """Both copies pass the first checks and ask Akismet (0.2 s), before either writes
    anything; the checks made again under the sender's locks refuse the second."""
    fake_akismet.slow_seconds = 0.2
    fake_akismet.set_fault("slow")
    post = factories.make_post()
    data = {
        "author_name": "Patient Clicker",
        "author_email": "patient@example.com",
        "author_url": "",
        "body": "Sent twice while Akismet thought.",
        "parent": None,
    }
    outcomes = submitted_twice_at_once(post, data, ip_address="198.51.100.9")

    assert sorted(outcomes) == ["duplicate", "stored"]
    assert Comment.objects.filter(author_email="patient@example.com").count() == 1
    assert len(fake_akismet.requests_to("comment-check")) == 2


@pytest.mark.django_db(transaction=True)
def test_the_rate_limit_holds_when_submissions_arrive_together(settings):
    from comments import ratelimit

    settings.COMMENTS_RATE_LIMIT = (3, 600)
    start = threading.Barrier(6)
    allowed = []

    def submit():
        start.wait()
        try:
            allowed.append(ratelimit.submission_allowed(ip_address="198.51.100.8"))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(allowed) == [False, False, False, True, True, True]
