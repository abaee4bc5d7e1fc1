"""The periodic tasks, each enqueuing its next run: the nightly purges and the hourly
Akismet upkeep, run by the real worker."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import services, tasks
from comments.models import Comment
from tests import factories
from tests.comments.conftest import tasks_waiting
from tests.fake_akismet import VALID_KEY


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_the_purges_run_at_night_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    paris = ZoneInfo("Europe/Paris")

    evening = datetime(2026, 3, 28, 22, 0, tzinfo=paris)
    early = datetime(2026, 3, 29, 1, 0, tzinfo=paris)

    assert tasks.next_purge_at(evening) == datetime(2026, 3, 29, 3, 17, tzinfo=paris)
    assert tasks.next_purge_at(early) == datetime(2026, 3, 29, 3, 17, tzinfo=paris)


@pytest.mark.django_db
def test_one_nightly_purge_waits_however_often_it_is_scheduled():
    """Every migrate schedules it: deploys must not multiply it."""
    DBTaskResult.objects.all().delete()

    tasks.retention_schedule()
    tasks.retention_schedule()

    [waiting] = tasks_waiting("retention_purge")
    assert waiting.run_after == tasks.next_purge_at(timezone.now())


@pytest.mark.django_db(transaction=True)
def test_the_nightly_purge_deletes_old_spam_and_schedules_the_next_night(post, run_worker):
    old_spam = factories.make_comment(post=post, status="spam", created_at=days_ago(20))
    fresh_spam = factories.make_comment(post=post, status="spam", created_at=days_ago(1))
    old = factories.make_comment(post=post, ip_address="203.0.113.9", created_at=days_ago(61))
    tasks.retention_schedule()
    # The night comes.
    DBTaskResult.objects.filter(task_path="comments.tasks.retention_purge").update(
        run_after=days_ago(0)
    )

    run_worker()

    assert not Comment.objects.filter(pk=old_spam.pk).exists()
    assert Comment.objects.filter(pk=fresh_spam.pk).exists()
    old.refresh_from_db()
    assert old.ip_address is None
    [tomorrow] = tasks_waiting("retention_purge")
    assert tomorrow.run_after > timezone.now()


@pytest.mark.django_db
def test_one_akismet_upkeep_waits_however_often_it_is_scheduled():
    DBTaskResult.objects.all().delete()

    tasks.akismet_upkeep_schedule()
    tasks.akismet_upkeep_schedule()

    [waiting] = tasks_waiting("akismet_upkeep")
    assert waiting.run_after <= timezone.now() + tasks.UPKEEP_FIRST_RUN


def upkeep_is_due():
    DBTaskResult.objects.filter(task_path="comments.tasks.akismet_upkeep").update(
        run_after=days_ago(0)
    )


@pytest.mark.django_db(transaction=True)
def test_upkeep_checks_comments_held_before_a_key_was_set_and_fills_the_usage_card(
    post, settings, fake_akismet, run_worker
):
    settings.AKISMET_API_KEY = ""
    held = factories.make_comment(post=post, status="pending", akismet_verdict="unchecked")
    tasks.akismet_upkeep_schedule()
    # The site owner sets a key; within the hour the worker's upkeep runs.
    settings.AKISMET_API_KEY = VALID_KEY
    upkeep_is_due()

    run_worker()

    held.refresh_from_db()
    assert held.akismet_verdict != "unchecked"
    assert len(fake_akismet.requests_to("comment-check")) == 1
    assert len(fake_akismet.requests_to_v12("usage-limit")) == 1
    account = services.akismet_account()
    assert account.fetched_at is not None
    [next_hour] = tasks_waiting("akismet_upkeep")
    assert next_hour.run_after > timezone.now() + tasks.UPKEEP_EVERY - timedelta(minutes=1)

    # An hour later the figures are still fresh: only the queue is looked at.
    upkeep_is_due()
    run_worker()
    assert len(fake_akismet.requests_to_v12("usage-limit")) == 1


@pytest.mark.django_db(transaction=True)
def test_upkeep_asks_akismet_nothing_while_spam_checking_is_off(
    post, fake_akismet, settings, run_worker
):
    settings.AKISMET_API_KEY = ""
    factories.make_comment(post=post, status="pending", akismet_verdict="unchecked")
    tasks.akismet_upkeep_schedule()
    upkeep_is_due()

    run_worker()

    assert fake_akismet.requests == []
    assert len(tasks_waiting("akismet_upkeep")) == 1
