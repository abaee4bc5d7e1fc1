"""Redirects from old addresses: kept free of chains and loops, answered only where the
site has no page, and added by posts that move."""

from datetime import timedelta

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.middleware import RedirectFallbackMiddleware
from core.models import Redirect
from core.redirects import add_redirect
from tests import factories
from tests.blog.test_revisions import edit


@pytest.fixture
def draft(db):
    """An unpublished draft."""
    return factories.make_post(title="A secret draft", slug="a-secret-draft", status="draft")


@pytest.fixture
def scheduled_post(db):
    """A published post whose date is three days away."""
    return factories.make_post(slug="not-yet", published_at=timezone.now() + timedelta(days=3))


def redirects():
    return dict(Redirect.objects.values_list("old_path", "new_path"))


@pytest.mark.django_db
def test_a_page_that_moves_again_takes_its_older_addresses_along():
    add_redirect("/a/", "/b/")
    add_redirect("/b/", "/c/")

    assert redirects() == {"/a/": "/c/", "/b/": "/c/"}


@pytest.mark.django_db
def test_moving_a_page_back_does_not_loop():
    add_redirect("/a/", "/b/")
    add_redirect("/b/", "/a/")

    assert redirects() == {"/b/": "/a/"}


@pytest.mark.django_db
def test_a_redirect_to_the_same_address_is_not_added():
    assert add_redirect("/a/", "/a/") is None
    assert redirects() == {}


@pytest.mark.django_db
def test_adding_the_same_old_address_again_points_it_at_the_new_place():
    add_redirect("/a/", "/b/")
    add_redirect("/a/", "/c/")

    assert redirects() == {"/a/": "/c/"}


@pytest.mark.django_db
def test_a_missing_page_that_moved_answers_301_with_its_query_string(client):
    add_redirect("/old-place/", "/new-place/")

    response = client.get("/old-place/?utm_source=feed&page=2")

    assert response.status_code == 301
    assert response["Location"] == "/new-place/?utm_source=feed&page=2"
    assert client.head("/old-place/").status_code == 301


@pytest.mark.django_db
def test_a_page_that_exists_is_served_whatever_the_redirects_say(client, post):
    add_redirect(post.get_absolute_url(), "/elsewhere/")

    assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_post_to_an_old_address_is_not_redirected(client):
    add_redirect("/old-place/", "/new-place/")

    assert client.post("/old-place/", {"a": "b"}).status_code == 404


@pytest.mark.django_db
def test_a_found_page_costs_no_query_and_a_missing_one_costs_one(django_assert_num_queries):
    """The redirects are read only for a 404, with one query on the unique old address."""
    add_redirect("/old-place/", "/new-place/")
    request = RequestFactory().get("/old-place/")

    with django_assert_num_queries(0):
        found = RedirectFallbackMiddleware(lambda request: HttpResponse("Here."))(request)
    with django_assert_num_queries(1):
        moved = RedirectFallbackMiddleware(lambda request: HttpResponseNotFound())(request)

    assert found.status_code == 200
    assert (moved.status_code, moved["Location"]) == (301, "/new-place/")


@pytest.mark.django_db
def test_a_redirect_added_by_hand_in_the_admin_breaks_the_loop_it_would_make(admin_client):
    add_redirect("/a/", "/b/")

    response = admin_client.post(
        reverse("admin:core_redirect_add"), {"old_path": "/b/", "new_path": "/a/"}
    )

    assert response.status_code == 302
    assert redirects() == {"/b/": "/a/"}


@pytest.mark.django_db
def test_the_admin_refuses_a_redirect_to_itself_or_off_the_site(admin_client):
    url = reverse("admin:core_redirect_add")

    to_itself = admin_client.post(url, {"old_path": "/a/", "new_path": "/a/"})
    off_site = admin_client.post(url, {"old_path": "https://example.org/a/", "new_path": "/a/"})

    assert "new_path" in to_itself.context["adminform"].form.errors
    assert "old_path" in off_site.context["adminform"].form.errors
    assert redirects() == {}


# Posts that move
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_posts_old_address_leads_to_its_new_slug(admin_client, post):
    old_address = post.get_absolute_url()

    edit(admin_client, post, slug="a-clearer-slug")

    response = Client().get(old_address)
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert post.get_absolute_url().endswith("/a-clearer-slug/")
    assert Client().get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_published_post_moved_to_another_day_and_back_answers_at_both(post):
    first_address = post.get_absolute_url()
    post.published_at -= timedelta(days=3)
    post.save()
    second_address = post.get_absolute_url()
    post.published_at += timedelta(days=3)
    post.save()

    assert redirects() == {second_address: first_address}
    assert Client().get(first_address).status_code == 200
    assert Client().get(second_address)["Location"] == first_address


@pytest.mark.django_db
def test_a_drafts_new_slug_records_no_redirect(admin_client, draft):
    edit(admin_client, draft, slug="still-a-draft")

    assert redirects() == {}


@pytest.mark.django_db
def test_a_scheduled_posts_new_slug_records_no_redirect(scheduled_post):
    scheduled_post.slug = "later-still"
    scheduled_post.save()

    assert redirects() == {}


@pytest.mark.django_db
def test_a_save_that_keeps_the_address_records_nothing(post):
    post.title = "A new title, the same address"
    post.save()
    post.comments_open = False
    post.save(update_fields=["comments_open"])

    assert redirects() == {}
