"""Readers' reports of published comments: the form with and without JavaScript, once per
reader, the rate limit, the hold after COMMENTS_REPORTS_TO_HOLD, the moderators' Reported
view and its decisions, and input that must never cause a 500."""

import json
import os
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import privacy, reports, services
from comments.models import Comment, CommentEvent, CommentReport, SubmissionAttempt
from tests import factories
from tests.comments.conftest import next_ip, post_comment, tasks_waiting, time_passes

Kind = CommentEvent.Kind
REPORTED = reverse("admin:comments_comment_reported")
# The worker commits as it goes: these tests are transactional, as a server is.
WORKER_DB = pytest.mark.django_db(transaction=True)


@pytest.fixture
def comment(post):
    """A published comment on the post."""
    return factories.make_comment(post=post, author_name="Rude Rita", body="You are all wrong.")


@pytest.fixture
def moderator_client(moderator):
    """A browser session signed in as a moderator."""
    client = Client()
    client.force_login(moderator)
    return client


def report_url(comment_or_id):
    return reverse("comments:report", args=[getattr(comment_or_id, "pk", comment_or_id)])


def send_report(client, comment, *, ip=None, reason="abuse", note="", **headers):
    return client.post(
        report_url(comment),
        {"reason": reason, "note": note},
        REMOTE_ADDR=ip or next_ip(),
        **headers,
    )


def report_from_readers(comment, readers):
    """`readers` reports, each from a browser and address of its own."""
    for _ in range(readers):
        assert send_report(Client(), comment).status_code == 302


def history(comment):
    return list(comment.events.values_list("kind", flat=True))


# The reader's side
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_link_opens_a_form_that_asks_why(client, comment):
    page = client.get(comment.post.get_absolute_url())
    assertContains(page, f'href="{report_url(comment)}"')

    form = client.get(report_url(comment))

    assert form.status_code == 200
    for reason in ("Spam", "Abuse or harassment", "Off-topic", "Something else"):
        assertContains(form, reason)
    assertContains(form, 'maxlength="500"')
    assertContains(form, "Send report")
    assertContains(form, "You are all wrong.")


@pytest.mark.django_db
def test_a_report_without_javascript_thanks_the_reader_and_reaches_the_moderators(client, comment):
    response = send_report(client, comment, ip="198.51.100.7", reason="spam", note="Selling pills")

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assertContains(thanks, "Thank you for your report")
    assertNotContains(thanks, "1 report")  # Nothing about how many others reported it.
    [report] = CommentReport.objects.all()
    assert (report.comment, report.reason, report.note) == (comment, "spam", "Selling pills")
    assert "198.51.100.7" not in report.reporter  # A keyed hash, never the address.
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # One report takes nothing down.


