"""A post's comment feed lives under the post's own address, as WordPress puts it."""

import pytest
from django.urls import resolve

from comments.feeds import post_comments_feed_url


@pytest.mark.django_db
def test_a_posts_comment_feed_address_is_the_feed_pattern_under_the_post(post):
    match = resolve(post_comments_feed_url(post))
    assert match.view_name == "comments:post-permalink-feed"
    assert match.kwargs["slug"] == post.slug
    assert match.kwargs["year"] == post.published_at.year
