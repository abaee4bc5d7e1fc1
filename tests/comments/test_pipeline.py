"""The submission pipeline, with akismet's test clients injected into the service."""

from datetime import timedelta

import akismet
import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from comments import services, tasks
from comments.models import Comment, CommentEvent
from comments.services.pause import MAX_ATTEMPTS
from tests import factories
from tests.comments.conftest import (
    akismet_client,
    failing_akismet_client,
    form_data,
    tasks_waiting,
    time_passes,
)

Kind = CommentEvent.Kind
HAM, SPAM, DISCARD = (
    akismet.CheckResponse.HAM,
    akismet.CheckResponse.SPAM,
    akismet.CheckResponse.DISCARD,
)


def yesterday():
    return timezone.now() - timedelta(days=1)


def cleaned(**fields):
    """Form data as the form's cleaned_data hands it to the service."""
    return {"parent": None, "fax_number": "", "remember": False, **form_data(**fields)}


def submit(post, request_meta, *, client=None, user=None, **fields):
    return services.comment_submit(
        post=post, data=cleaned(**fields), request_meta=request_meta, user=user, client=client
    )


def history(comment):
    return list(comment.events.values_list("kind", flat=True))


@pytest.mark.django_db
def test_ham_comment_is_held_for_a_moderator(post, request_meta, akismet_on):
    comment = submit(post, request_meta, client=akismet_client(HAM))

    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.HAM
    assert comment.akismet_checked_at is not None
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_HAM]


@pytest.mark.django_db
def test_spam_verdict_hides_the_comment_as_spam(post, request_meta, akismet_on):
    comment = submit(post, request_meta, client=akismet_client(SPAM))

    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_verdict == Comment.Verdict.SPAM
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_SPAM]


@pytest.mark.django_db
def test_discard_verdict_keeps_the_comment_as_blatant_spam_by_default(
    post, request_meta, akismet_on
):
    comment = submit(post, request_meta, client=akismet_client(DISCARD))

    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_verdict == Comment.Verdict.DISCARD
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_DISCARD]


@pytest.mark.django_db
def test_discard_verdict_drops_the_comment_when_configured(
    post, request_meta, akismet_on, settings
):
    settings.COMMENTS_DROP_DISCARDED = True

    comment = submit(post, request_meta, client=akismet_client(DISCARD))

    assert comment.pk is None
    assert not Comment.objects.exists()


@pytest.fixture
def known_author(post):
    """Kim, whose comment of yesterday was approved."""
    return factories.make_comment(
        post=post, author_name="Kim", author_email="kim@example.com", created_at=yesterday()
    )


@pytest.mark.django_db
def test_known_author_is_approved_automatically_when_configured(
    post, request_meta, akismet_on, settings, known_author
):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    comment = submit(
        post,
        request_meta,
        client=akismet_client(HAM),
        author_name="Kim",
        author_email="KIM@example.com",
    )

    assert comment.status == Comment.Status.APPROVED
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_HAM, Kind.AUTO_APPROVED]


@pytest.mark.django_db
def test_an_author_known_by_address_only_is_not_approved_automatically(
    post, request_meta, akismet_on, settings, known_author
):
    """WordPress's rule: an earlier approved comment with the same name and address."""
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    other_kim = {"author_name": "Kim's namesake", "author_email": known_author.author_email}

    comment = submit(post, request_meta, client=akismet_client(HAM), **other_kim)

    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_known_author_still_waits_for_a_moderator_by_default(
    post, request_meta, akismet_on, known_author
):
    comment = submit(
        post,
        request_meta,
        client=akismet_client(HAM),
        author_name="Kim",
        author_email="kim@example.com",
    )

    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
def test_known_author_flagged_as_spam_is_not_approved(
    post, request_meta, akismet_on, settings, known_author
):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    comment = submit(
        post,
        request_meta,
        client=akismet_client(SPAM),
        author_name="Kim",
        author_email="kim@example.com",
    )

    assert comment.status == Comment.Status.SPAM


