"""The page cache keeps what did not change: a change renews the pages that show it, and
every other page is still answered from the cache (the cache's own word for it, not a
timing)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments import services
from comments.models import Comment
from tests import factories


def read(url):
    """A first-time anonymous reader's visit: the page every such reader shares."""
    response = Client().get(url)
    assert response.status_code == 200, url
    return response


def from_cache(url) -> bool:
    return getattr(read(url), "served_from_page_cache", False)


def warm(*urls):
    for url in urls:
        read(url)
        assert from_cache(url), url


@pytest.fixture
def site(db):
    """Three published posts a day apart, A the newest and C the oldest, each tagged."""
    now = timezone.now()
    author = factories.make_user(username="writer")
    c = factories.make_post(
        title="Post C", author=author, published_at=now - timedelta(days=3), tags=["cats"]
    )
    b = factories.make_post(
        title="Post B", author=author, published_at=now - timedelta(days=2), tags=["birds"]
    )
    a = factories.make_post(
        title="Post A", author=author, published_at=now - timedelta(days=1), tags=["apes"]
    )
    return {"a": a, "b": b, "c": c}


def tag_url(slug):
    return reverse("blog:tag", args=[slug])


@pytest.mark.django_db
def test_an_approval_renews_its_post_and_the_lists_showing_it_and_nothing_else(site, moderator):
    a, b, c = site["a"], site["b"], site["c"]
    home = reverse("blog:home")
    warm(a.get_absolute_url(), c.get_absolute_url(), home, tag_url("apes"), tag_url("cats"))
    held = factories.make_comment(post=a, body="Worth the wait.", status=Comment.Status.PENDING)

    services.comment_approve(comment=held, actor=moderator)

    assert "Worth the wait." in read(a.get_absolute_url()).content.decode()
    assert "1 comment" in read(home).content.decode()
    assert "1 comment" in read(tag_url("apes")).content.decode()
    # Not showing A's comments: still the stored copies.
    assert from_cache(c.get_absolute_url())
    assert from_cache(tag_url("cats"))
    # B sits next to A, but shows only A's title, which did not change.
    warm(b.get_absolute_url())
    services.comment_unapprove(comment=held, actor=moderator)
    assert from_cache(b.get_absolute_url())
    assert "Worth the wait." not in read(a.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_held_comment_renews_nothing(site):
    a = site["a"]
    warm(a.get_absolute_url(), reverse("blog:home"))
    factories.make_comment(post=a, status=Comment.Status.PENDING)
    assert from_cache(a.get_absolute_url())
    assert from_cache(reverse("blog:home"))


@pytest.mark.django_db
def test_saving_a_draft_renews_nothing(site):
    urls = [site["a"].get_absolute_url(), reverse("blog:home"), reverse("blog:feed-atom")]
    warm(*urls)
    draft = factories.make_post(title="Half written", status=Post.Status.DRAFT)
    draft.body = "More of it."
    draft.save()
    for url in urls:
        assert from_cache(url), url


@pytest.mark.django_db
def test_a_new_post_renews_the_lists_and_the_page_it_now_follows(site):
    a, c = site["a"], site["c"]
    warm(a.get_absolute_url(), c.get_absolute_url(), reverse("blog:home"))

    factories.make_post(title="Post Z, the newest", published_at=timezone.now())

    assert "Post Z, the newest" in read(reverse("blog:home")).content.decode()
    assert "Post Z, the newest" in read(a.get_absolute_url()).content.decode()  # its next link
    assert from_cache(c.get_absolute_url())


@pytest.mark.django_db
def test_a_retitled_post_shows_its_new_title_on_its_neighbours_pages(site):
    a, b, c = site["a"], site["b"], site["c"]
    warm(a.get_absolute_url(), c.get_absolute_url())
    b.title = "Post B, retitled"
    b.save()
    assert "Post B, retitled" in read(a.get_absolute_url()).content.decode()
    assert "Post B, retitled" in read(c.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_unpublishing_a_post_takes_it_off_its_neighbours_pages(site):
    a, b, c = site["a"], site["b"], site["c"]
    warm(a.get_absolute_url(), c.get_absolute_url(), b.get_absolute_url())
    b.status = Post.Status.DRAFT
    b.save()
    assert Client().get(b.get_absolute_url()).status_code == 404
    assert "Post C" in read(a.get_absolute_url()).content.decode()
    assert "Post B" not in read(a.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_post_deleted_in_the_admin_leaves_every_page_that_showed_it(site, admin_client):
    a, b = site["a"], site["b"]
    warm(a.get_absolute_url(), b.get_absolute_url(), reverse("blog:home"))
    response = admin_client.post(reverse("admin:blog_post_delete", args=[b.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Client().get(b.get_absolute_url()).status_code == 404
    assert "Post B" not in read(a.get_absolute_url()).content.decode()
    assert "Post B" not in read(reverse("blog:home")).content.decode()


@pytest.mark.django_db
def test_renaming_a_tag_in_the_admin_renews_every_page(site, admin_client):
    from taggit.models import Tag

    c = site["c"]
    warm(c.get_absolute_url(), reverse("blog:home"))
    tag = Tag.objects.get(slug="cats")
    response = admin_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]),
        {
            "name": "Felines",
            "slug": "cats",
            "taggit_taggeditem_items-TOTAL_FORMS": "0",
            "taggit_taggeditem_items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Felines" in read(c.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_admins_bulk_publish_renews_every_page(site, admin_client):
    a = site["a"]
    warm(a.get_absolute_url(), reverse("blog:home"))
    draft = factories.make_post(
        title="Out at last", status=Post.Status.DRAFT, published_at=timezone.now()
    )
    response = admin_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert "Out at last" in read(reverse("blog:home")).content.decode()
    assert "Out at last" in read(a.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_comment_feeds_follow_their_posts(site, moderator):
    from comments.feeds import post_comments_feed_url

    a, c = site["a"], site["c"]
    feeds = [reverse("comments:feed"), post_comments_feed_url(a), post_comments_feed_url(c)]
    warm(*feeds)
    held = factories.make_comment(post=a, body="Fed through.", status=Comment.Status.PENDING)
    services.comment_approve(comment=held, actor=moderator)
    assert "Fed through." in read(reverse("comments:feed")).content.decode()
    assert "Fed through." in read(post_comments_feed_url(a)).content.decode()
    assert from_cache(post_comments_feed_url(c))


@pytest.mark.django_db
def test_a_page_kept_across_other_changes_still_answers_304(site, moderator):
    c = site["c"]
    url = c.get_absolute_url()
    client = Client()
    first = client.get(url)
    held = factories.make_comment(post=site["a"], status=Comment.Status.PENDING)
    services.comment_approve(comment=held, actor=moderator)

    again = client.get(url, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert getattr(again, "served_from_page_cache", False)


@pytest.mark.django_db
def test_a_scheduled_post_going_live_renews_the_lists_and_the_newest_post(site):
    a, c = site["a"], site["c"]
    scheduled = factories.make_post(
        title="Right on time", published_at=timezone.now() + timedelta(hours=1)
    )
    warm(reverse("blog:home"), a.get_absolute_url(), c.get_absolute_url())
    # Its time comes: what the database holds is a publish date now past, and no save.
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    assert "Right on time" in read(reverse("blog:home")).content.decode()
    assert "Right on time" in read(a.get_absolute_url()).content.decode()
    assert from_cache(c.get_absolute_url())
