"""The per-address limit on comment posting (COMMENTS_RATE_LIMIT), on top of flood control."""

import os
import socket
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pytest_django.asserts import assertContains

from comments.models import Comment, SubmissionAttempt
from config.settings import env_rate
from tests import factories
from tests.comments.conftest import post_comment

VISITOR = "198.51.100.7"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def small_limit(settings):
    """Three comments per ten minutes, and no flood control, so the limit shows alone."""
    settings.COMMENTS_RATE_LIMIT = (3, 600)
    settings.COMMENTS_FLOOD_SECONDS = 0


@pytest.fixture
def without_redis(settings):
    """The cache of a site without REDIS_URL, whatever this test run uses."""
    settings.CACHES = LOCAL_MEMORY


@pytest.fixture
def redis_cache(settings):
    """The shared Redis cache as "default", as REDIS_URL configures it; skipped without Redis."""
    host, port = REDIS_URL.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


def post_from(client, post, ip=VISITOR, **fields):
    return post_comment(client, post, ip=ip, **fields)


@pytest.mark.django_db
def test_the_thirty_first_comment_in_ten_minutes_is_refused_with_429(client, post, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    assert settings.COMMENTS_RATE_LIMIT == (30, 600)  # The default, "30/10m".

    for number in range(30):
        assert post_from(client, post).status_code == 302, number
    refused = post_from(client, post, body="One remark too many.")

    assertContains(refused, "You are posting comments too quickly", status_code=429)
    assertContains(refused, "at most 30 comments in 10 minutes", status_code=429)
    assertContains(refused, "One remark too many.", status_code=429)  # The text is kept.
    assert Comment.objects.count() == 30


@pytest.mark.django_db
def test_refused_submissions_count_as_attempts(client, post, small_limit):
    same = {"author_name": "Sam", "author_email": "sam@example.com", "body": "Said once."}
    first = post_from(client, post, **same)
    again = post_from(client, post, **same)
    closed = factories.make_post(comments_open=False)
    on_closed = post_from(client, closed)

    assert (first.status_code, again.status_code, on_closed.status_code) == (302, 409, 403)
    assert post_from(client, post).status_code == 429
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_comments_caught_as_spam_count_too(client, post, small_limit):
    for _ in range(3):
        post_from(client, post, fax_number="555-0100")  # The honeypot: kept as spam.

    assert post_from(client, post).status_code == 429
    assert Comment.objects.spam().count() == 3


@pytest.mark.django_db
def test_other_addresses_are_not_limited(client, post, small_limit):
    for _ in range(3):
        post_from(client, post)

    assert post_from(client, post).status_code == 429
    assert post_from(client, post, ip="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_one_ipv6_network_shares_one_limit(client, post, small_limit):
    for host in ("1", "2", "3"):
        post_from(client, post, ip=f"2001:db8:5:6::{host}")

    assert post_from(client, post, ip="2001:db8:5:6:ffff::9").status_code == 429
    assert post_from(client, post, ip="2001:db8:5:7::1").status_code == 302


@pytest.mark.django_db
def test_the_limit_lifts_when_the_window_has_passed(client, post, small_limit, without_redis):
    for _ in range(3):
        post_from(client, post)
    assert post_from(client, post).status_code == 429

    SubmissionAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=11))

    assert post_from(client, post).status_code == 302
    # What left the window is forgotten: the addresses are personal data.
    assert SubmissionAttempt.objects.count() == 1


@pytest.mark.django_db
def test_the_limit_holds_with_no_cache_at_all(client, post, small_limit, settings):
    """On any database with no cache server: the count lives in the database."""
    settings.CACHES = NO_CACHE

    for _ in range(3):
        assert post_from(client, post).status_code == 302

    assert post_from(client, post).status_code == 429


@pytest.mark.django_db
def test_the_count_is_not_kept_in_one_process_memory(client, post, small_limit, without_redis):
    """Each gunicorn worker has its own local-memory cache; emptying it changes nothing."""
    for _ in range(3):
        post_from(client, post)
        caches["default"].clear()

    assert post_from(client, post).status_code == 429


@pytest.mark.django_db
def test_flood_control_and_duplicates_work_with_no_cache_at_all(client, post, settings):
    settings.CACHES = NO_CACHE

    same = {"author_name": "Sam", "author_email": "sam@example.com", "body": "Only once."}
    first = post_from(client, post, **same)
    too_soon = post_from(client, post, body="Straight after.")
    settings.COMMENTS_FLOOD_SECONDS = 0
    duplicate = post_from(client, post, **same)

    assert first.status_code == 302
    assertContains(too_soon, "Please wait", status_code=429)
    assertContains(duplicate, "Duplicate comment detected", status_code=409)


@pytest.mark.django_db
def test_the_shared_redis_cache_keeps_the_count(client, post, small_limit, redis_cache):
    for _ in range(3):
        assert post_from(client, post).status_code == 302

    assert post_from(client, post).status_code == 429
    assert not SubmissionAttempt.objects.exists()  # No database write per submission.


@pytest.mark.django_db
def test_staff_are_exempt(client, post, small_limit, moderator):
    client.force_login(moderator)

    for _ in range(4):
        assert post_from(client, post).status_code == 302


@pytest.mark.django_db
def test_the_limit_can_be_turned_off(client, post, small_limit, settings):
    settings.COMMENTS_RATE_LIMIT = None

    for _ in range(5):
        assert post_from(client, post).status_code == 302
    assert not SubmissionAttempt.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30/10m", (30, 600)),
        ("5/m", (5, 60)),
        ("100/1H", (100, 3600)),
        ("2/30s", (2, 30)),
        ("500/d", (500, 86400)),
        ("0", None),
        ("off", None),
        ("", (30, 600)),  # Unset: the default.
    ],
)
def test_rate_setting_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("COMMENTS_RATE_LIMIT", value)

    assert env_rate("COMMENTS_RATE_LIMIT", "30/10m") == expected


@pytest.mark.parametrize("value", ["30", "30/10", "30/10x", "ten/10m", "30/1.5m", "-1/m", "30/0m"])
def test_a_bad_rate_setting_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("COMMENTS_RATE_LIMIT", value)

    with pytest.raises(ImproperlyConfigured, match="COMMENTS_RATE_LIMIT") as error:
        env_rate("COMMENTS_RATE_LIMIT", "30/10m")

    assert value.lower() in str(error.value)