@pytest.mark.django_db
def test_a_report_with_javascript_is_answered_in_json(client, comment):
    response = send_report(client, comment, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert "Thank you" in response.json()["message"]
    assert CommentReport.objects.count() == 1


@pytest.mark.django_db
def test_a_second_report_from_the_same_browser_is_thanked_but_not_counted(client, comment):
    send_report(client, comment)

    again = send_report(client, comment, reason="spam")  # Another address: the cookie tells.

    assert again.status_code == 302
    assert CommentReport.objects.count() == 1
    assertContains(client.get(report_url(comment)), "You have already reported this comment")


@pytest.mark.django_db
def test_a_second_report_from_the_same_address_is_not_counted(comment):
    send_report(Client(), comment, ip="198.51.100.8")

    again = send_report(Client(), comment, ip="198.51.100.8")

    assert again.status_code == 302
    assert CommentReport.objects.count() == 1


@pytest.mark.django_db
def test_a_forged_cookie_counts_for_nothing(client, comment):
    client.cookies["comment_reports"] = str(comment.pk)

    send_report(client, comment)

    assert CommentReport.objects.count() == 1


@pytest.mark.django_db
def test_reports_are_rate_limited_per_address_apart_from_comments(post, settings):
    # Counted in the database, as with no shared cache (the Redis path is the next test).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.COMMENTS_RATE_LIMIT = (2, 600)
    comments = [factories.make_comment(post=post) for _ in range(3)]

    answers = [send_report(Client(), c, ip="198.51.100.9").status_code for c in comments]

    assert answers == [302, 302, 429]
    assert CommentReport.objects.count() == 2
    refused = send_report(Client(), comments[2], ip="198.51.100.9")
    assertContains(refused, "sending reports too quickly", status_code=429)
    clients = set(SubmissionAttempt.objects.values_list("client", flat=True))
    assert len(clients) == 1 and clients.pop().startswith("report:")  # Hashed, not the address.
    # The address may still comment: reports count apart.
    assert post_comment(Client(), post, ip="198.51.100.9").status_code == 302


@pytest.mark.django_db
def test_with_redis_reports_are_counted_in_the_cache_apart_from_comments(post, settings):
    location = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    host, port = location.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError:
        pytest.skip(f"Redis is not running at {location}")
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    settings.COMMENTS_RATE_LIMIT = (2, 600)
    caches["default"].clear()
    try:
        comments = [factories.make_comment(post=post) for _ in range(3)]
        answers = [send_report(Client(), c, ip="198.51.100.11").status_code for c in comments]
        assert answers == [302, 302, 429]
        assert not SubmissionAttempt.objects.exists()  # No row: the cache counted.
    finally:
        caches["default"].clear()


@pytest.mark.django_db
def test_a_staff_members_comment_can_be_reported(post, moderator):
    staff_comment = factories.make_comment(post=post, user=moderator, author_name="Morgan")

    assert send_report(Client(), staff_comment).status_code == 302

    assert staff_comment.reports.count() == 1


@pytest.mark.django_db
def test_a_report_from_another_site_is_refused(comment):
    response = send_report(Client(), comment, HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 403
    assert not CommentReport.objects.exists()


@pytest.mark.django_db
def test_a_report_with_no_origin_needs_the_token_of_the_report_page(comment):
    client = Client(enforce_csrf_checks=True)
    assert send_report(client, comment).status_code == 403  # No token, no origin.
    page = client.get(report_url(comment)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = client.post(
        report_url(comment), {"reason": "spam", "csrfmiddlewaretoken": token}, REMOTE_ADDR=next_ip()
    )

    assert response.status_code == 302
    assert CommentReport.objects.count() == 1


# Input that must never cause a 500
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_a_comment_that_is_not_published_cannot_be_reported(client, post, status):
    hidden = factories.make_comment(post=post, status=status)

    assertContains(client.get(report_url(hidden)), "It is not published", status_code=404)
    assertContains(send_report(client, hidden), "cannot be reported", status_code=404)
    answer = send_report(client, hidden, HTTP_ACCEPT="application/json")
    assert answer.status_code == 404 and answer.json()["ok"] is False
    assert not CommentReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["999999/report/", "2" * 30 + "/report/", "abc/report/"])
def test_addresses_of_no_comment_answer_404(client, address):
    assert client.get(f"/comments/{address}").status_code == 404
    assert client.post(f"/comments/{address}", {"reason": "spam"}).status_code == 404
    assert client.get(f"/comments/{address}sent/").status_code == 404


@pytest.mark.django_db
def test_a_comment_on_a_draft_cannot_be_reported(client):
    draft = factories.make_post(status="draft")
    hidden = factories.make_comment(post=draft)

    assert client.get(report_url(hidden)).status_code == 404
    assert send_report(client, hidden).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "terrible", "x" * 5000])
def test_a_reason_not_offered_is_refused_with_a_message(client, comment, reason):
    response = send_report(client, comment, reason=reason)

    assert response.status_code == 400
    assert "Please choose why" in response.content.decode() or "valid choice" in (
        response.content.decode()
    )
    assert not CommentReport.objects.exists()


@pytest.mark.django_db
def test_a_note_over_the_limit_is_refused_and_kept_in_the_form(client, comment):
    note = "Too long. " * 60

    response = send_report(client, comment, note=note)

    assertContains(response, "at most 500 characters", status_code=400)
    assertContains(response, "Too long. Too long.", status_code=400)
    assert not CommentReport.objects.exists()


@pytest.mark.django_db
def test_a_huge_post_is_refused_before_it_is_read(client, comment):
    response = send_report(client, comment, note="x" * 2_000_000)

    assertContains(response, "Your note is too long", status_code=413)
    json_answer = send_report(client, comment, note="x" * 100_000, HTTP_ACCEPT="application/json")
    assert json_answer.status_code == 413 and json_answer.json()["ok"] is False
    assert not CommentReport.objects.exists()


@pytest.mark.django_db
def test_control_characters_in_the_note_are_dropped_and_a_nul_refused(client, comment):
    assert send_report(client, comment, note="Nul\x00 inside").status_code == 400

    send_report(client, comment, note="Look at\x07 this")

    assert CommentReport.objects.get().note == "Look at this"


@pytest.mark.django_db
def test_only_get_and_post_are_answered(client, comment):
    assert client.put(report_url(comment)).status_code == 405


