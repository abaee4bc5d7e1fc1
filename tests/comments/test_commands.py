"""Housekeeping commands and the system check."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.checks.registry import registry
from django.core.management import call_command
from django.utils import timezone

from comments.checks import check_akismet_key
from comments.models import AkismetReport, Comment, CommentEvent
from tests import factories


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.mark.django_db
def test_purge_spam_deletes_spam_older_than_fifteen_days_only(post):
    old_spam = factories.make_comment(post=post, status="spam", created_at=days_ago(16))
    new_spam = factories.make_comment(post=post, status="spam", created_at=days_ago(14))
    old_ham = factories.make_comment(post=post, status="approved", created_at=days_ago(100))
    old_pending = factories.make_comment(post=post, status="pending", created_at=days_ago(100))

    call_command("purge_spam", stdout=(out := StringIO()))

    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert remaining == {new_spam.pk, old_ham.pk, old_pending.pk}
    assert old_spam.pk not in remaining
    assert "Deleted 1 spam comment(s) older than 15 days" in out.getvalue()


@pytest.mark.django_db
def test_purge_spam_follows_the_retention_setting(post, settings):
    settings.COMMENTS_SPAM_RETENTION_DAYS = 3
    factories.make_comment(post=post, status="spam", created_at=days_ago(4))

    call_command("purge_spam", stdout=StringIO())

    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_purge_spam_keeps_replies_to_a_purged_comment(post):
    parent = factories.make_comment(post=post, created_at=days_ago(20))
    reply = factories.make_comment(post=post, parent=parent, created_at=days_ago(19))
    Comment.objects.filter(pk=parent.pk).update(status="spam")

    call_command("purge_spam", stdout=StringIO())

    reply.refresh_from_db()
    assert reply.parent is None


@pytest.mark.django_db
def test_purge_spam_forgets_akismet_data_after_fifteen_days(post):
    params = {"user_ip": "203.0.113.9", "comment_content": "Hello"}
    old = factories.make_comment(post=post, akismet_params=params, created_at=days_ago(16))
    new = factories.make_comment(post=post, akismet_params=params, created_at=days_ago(1))
    AkismetReport.objects.create(comment=old, kind="spam", params=params)

    call_command("purge_spam", stdout=(out := StringIO()))

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.akismet_params == {}
    assert new.akismet_params == params
    assert not AkismetReport.objects.exists()
    assert old.events.get().kind == CommentEvent.Kind.PARAMS_PURGED
    assert "cleared Akismet data of 1 comment(s)" in out.getvalue()


def test_check_mentions_a_missing_key_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.AKISMET_API_KEY = ""

    [message] = check_akismet_key(None)

    assert message.id == "comments.I001"
    assert "AKISMET_API_KEY" in message.msg
    assert check_akismet_key in registry.registered_checks


@pytest.mark.parametrize(("debug", "key"), [(True, ""), (False, "a-key")])
def test_check_is_quiet_in_debug_or_with_a_key(settings, debug, key):
    settings.DEBUG = debug
    settings.AKISMET_API_KEY = key

    assert check_akismet_key(None) == []


@pytest.mark.django_db
def test_recheck_comments_says_when_spam_checking_is_off(settings):
    settings.AKISMET_API_KEY = ""

    call_command("recheck_comments", stdout=(out := StringIO()))

    assert "Spam checking is off" in out.getvalue()
