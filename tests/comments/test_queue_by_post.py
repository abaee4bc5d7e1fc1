"""The moderation queue for one post, as the post list's comment counts link to it."""

import pytest
from django.urls import reverse

from tests.factories import make_comment, make_post

QUEUE = reverse("admin:comments_comment_changelist")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.django_db
def test_the_queue_for_one_post_shows_its_comments_and_counts_them(moderator_client):
    busy = make_post(title="A busy post")
    other = make_post(title="Another post")
    mine = [make_comment(post=busy, status="pending", body=f"On busy {n}.") for n in range(2)]
    make_comment(post=busy, status="approved", body="Approved on busy.")
    make_comment(post=other, status="pending", body="On the other post.")

    response = moderator_client.get(QUEUE, {"post": busy.pk})

    page = response.content.decode()
    assert [comment.pk for comment in response.context["cl"].result_list] == [
        comment.pk for comment in reversed(mine)
    ]
    assert "On the other post." not in page
    assert 'Comments on <a href="' + busy.get_absolute_url() + '">A busy post</a>' in page
    # The tabs count this post's comments, not the site's.
    assert "Pending (2)" in page
    assert "Approved (1)" in page
    assert "All (3)" in page


@pytest.mark.django_db
def test_the_queue_for_one_post_links_back_to_every_post(moderator_client):
    post = make_post()
    make_comment(post=post, status="pending")

    page = moderator_client.get(QUEUE, {"post": post.pk, "status": "all"}).content.decode()

    assert '<a href="?status=all">Comments on every post</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-1"])
def test_a_post_that_is_not_one_gives_the_queue_not_an_error(moderator_client, value):
    make_comment(post=make_post(), status="pending")

    response = moderator_client.get(QUEUE, {"post": value})

    assert response.status_code in (200, 302)