# The hold after COMMENTS_REPORTS_TO_HOLD
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enough_reports_take_the_comment_back_into_the_queue(client, comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    other_post = factories.make_post(title="Another post", slug="another-post")
    factories.make_comment(post=other_post, body="A kind remark elsewhere.")
    other_page = client.get(other_post.get_absolute_url())
    page = client.get(comment.post.get_absolute_url())
    assertContains(page, "You are all wrong.")

    report_from_readers(comment, 2)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    report_from_readers(comment, 1)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    held = comment.events.get(kind=Kind.REPORTS_HELD)
    assert held.detail == "3 reports: Abuse or harassment (3)"
    assert held.actor is None
    # The post's page no longer shows it; other posts' cached pages stay as they were.
    fresh = client.get(comment.post.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert fresh.status_code == 200
    assertNotContains(fresh, "You are all wrong.")
    kept = client.get(other_post.get_absolute_url(), HTTP_IF_NONE_MATCH=other_page["ETag"])
    assert kept.status_code == 304


@pytest.mark.django_db
def test_the_reader_whose_report_held_the_comment_is_thanked_like_any_other(comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 1
    client = Client()

    response = send_report(client, comment)

    assertContains(client.get(response["Location"]), "Thank you for your report")


@pytest.mark.django_db
def test_reports_from_one_address_never_hold_a_comment(comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    for _ in range(5):
        send_report(Client(), comment, ip="198.51.100.10")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_with_no_threshold_reports_never_hold_a_comment(comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 0
    report_from_readers(comment, 5)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.reports.count() == 5


@WORKER_DB
def test_moderators_are_emailed_once_about_a_comment_taken_back(post, settings, run_worker):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    factories.make_moderator(username="mo", email="mo@example.com")
    reported = factories.make_comment(post=post, body="Buy my pills.")
    for reason in ("spam", "off-topic"):
        send_report(Client(), reported, reason=reason)

    run_worker()
    run_worker()

    [email] = mail.outbox
    assert email.to == ["mo@example.com"]
    assert "Reported by readers" in email.subject
    assert "2 reports: Spam (1), Off-topic (1)" in email.body
    assert "Buy my pills." in email.body
    assert REPORTED in email.body
    assert Kind.NOTIFIED in history(reported)


@WORKER_DB
def test_a_failed_email_about_reports_is_retried_and_sent_once(post, settings, run_worker):
    settings.COMMENTS_REPORTS_TO_HOLD = 1
    factories.make_moderator(username="mo", email="mo@example.com")
    reported = factories.make_comment(post=post)
    mailers = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.conftest.FailingEmailBackend"}}
    send_report(Client(), reported)
    run_worker()
    assert history(reported)[-1] == Kind.NOTIFY_ERROR
    [retry] = tasks_waiting("moderators_notify_reported")
    assert retry.run_after > timezone.now() + timedelta(seconds=50)
    settings.MAILERS = mailers

    time_passes()
    run_worker()
    run_worker()

    assert [message.to for message in mail.outbox] == [["mo@example.com"]]
    assert history(reported)[-2:] == [Kind.NOTIFY_ERROR, Kind.NOTIFIED]


# The moderators' Reported view
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reported_view_shows_the_count_reasons_and_notes(moderator_client, comment, post):
    send_report(Client(), comment, reason="abuse", note="Insults another reader")
    send_report(Client(), comment, reason="off-topic")
    factories.make_comment(post=post, body="Never reported.")

    page = moderator_client.get(REPORTED)

    assertContains(page, "2 reports")
    assertContains(page, "Abuse or harassment")
    assertContains(page, "Insults another reader")
    assertContains(page, "You are all wrong.")
    assertNotContains(page, "Never reported.")
    for label in ("Keep", "Trash", "Spam"):
        assertContains(page, f">{label}</button>")
    queue = moderator_client.get(reverse("admin:comments_comment_changelist"))
    assertContains(queue, "Reported (1)")


@pytest.mark.django_db
def test_the_reported_view_is_for_moderators_only(client, comment, editor):
    assert client.get(REPORTED).status_code == 302  # To the login page.
    client.force_login(editor)
    assert client.get(REPORTED).status_code == 403


@pytest.mark.django_db
def test_keep_dismisses_the_reports_and_publishes_the_comment_again(
    moderator_client, comment, moderator, settings
):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    report_from_readers(comment, 2)

    response = moderator_client.post(
        reverse("admin:comments_comment_reports_decide", args=[comment.pk, "reports_dismiss"])
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    dismissed = comment.events.get(kind=Kind.REPORTS_DISMISSED)
    assert dismissed.actor == moderator
    assert history(comment)[-2:] == [Kind.REPORTS_HELD, Kind.REPORTS_DISMISSED]
    assert not comment.reports.filter(closed_at=None).exists()
    assertContains(Client().get(comment.post.get_absolute_url()), "You are all wrong.")
    assertContains(moderator_client.get(REPORTED), "No reported comments wait for you.")
    # The same readers cannot take it down again; new readers' reports count afresh.
    report_from_readers(comment, 1)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_keep_leaves_a_comment_below_the_threshold_published(moderator_client, comment):
    send_report(Client(), comment)

    moderator_client.post(
        reverse("admin:comments_comment_reports_decide", args=[comment.pk, "reports_dismiss"])
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert Kind.REPORTS_DISMISSED in history(comment)


@pytest.mark.django_db
def test_trash_takes_a_reported_comment_down(moderator_client, comment):
    send_report(Client(), comment)

    moderator_client.post(
        reverse("admin:comments_comment_reports_decide", args=[comment.pk, "trash"])
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    assert comment.events.get(kind=Kind.TRASHED).detail == "1 report: Abuse or harassment (1)"
    assertNotContains(Client().get(comment.post.get_absolute_url()), "You are all wrong.")


@WORKER_DB
def test_spam_from_the_reported_view_tells_akismet(
    post, fake_akismet, moderator, run_worker, settings
):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    post_comment(Client(), post, body="Cheap watches, looked fine at first.")
    reported = Comment.objects.get()
    checked = fake_akismet.requests_to("comment-check")[0].params
    services.comment_approve(comment=reported, actor=moderator)
    report_from_readers(reported, 3)
    client = Client()
    client.force_login(moderator)

    client.post(reverse("admin:comments_comment_reports_decide", args=[reported.pk, "mark_spam"]))
    run_worker()

    reported.refresh_from_db()
    assert reported.status == Comment.Status.SPAM
    [submitted] = fake_akismet.requests_to("submit-spam")
    assert submitted.params == checked
    assert Kind.REPORTED_SPAM in history(reported)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "/admin/comments/comment/abc/reports/trash/",
        "/admin/comments/comment/99999/reports/trash/",
        "/admin/comments/comment/%s/reports/approve/",
        "/admin/comments/comment/%s/reports/nonsense/",
    ],
)
def test_odd_decisions_answer_404(moderator_client, comment, address):
    if "%s" in address:
        address %= comment.pk
    assert moderator_client.post(address).status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


@pytest.mark.django_db
def test_a_decision_on_a_comment_already_decided_says_so(moderator_client, comment):
    send_report(Client(), comment)
    decide = reverse("admin:comments_comment_reports_decide", args=[comment.pk, "trash"])
    moderator_client.post(decide)

    response = moderator_client.post(decide, follow=True)

    assertContains(response, "Cannot trash a comment that is trash")


@pytest.mark.django_db
def test_the_reasons_summary_counts_each_reason(comment):
    assert reports.reasons_summary(["spam", "abuse", "spam"]) == (
        "3 reports: Spam (2), Abuse or harassment (1)"
    )


# Reports are personal data
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reports_are_deleted_after_the_personal_data_retention(comment, settings):
    settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS = 30
    send_report(Client(), comment, note="Old news")
    send_report(Client(), comment, note="Fresh")
    CommentReport.objects.filter(note="Old news").update(
        created_at=timezone.now() - timedelta(days=31)
    )

    summary = services.personal_data_purge()

    assert summary["reports"] == 1
    assert list(CommentReport.objects.values_list("note", flat=True)) == ["Fresh"]


@pytest.mark.django_db
def test_erasing_the_authors_data_deletes_the_notes_of_reports_on_their_comments(comment):
    send_report(Client(), comment, reason="abuse", note="Rita Smith of Leeds again")
    other = factories.make_comment(post=comment.post)
    send_report(Client(), other, note="Kept: not about Rita")

    privacy.personal_data_erase(email=comment.author_email)

    assert list(comment.reports.values_list("reason", "note")) == [("abuse", "")]
    assert other.reports.get().note == "Kept: not about Rita"


@pytest.mark.django_db
def test_the_export_lists_the_reasons_of_reports_but_not_the_notes(comment):
    send_report(Client(), comment, reason="spam", note="Secret words of a reporter")

    export = privacy.personal_data_export(email=comment.author_email)

    [exported] = export["comments"]
    assert [report["reason"] for report in exported["reports"]] == ["spam"]
    assert "Secret words" not in json.dumps(export)


@pytest.mark.django_db
def test_the_privacy_page_says_what_a_report_keeps(client):
    page = client.get(reverse("comments:privacy"))

    assertContains(page, "Reporting a comment")
    assertContains(page, "comment_reports")


@pytest.mark.django_db
def test_the_reported_view_costs_the_same_queries_for_one_comment_or_many(
    moderator_client, post, django_assert_num_queries
):
    """Intended to prevent an n+1 issue: each row shows its post and its reports."""
    first = factories.make_comment(post=post)
    report_from_readers(first, 2)
    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get(REPORTED).status_code == 200
    queries = len(one.captured_queries)  # Read now: each request empties the log.
    for _ in range(3):
        report_from_readers(factories.make_comment(post=factories.make_post()), 2)

    with django_assert_num_queries(queries):
        page = moderator_client.get(REPORTED)
    assertContains(page, '<span class="reported-count">2 reports</span>', count=4)