@pytest.mark.django_db
def test_akismet_receives_everything_it_asks_for(post, request_meta, akismet_on, settings):
    settings.SITE_URL = "https://blog.example.com"
    post.tags.add("python", "django")
    parent = factories.make_comment(post=post)

    comment = submit(
        post,
        request_meta,
        client=akismet_client(HAM),
        parent=parent.pk,
        author_name="Ada",
        author_email="ada@example.com",
        author_url="https://ada.example",
        body="Replying with care.",
    )

    params = comment.akismet_params
    assert params == {
        "user_ip": request_meta["REMOTE_ADDR"],
        "user_agent": "Mozilla/5.0 (unit tests)",
        "referrer": "http://testserver/some/post/",
        "permalink": "https://blog.example.com" + post.get_absolute_url(),
        "comment_type": "reply",
        "comment_author": "Ada",
        "comment_author_email": "ada@example.com",
        "comment_author_url": "https://ada.example",
        "comment_content": "Replying with care.",
        "comment_date_gmt": comment.created_at.astimezone(timezone.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "comment_post_modified_gmt": post.updated_at.astimezone(timezone.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "blog_lang": "en",
        "blog_charset": "utf-8",
        "honeypot_field_name": "fax_number",
        "fax_number": "",
        "comment_context": ["django", "python"],
    }


@pytest.mark.django_db
def test_staff_comments_are_sent_with_the_administrator_role(
    post, request_meta, akismet_on, settings, editor
):
    settings.AKISMET_IS_TEST = True

    comment = submit(post, request_meta, client=akismet_client(HAM), user=editor)

    assert comment.akismet_params["user_role"] == "administrator"
    assert comment.akismet_params["is_test"] is True
    assert comment.akismet_params["comment_type"] == "comment"
    assert comment.user == editor


@pytest.mark.django_db
def test_filled_honeypot_is_spam_without_asking_akismet(post, request_meta, akismet_on):
    calls = []

    comment = submit(
        post, request_meta, client=failing_akismet_client(calls=calls), fax_number="555-0100"
    )

    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_verdict == Comment.Verdict.UNCHECKED
    assert calls == []
    assert history(comment) == [Kind.SUBMITTED, Kind.HONEYPOT]


@pytest.mark.django_db
def test_after_a_failed_check_every_process_holds_new_comments_without_asking(
    post, request_meta, akismet_on
):
    """The pause lives in the database: another worker, with its own cache, sees it."""
    submit(post, request_meta, client=failing_akismet_client())
    cache.clear()
    calls = []

    comment = submit(
        post,
        {**request_meta, "REMOTE_ADDR": "198.51.100.7"},
        client=failing_akismet_client(calls=calls),
    )

    assert calls == []
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.ERROR
    assert "moments ago" in comment.akismet_last_error
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_ERROR]


@pytest.mark.django_db
def test_without_a_key_comments_are_held_unchecked(post, request_meta, settings):
    settings.AKISMET_API_KEY = ""
    calls = []

    comment = submit(post, request_meta, client=failing_akismet_client(calls=calls))

    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.UNCHECKED
    assert calls == []
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_SKIPPED]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "text"),
    [(503, "Service Unavailable"), (200, "invalid"), (200, "<html>oops</html>")],
    ids=["server-error", "invalid-key", "unexpected-body"],
)
def test_akismet_failure_keeps_the_comment_pending_for_a_retry(
    post, request_meta, akismet_on, status, text
):
    before = timezone.now()

    comment = submit(post, request_meta, client=failing_akismet_client(status, text))

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.ERROR
    assert comment.akismet_attempts == 1
    assert comment.akismet_last_error
    assert comment.akismet_next_attempt_at >= before + timedelta(minutes=1)
    assert history(comment) == [Kind.SUBMITTED, Kind.CHECK_ERROR]


