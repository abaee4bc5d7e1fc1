"""Cached pages and validators hang on the release and the page-shaping settings, and on
moments that pass with no write; a cached page still checks the request's host."""

import os
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from core import registry
from core.pagecache import SharedPageCacheMiddleware, mark_personal, public_page, release
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_release_id():
    """Each test computes the release identifier from its own settings."""
    release._release_id_once.cache_clear()
    yield
    release._release_id_once.cache_clear()


def etag_of(url, **headers):
    response = Client().get(url, headers=headers)
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.django_db
def test_the_same_release_gives_the_same_etag_in_another_process(post, settings):
    """Two servers of one release share validators: the identifier is computed from the
    code's contents, so a fresh computation (another process) agrees."""
    url = post.get_absolute_url()
    first = etag_of(url)
    release._release_id_once.cache_clear()

    assert etag_of(url) == first


@pytest.mark.django_db
def test_a_new_release_serves_a_fresh_page(post, settings):
    url = post.get_absolute_url()
    settings.RELEASE = "release-1"
    old = etag_of(url)
    etag_of(url)  # Now in the cache.

    settings.RELEASE = "release-2"
    release._release_id_once.cache_clear()
    response = Client().get(url, headers={"if-none-match": old})

    assert response.status_code == 200
    assert response["ETag"] != old


@pytest.mark.django_db
def test_a_changed_page_setting_serves_fresh_pages(post, settings):
    url = post.get_absolute_url()
    Client().get(url)
    assert b"Marginalia" in Client().get(url).content  # Served from the cache.

    settings.SITE_NAME = "Renamed Notes"
    release._release_id_once.cache_clear()

    assert b"Renamed Notes" in Client().get(url).content


def test_the_code_hash_follows_contents_not_file_times(settings):
    template = settings.BASE_DIR / "templates" / "robots.txt"
    before = release.code_hash()
    stat = template.stat()
    try:
        os.utime(template, (stat.st_atime, stat.st_mtime + 3600))
        assert release.code_hash() == before
    finally:
        os.utime(template, (stat.st_atime, stat.st_mtime))


def test_the_apps_register_what_shapes_their_pages():
    assert {"BLOG_POSTS_PER_PAGE", "COMMENTS_THREAD_DEPTH", "spam_checking"} <= set(
        registry.page_settings
    )


@pytest.mark.django_db
def test_a_cached_page_refuses_a_host_outside_allowed_hosts(post):
    url = post.get_absolute_url()
    Client().get(url)
    assert Client().get(url).status_code == 200  # Cached now.

    response = Client().get(url, headers={"host": "evil.example"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_each_allowed_host_gets_its_own_cached_page(post, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.testserver"]
    url = post.get_absolute_url()
    Client().get(url)

    assert Client().get(url, headers={"host": "www.testserver"}).status_code == 200


@pytest.mark.django_db
def test_the_form_leaves_a_cached_page_when_comments_close_by_age(settings):
    """Nothing is written when a post passes COMMENTS_CLOSE_AFTER_DAYS: the site's state
    knows the moment, so the cached page with the form stops being served then."""
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    release._release_id_once.cache_clear()
    closes_in = timedelta(seconds=1.5)
    post = factories.make_post(published_at=timezone.now() - timedelta(days=1) + closes_in)
    url = post.get_absolute_url()
    assert b'id="commentform"' in Client().get(url).content
    assert b'id="commentform"' in Client().get(url).content  # From the cache.

    time.sleep(closes_in.total_seconds() + 0.2)
    page = Client().get(url).content

    assert b'id="commentform"' not in page
    assert b"Comments are closed" in page


@pytest.mark.django_db
def test_a_page_made_personal_is_never_shared(rf, post):
    rendered = []

    @public_page
    def view(request):
        rendered.append(request)
        return mark_personal(HttpResponse("Hello, you"))

    middleware = SharedPageCacheMiddleware(view)
    for _ in range(2):
        request = rf.get("/personal/")
        request.user = AnonymousUser()
        middleware(request)

    assert len(rendered) == 2
