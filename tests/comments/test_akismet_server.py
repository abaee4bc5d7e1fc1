"""Through the real view and the real HTTP client, against the local fake Akismet server:
nothing is lost whatever Akismet does, and moderators' verdicts go back to it."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments import services, tasks
from comments.models import AkismetReport, Comment, CommentEvent
from comments.services.pause import MAX_ATTEMPTS
from tests import factories
from tests.comments.conftest import post_comment, tasks_waiting, time_passes
from tests.fake_akismet import DISCARD_MARKER, SPAM_AUTHOR, SPAM_EMAIL

Kind = CommentEvent.Kind
FAULTS = ["503", "slow", "invalid", "garbage"]


def make_due():
    """Move the next attempt into the past, as if the back-off had run out."""
    Comment.objects.update(akismet_next_attempt_at=timezone.now() - timedelta(seconds=1))
    AkismetReport.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def kinds(comment):
    return list(comment.events.values_list("kind", flat=True))


@pytest.mark.django_db
def test_ham_is_held_and_akismet_got_the_request_details(client, post, fake_akismet):
    post_comment(client, post, author_name="Hannah", body="Pleasant remark.")

    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == ("pending", "ham")
    [request] = fake_akismet.requests_to("comment-check")
    assert request.params["comment_author"] == "Hannah"
    assert request.params["comment_content"] == "Pleasant remark."
    assert request.params["user_agent"] == "Mozilla/5.0 (comment tests)"
    assert request.params["referrer"].endswith(post.get_absolute_url())
    assert request.params["blog"] == "http://127.0.0.1:8000"
    assert request.params["api_key"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "verdict"),
    [
        ({"author_name": SPAM_AUTHOR}, "spam"),
        ({"author_email": SPAM_EMAIL}, "spam"),
        ({"body": f"Buy now {DISCARD_MARKER}"}, "discard"),
    ],
)
def test_spam_and_blatant_spam_are_caught_and_never_shown(
    client, post, fake_akismet, fields, verdict
):
    response = post_comment(client, post, **fields)

    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == ("spam", verdict)
    page = client.get(response["Location"])
    assert "Your comment is awaiting moderation." in page.content.decode()
    assert f'id="comment-{comment.pk}"' not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("fault", FAULTS)
def test_akismet_fault_keeps_the_comment_then_recheck_clears_it(client, post, fake_akismet, fault):
    fake_akismet.set_fault(fault)
    started = time.monotonic()

    response = post_comment(client, post, body="Please do not lose me.")

    assert time.monotonic() - started < 5
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == ("pending", "error")
    assert comment.akismet_attempts == 1
    assert comment.akismet_last_error
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECK_ERROR]
    assert "Please do not lose me." in client.get(response["Location"]).content.decode()

    fake_akismet.set_fault(None)
    make_due()
    call_command("recheck_comments", stdout=(out := StringIO()))

    comment.refresh_from_db()
    assert (comment.status, comment.akismet_verdict) == ("pending", "ham")
    assert kinds(comment)[-1] == Kind.CHECK_HAM
    assert "Checked 1 comment(s)" in out.getvalue()


@pytest.mark.django_db
def test_recheck_waits_for_the_back_off(client, post, fake_akismet):
    fake_akismet.set_fault("503")
    post_comment(client, post)
    fake_akismet.set_fault(None)
    fake_akismet.reset()

    call_command("recheck_comments", stdout=StringIO())

    assert fake_akismet.requests_to("comment-check") == []
    assert Comment.objects.get().akismet_verdict == "error"


@pytest.mark.django_db
def test_during_an_outage_new_comments_do_not_each_wait_for_akismet(client, post, fake_akismet):
    fake_akismet.set_fault("slow")
    started = time.monotonic()
    responses = [post_comment(client, post) for _ in range(5)]
    elapsed = time.monotonic() - started

    # Only the first comment waited out the timeout; the others were held at once.
    assert len(fake_akismet.requests_to("comment-check")) == 1
    assert elapsed < 2 * fake_akismet.slow_seconds
    assert all(response.status_code == 302 for response in responses)
    held = Comment.objects.all()
    assert [comment.status for comment in held] == [Comment.Status.PENDING] * 5
    assert all(comment.akismet_verdict == Comment.Verdict.ERROR for comment in held)

    fake_akismet.reset()
    make_due()
    call_command("recheck_comments", stdout=StringIO())
    assert len(fake_akismet.requests_to("comment-check")) == 5
    assert not Comment.objects.filter(akismet_verdict=Comment.Verdict.ERROR).exists()


@pytest.mark.django_db
def test_recheck_stops_calling_akismet_while_it_is_down(client, post, fake_akismet):
    fake_akismet.set_fault("503")
    for _ in range(3):
        post_comment(client, post)
    make_due()
    fake_akismet.reset()
    fake_akismet.set_fault("503")

    call_command("recheck_comments", stdout=(out := StringIO()))

    assert len(fake_akismet.requests_to("comment-check")) == 1
    assert "1 failed" in out.getvalue() and "2 left for the next run" in out.getvalue()


@pytest.mark.django_db
def test_recheck_picks_up_comments_held_while_no_key_was_set(client, post, fake_akismet, settings):
    settings.AKISMET_API_KEY = ""
    post_comment(client, post, author_name=SPAM_AUTHOR)
    settings.AKISMET_API_KEY = "fake-akismet-key"

    call_command("recheck_comments", stdout=StringIO())

    assert Comment.objects.get().status == "spam"


# The worker commits as it goes: these tests are transactional, as a server is.
WORKER_DB = pytest.mark.django_db(transaction=True)


@WORKER_DB
def test_mark_spam_sends_submit_spam_once_with_the_original_params(
    client, post, fake_akismet, moderator, run_worker
):
    post_comment(client, post, body="Sneaky spam that looked fine.")
    comment = Comment.objects.get()
    checked = fake_akismet.requests_to("comment-check")[0].params

    services.comment_mark_spam(comment=comment, actor=moderator)
    assert fake_akismet.requests_to("submit-spam") == []  # Not in the moderator's request.
    run_worker()

    [report] = fake_akismet.requests_to("submit-spam")
    assert report.params == checked
    assert kinds(comment)[-2:] == [Kind.MARKED_SPAM, Kind.REPORTED_SPAM]
    assert comment.events.get(kind=Kind.MARKED_SPAM).actor == moderator
    run_worker()
    call_command("recheck_comments", stdout=StringIO())
    assert len(fake_akismet.requests_to("submit-spam")) == 1


@WORKER_DB
def test_a_failed_check_is_retried_by_the_worker_after_the_back_off(
    client, post, fake_akismet, run_worker
):
    fake_akismet.set_fault("503")
    post_comment(client, post, author_name=SPAM_AUTHOR)
    comment = Comment.objects.get()
    [recheck] = tasks_waiting("comment_recheck")
    assert recheck.run_after == comment.akismet_next_attempt_at > timezone.now()

    fake_akismet.set_fault(None)
    fake_akismet.reset()
    run_worker()  # Not yet due: Akismet is left alone.
    assert fake_akismet.requests_to("comment-check") == []

    time_passes()
    run_worker()

    comment.refresh_from_db()
    assert (comment.status, comment.akismet_verdict) == ("spam", "spam")
    assert kinds(comment)[-2:] == [Kind.CHECK_ERROR, Kind.CHECK_SPAM]
    assert tasks_waiting("comment_recheck") == []


@WORKER_DB
def test_a_check_akismet_never_answers_is_given_up_and_left_to_moderators(
    client, admin_client, post, fake_akismet, run_worker
):
    fake_akismet.set_fault("503")
    post_comment(client, post)

    for _ in range(MAX_ATTEMPTS):
        time_passes()
        run_worker()

    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == ("pending", "error")
    assert comment.akismet_attempts == MAX_ATTEMPTS
    assert len(fake_akismet.requests_to("comment-check")) == MAX_ATTEMPTS
    assert kinds(comment)[-1] == Kind.CHECK_FAILED
    assert tasks_waiting("comment_recheck") == []
    page = admin_client.get(comment.admin_url).content.decode()
    assert "Akismet could not be reached; gave up retrying" in page

    # The hourly upkeep leaves a given-up check to the moderators.
    tasks.akismet_upkeep.call()
    assert len(fake_akismet.requests_to("comment-check")) == MAX_ATTEMPTS


@WORKER_DB
def test_a_report_queued_twice_is_sent_once(client, post, fake_akismet, moderator, run_worker):
    post_comment(client, post)
    services.comment_mark_spam(comment=Comment.objects.get(), actor=moderator)
    tasks.akismet_report_send.enqueue(AkismetReport.objects.get().pk)

    run_worker()

    assert len(fake_akismet.requests_to("submit-spam")) == 1


@WORKER_DB
def test_not_spam_on_akismet_flagged_comment_sends_submit_ham(
    client, post, fake_akismet, moderator, run_worker
):
    post_comment(client, post, author_email=SPAM_EMAIL)
    comment = Comment.objects.get()
    checked = fake_akismet.requests_to("comment-check")[0].params

    services.comment_mark_ham(comment=comment, actor=moderator)
    run_worker()

    comment.refresh_from_db()
    assert comment.status == "pending"
    [report] = fake_akismet.requests_to("submit-ham")
    assert report.params == checked
    assert kinds(comment)[-2:] == [Kind.MARKED_HAM, Kind.REPORTED_HAM]


@WORKER_DB
def test_not_spam_on_a_honeypot_catch_tells_akismet_nothing(
    client, post, fake_akismet, moderator, run_worker
):
    post_comment(client, post, fax_number="bot was here")
    comment = Comment.objects.get()

    services.comment_mark_ham(comment=comment, actor=moderator)
    run_worker()

    assert fake_akismet.requests == []


@WORKER_DB
def test_report_is_retried_when_akismet_was_down(client, post, fake_akismet, moderator, run_worker):
    post_comment(client, post)
    comment = Comment.objects.get()
    fake_akismet.set_fault("slow")

    services.comment_mark_spam(comment=comment, actor=moderator)
    run_worker()

    report = AkismetReport.objects.get()
    assert report.status == "owed" and report.attempts == 1 and report.last_error
    assert kinds(comment)[-1] == Kind.REPORT_ERROR
    # Enqueued again for the end of the back-off, a minute on: the worker left it.
    [retry] = tasks_waiting("akismet_report_send")
    assert retry.run_after == report.next_attempt_at
    assert report.next_attempt_at > timezone.now() + timedelta(seconds=50)

    fake_akismet.set_fault(None)
    time_passes()
    run_worker()

    report.refresh_from_db()
    assert report.status == "sent" and report.sent_at is not None
    assert kinds(comment)[-1] == Kind.REPORTED_SPAM
    assert tasks_waiting("akismet_report_send") == []


@WORKER_DB
def test_a_report_akismet_never_takes_is_given_up_and_shown_failed(
    client, admin_client, post, fake_akismet, moderator, run_worker
):
    post_comment(client, post)
    comment = Comment.objects.get()
    fake_akismet.set_fault("503")

    services.comment_mark_spam(comment=comment, actor=moderator)
    for _ in range(MAX_ATTEMPTS):
        run_worker()
        time_passes()

    report = AkismetReport.objects.get()
    assert (report.status, report.attempts) == ("failed", MAX_ATTEMPTS)
    assert report.failed_at is not None
    assert len(fake_akismet.requests_to("submit-spam")) == MAX_ATTEMPTS
    assert kinds(comment).count(Kind.REPORT_ERROR) == MAX_ATTEMPTS - 1
    assert kinds(comment)[-1] == Kind.REPORT_FAILED
    assert tasks_waiting("akismet_report_send") == []
    page = admin_client.get(comment.admin_url).content.decode()
    assert "submit-spam – failed: gave up" in page
    assert f"after {MAX_ATTEMPTS} attempt(s)" in page
    assert "Report to Akismet failed; gave up" in page  # The history.

    # Neither the upkeep nor a plain recheck resends it; the operator asks for it.
    fake_akismet.set_fault(None)
    tasks.akismet_upkeep.call()
    call_command("recheck_comments", stdout=StringIO())
    assert len(fake_akismet.requests_to("submit-spam")) == MAX_ATTEMPTS
    call_command("recheck_comments", "--given-up", stdout=(out := StringIO()))
    assert "1 given-up report(s) owed again" in out.getvalue()
    report.refresh_from_db()
    assert report.status == "sent"
    assert len(fake_akismet.requests_to("submit-spam")) == MAX_ATTEMPTS + 1


@WORKER_DB
def test_a_failed_report_pauses_the_rest_of_a_bulk_action(
    client, post, fake_akismet, moderator, run_worker
):
    for _ in range(3):
        post_comment(client, post)
    fake_akismet.set_fault("slow")
    started = time.monotonic()

    for comment in Comment.objects.all():
        services.comment_mark_spam(comment=comment, actor=moderator)
    run_worker()

    assert len(fake_akismet.requests_to("submit-spam")) == 1
    assert time.monotonic() - started < 3
    assert AkismetReport.objects.filter(status="owed").count() == 3
    # The two left alone were no attempt, and wait for the next.
    assert sorted(AkismetReport.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    assert len(tasks_waiting("akismet_report_send")) == 3


@pytest.mark.django_db
def test_akismet_verify_reports_a_valid_key(fake_akismet):
    call_command("akismet_verify", stdout=(out := StringIO()))

    assert "is valid" in out.getvalue()
    assert fake_akismet.requests_to("verify-key")[0].params["key"] == "fake-akismet-key"


@pytest.mark.django_db
def test_akismet_verify_reports_an_invalid_key(fake_akismet, settings):
    settings.AKISMET_API_KEY = "wrong"

    with pytest.raises(Exception, match="rejected the key"):
        call_command("akismet_verify")


@pytest.mark.django_db
def test_akismet_verify_reports_unreachable_akismet(fake_akismet):
    fake_akismet.set_fault("503")

    with pytest.raises(Exception, match="Could not reach Akismet"):
        call_command("akismet_verify")


def test_akismet_verify_reports_a_missing_key(settings):
    settings.AKISMET_API_KEY = ""

    with pytest.raises(Exception, match="AKISMET_API_KEY is not set"):
        call_command("akismet_verify")


@pytest.mark.django_db
def test_check_again_asks_akismet_with_a_recheck_reason(client, post, fake_akismet):
    post_comment(client, post)
    fake_akismet.reset()

    summary = services.comments_check_again(comments=Comment.objects.all())

    assert summary["checked"] == 1
    assert fake_akismet.requests_to("comment-check")[0].params["recheck_reason"] == (
        "recheck_queue"
    )


@WORKER_DB
def test_purged_akismet_data_means_no_report_is_owed(post, fake_akismet, moderator, run_worker):
    comment = factories.make_comment(post=post, status="pending", akismet_params={})

    services.comment_mark_spam(comment=comment, actor=moderator)
    run_worker()

    assert not AkismetReport.objects.exists()
    assert fake_akismet.requests == []