@pytest.mark.django_db
def test_retries_back_off_and_then_succeed(post, request_meta, akismet_on):
    comment = submit(post, request_meta, client=failing_akismet_client())
    comment = services.comment_check_spam(comment=comment, client=failing_akismet_client()).comment
    assert comment.akismet_attempts == 2
    assert comment.akismet_next_attempt_at - timezone.now() > timedelta(minutes=1, seconds=50)

    comment = services.comment_check_spam(comment=comment, client=akismet_client(SPAM)).comment

    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_last_error == ""
    assert comment.akismet_next_attempt_at is None


def test_back_off_doubles_up_to_six_hours():
    delays = [services.retry_delay(n) for n in (1, 2, 3, 9, 50)]

    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=256),
        timedelta(hours=6),
    ]


@pytest.mark.django_db
def test_a_moderators_decision_wins_over_a_late_verdict(post, request_meta, akismet_on, moderator):
    comment = submit(post, request_meta, client=failing_akismet_client())
    services.comment_approve(comment=comment, actor=moderator)

    comment = services.comment_check_spam(comment=comment, client=akismet_client(SPAM)).comment

    assert comment.status == Comment.Status.APPROVED
    assert comment.akismet_verdict == Comment.Verdict.SPAM


@pytest.mark.django_db
def test_second_comment_within_fifteen_seconds_is_refused(post, request_meta, akismet_on):
    submit(post, request_meta, client=akismet_client())

    with pytest.raises(services.CommentRefused) as refused:
        submit(post, request_meta, client=akismet_client())

    assert refused.value.code == "flood"
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_flood_control_also_matches_the_email_from_another_address(post, akismet_on):
    submit(post, {"REMOTE_ADDR": "198.51.100.1"}, author_email="same@example.com")

    with pytest.raises(services.CommentRefused):
        submit(post, {"REMOTE_ADDR": "198.51.100.2"}, author_email="Same@example.com")


@pytest.mark.django_db
def test_flood_control_lets_comments_through_after_fifteen_seconds(post, request_meta, akismet_on):
    first = submit(post, request_meta, client=akismet_client())
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=16))

    second = submit(post, request_meta, client=akismet_client())

    assert second.pk


@pytest.mark.django_db
def test_staff_are_exempt_from_flood_control(post, request_meta, akismet_on, moderator):
    submit(post, request_meta, client=akismet_client(), user=moderator)

    second = submit(post, request_meta, client=akismet_client(), user=moderator)

    assert second.pk


@pytest.mark.django_db
def test_duplicate_comment_is_refused(post, akismet_on):
    fields = {"author_name": "Ann", "author_email": "ann@example.com", "body": "Same words."}
    submit(post, {"REMOTE_ADDR": "198.51.100.1"}, client=akismet_client(), **fields)
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    with pytest.raises(services.CommentRefused) as refused:
        submit(post, {"REMOTE_ADDR": "198.51.100.2"}, client=akismet_client(), **fields)

    assert refused.value.code == "duplicate"


@pytest.mark.django_db
def test_reply_to_pending_comment_is_refused(post, request_meta):
    pending = factories.make_comment(post=post, status=Comment.Status.PENDING)

    with pytest.raises(services.CommentRefused) as refused:
        submit(post, request_meta, parent=pending.pk)

    assert refused.value.code == "parent"


@pytest.mark.django_db
def test_reply_to_a_comment_on_another_post_is_refused(post, request_meta):
    elsewhere = factories.make_comment()

    with pytest.raises(services.CommentRefused):
        submit(post, request_meta, parent=elsewhere.pk)


@pytest.mark.django_db
def test_comments_closed_by_the_editor_are_refused(post, request_meta):
    post.comments_open = False
    post.save()

    with pytest.raises(services.CommentRefused) as refused:
        submit(post, request_meta)

    assert refused.value.code == "closed"


