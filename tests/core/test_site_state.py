"""The site's state is read in one query whose timed parts are built once per process,
with each request's "now" put in: it must say what building them afresh would say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from core import registry
from core.pagecache import site_state
from core.pagecache.changes import _compiled_moment_query
from tests import factories


@pytest.fixture
def timed_change():
    """Register a timed change for one test, and take it away again."""
    names = []

    def register(name, passed):
        registry.register_timed_change(name, passed=passed)
        names.append(name)

    yield register
    for name in names:
        registry.timed_changes.pop(name, None)
        _compiled_moment_query.cache_clear()


@pytest.mark.django_db
def test_each_read_puts_in_its_own_now(post):
    from django.db import connection

    assert _compiled_moment_query("post-published", connection.vendor) is not None

    later = factories.make_post(published_at=timezone.now() + timedelta(hours=1))
    before = dict(site_state().moments)["post-published"]
    Post.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    after = dict(site_state().moments)["post-published"]
    assert before == post.published_at
    assert after > before


@pytest.mark.django_db
def test_a_query_that_shifts_now_is_built_every_time(timed_change):
    post = factories.make_post(published_at=timezone.now() - timedelta(hours=1))

    def a_day_before(now):
        return Post.objects.filter(published_at__lte=now - timedelta(days=1)).values(
            "published_at"
        )[:1]

    timed_change("day-old", a_day_before)
    from django.db import connection

    assert _compiled_moment_query("day-old", connection.vendor) is None
    assert dict(site_state().moments)["day-old"] is None  # The post is an hour old.
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(days=2))
    assert dict(site_state().moments)["day-old"] is not None


@pytest.mark.django_db
def test_comments_closing_by_age_is_read_with_the_settings_of_the_moment(settings):
    post = factories.make_post(published_at=timezone.now() - timedelta(hours=1))
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    assert dict(site_state().moments)["comments-closed"] is None
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(days=3))
    closed = dict(site_state().moments)["comments-closed"]
    assert closed is not None
    settings.COMMENTS_CLOSE_AFTER_DAYS = 2
    assert dict(site_state().moments)["comments-closed"] == closed + timedelta(days=1)
