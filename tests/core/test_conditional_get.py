"""Conditional GET: a browser that already holds the current page gets a 304, and
anything a reader would see change gives the page new validators."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments import services
from comments.models import Comment
from tests import factories
from tests.comments.conftest import post_comment


def visit(client, url):
    """A returning reader: the first visit sets the CSRF cookie, the second is kept."""
    client.get(url)
    return client.get(url)


def revalidate(client, url, response):
    return client.get(url, headers={"if-none-match": response["ETag"]})


@pytest.mark.django_db
def test_an_unchanged_page_answers_304_with_no_body(client, post):
    url = post.get_absolute_url()
    first = visit(client, url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]

    again = revalidate(client, url, first)

    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_if_modified_since_alone_also_answers_304(client, post):
    first = visit(client, reverse("blog:home"))
    again = client.get(reverse("blog:home"), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


@pytest.mark.django_db
def test_pages_are_private_and_always_revalidated(client, post):
    response = visit(client, post.get_absolute_url())
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["blog:home", "blog:archive", "blog:feed-atom", "blog:feed-rss"]
)
def test_list_pages_and_feeds_are_conditional(client, post, url_name):
    first = visit(client, reverse(url_name))
    assert revalidate(client, reverse(url_name), first).status_code == 304


@pytest.mark.django_db
def test_publishing_a_post_changes_the_home_page(client, post):
    home = reverse("blog:home")
    first = visit(client, home)
    factories.make_post(title="Fresh news")
    again = revalidate(client, home, first)
    assert again.status_code == 200
    assert "Fresh news" in again.content.decode()


@pytest.mark.django_db
def test_editing_a_post_changes_its_page(client, post):
    url = post.get_absolute_url()
    first = visit(client, url)
    post.body = "An edited paragraph."
    post.save()
    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert "An edited paragraph." in again.content.decode()


@pytest.mark.django_db
def test_unpublishing_from_the_admin_changes_the_home_page(client, post, editor):
    home = reverse("blog:home")
    first = visit(client, home)
    editor_client = type(client)()
    editor_client.force_login(editor)
    editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "unpublish", "_selected_action": [post.pk]},
    )
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT

    again = revalidate(client, home, first)
    assert again.status_code == 200
    assert post.title not in again.content.decode()


@pytest.mark.django_db
def test_a_scheduled_post_appears_when_its_time_comes(client, post):
    home = reverse("blog:home")
    scheduled = factories.make_post(
        title="Tomorrow's piece", published_at=timezone.now() + timedelta(days=1)
    )
    first = visit(client, home)
    assert "Tomorrow&#x27;s piece" not in first.content.decode()

    # Time passing: no save, so no signal. update() stands in for the clock.
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    again = revalidate(client, home, first)
    assert again.status_code == 200
    assert "Tomorrow&#x27;s piece" in again.content.decode()


@pytest.mark.django_db
def test_approving_a_comment_changes_the_post_page(client, post, moderator):
    held = factories.make_comment(post=post, status=Comment.Status.PENDING, body="Held back.")
    url = post.get_absolute_url()
    first = visit(client, url)
    assert "Held back." not in first.content.decode()

    services.comment_approve(comment=held, actor=moderator)

    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert "Held back." in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("take_down", ["comment_mark_spam", "comment_trash", "comment_unapprove"])
def test_taking_down_an_approved_comment_changes_the_post_page(client, post, moderator, take_down):
    shown = factories.make_comment(post=post, body="Visible for now.")
    url = post.get_absolute_url()
    first = visit(client, url)
    assert "Visible for now." in first.content.decode()

    getattr(services, take_down)(comment=Comment.objects.get(pk=shown.pk), actor=moderator)

    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert "Visible for now." not in again.content.decode()


@pytest.mark.django_db
def test_deleting_an_approved_comment_changes_the_post_page(client, post, admin_client):
    shown = factories.make_comment(post=post, body="Soon deleted.")
    url = post.get_absolute_url()
    first = visit(client, url)
    deleted = admin_client.post(
        reverse("admin:comments_comment_delete", args=[shown.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert "Soon deleted." not in again.content.decode()


@pytest.mark.django_db
def test_someone_elses_held_comment_leaves_the_page_unchanged(client, post):
    url = post.get_absolute_url()
    first = visit(client, url)
    post_comment(type(client)(), post, body="Waiting in the queue.")
    assert Comment.objects.pending().count() == 1
    assert revalidate(client, url, first).status_code == 304


@pytest.mark.django_db
def test_a_visitor_with_a_held_comment_always_gets_a_fresh_page(client, post):
    url = post.get_absolute_url()
    visit(client, url)
    post_comment(client, post, body="My own words.")

    response = client.get(url)

    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "My own words." in response.content.decode()


@pytest.mark.django_db
def test_a_logged_in_reader_always_gets_a_fresh_page(client, post, editor):
    client.force_login(editor)
    response = visit(client, post.get_absolute_url())
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")


@pytest.mark.django_db
def test_a_new_csrf_cookie_means_a_new_page_when_the_form_holds_a_token(client, post):
    """A returning commenter's page carries a token from their CSRF cookie: a copy made
    under another cookie would fail when submitted, so it must not be reused."""
    client.cookies["comment_author"] = "Ada"
    url = post.get_absolute_url()
    first = visit(client, url)
    client.cookies["csrftoken"] = "x" * 32
    assert revalidate(client, url, first).status_code == 200


@pytest.mark.django_db
def test_remembered_author_cookies_give_a_page_of_their_own(client, post):
    url = post.get_absolute_url()
    first = visit(client, url)
    client.cookies["comment_author"] = "Ada"
    again = revalidate(client, url, first)
    assert again.status_code == 200
    assert 'value="Ada"' in again.content.decode()