@pytest.mark.django_db
def test_comments_close_on_posts_older_than_the_setting(request_meta, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = factories.make_post(published_at=timezone.now() - timedelta(days=31))
    recent = factories.make_post(published_at=timezone.now() - timedelta(days=29))

    assert not services.comments_are_open(post=old)
    assert services.comments_are_open(post=recent)
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert services.comments_are_open(post=old)


# The worker commits as it goes: these tests are transactional, as a server is.
WORKER_DB = pytest.mark.django_db(transaction=True)


@WORKER_DB
def test_moderators_are_emailed_with_a_link_when_a_comment_is_held(
    post, request_meta, akismet_on, moderator, settings, run_worker
):
    settings.SITE_URL = "https://blog.example.com"

    comment = submit(post, request_meta, client=akismet_client(HAM), body="Hold me, please.")
    assert mail.outbox == []  # Not in the visitor's request.
    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [moderator.email]
    assert post.title in message.subject
    assert "Hold me, please." in message.body
    assert f"https://blog.example.com/admin/comments/comment/{comment.pk}/change/" in message.body
    assert "https://blog.example.com/comments/moderate/" in message.body
    assert Kind.NOTIFIED in history(comment)


@WORKER_DB
def test_moderators_are_not_emailed_about_spam(
    post, request_meta, akismet_on, moderator, run_worker
):
    submit(post, request_meta, client=akismet_client(SPAM))
    run_worker()

    assert mail.outbox == []


@WORKER_DB
def test_moderator_emails_setting_overrides_the_group(
    post, request_meta, moderator, settings, run_worker
):
    settings.COMMENTS_MODERATOR_EMAILS = ["queue@example.com"]

    submit(post, request_meta)
    run_worker()

    assert mail.outbox[0].to == ["queue@example.com"]
    assert "/comments/moderate/" not in mail.outbox[0].body  # No moderator has it.
    assert "/admin/comments/comment/" in mail.outbox[0].body


@WORKER_DB
def test_each_moderator_is_emailed_once_even_when_the_task_runs_twice(
    post, request_meta, moderator, run_worker
):
    other = factories.make_moderator(username="mina", email="mina@example.com")
    comment = submit(post, request_meta)
    tasks.moderators_notify_held.enqueue(comment.pk)

    run_worker()
    tasks.moderators_notify_held.enqueue(comment.pk)
    run_worker()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [moderator.email, other.email]
    )
    assert history(comment).count(Kind.NOTIFIED) == 2


@WORKER_DB
def test_a_failed_email_is_retried_then_given_up(
    post, request_meta, moderator, settings, run_worker
):
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.conftest.FailingEmailBackend"}}
    comment = submit(post, request_meta)
    run_worker()

    assert history(comment)[-1] == Kind.NOTIFY_ERROR
    [retry] = tasks_waiting("moderators_notify_held")
    assert retry.run_after > timezone.now() + timedelta(seconds=50)

    for _ in range(MAX_ATTEMPTS - 1):
        time_passes()
        run_worker()

    assert history(comment).count(Kind.NOTIFY_ERROR) == MAX_ATTEMPTS - 1
    assert history(comment)[-1] == Kind.NOTIFY_FAILED
    assert tasks_waiting("moderators_notify_held") == []


@WORKER_DB
def test_an_email_that_failed_is_sent_when_the_mail_server_is_back(
    post, request_meta, moderator, settings, run_worker
):
    mailers = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.conftest.FailingEmailBackend"}}
    comment = submit(post, request_meta)
    run_worker()
    settings.MAILERS = mailers

    time_passes()
    run_worker()

    assert [message.to for message in mail.outbox] == [[moderator.email]]
    assert history(comment)[-2:] == [Kind.NOTIFY_ERROR, Kind.NOTIFIED]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_visitors_address_is_recorded(post, settings):
    settings.TRUSTED_PROXIES = 1
    proxied = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

    comment = submit(post, proxied)

    assert comment.ip_address == "203.0.113.9"
    assert comment.akismet_params["user_ip"] == "203.0.113.9"


@pytest.mark.django_db
def test_without_trusted_proxies_a_forwarded_header_is_ignored(post):
    comment = submit(post, {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "6.6.6.6"})

    assert comment.ip_address == "198.51.100.7"
