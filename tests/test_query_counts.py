"""The number of SQL queries a page costs does not grow with the data behind it.

Each test measures a page with a little data and again with much more, and pins both
the equality and the ceiling the performance issue sets (8 queries).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.feeds import post_comments_feed_url
from tests import factories

MAX_QUERIES = 8


def queries_for(client, url) -> int:
    """The queries of `url` rendered: nothing kept from an earlier request serves it."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def add_posts(author, how_many, *, tags):
    posts = [factories.make_post(author=author, tags=tags) for _ in range(how_many)]
    # Vary the tags so prefetching has many rows to join, not the same few.
    for number, post in enumerate(posts):
        post.tags.add(f"extra-{number}")
    return posts


LIST_PAGES = {
    "home": lambda post: reverse("blog:home"),
    "tag": lambda post: reverse("blog:tag", args=["python"]),
    "author": lambda post: reverse("blog:author", args=[post.author.username]),
    "year archive": lambda post: reverse("blog:archive-year", args=[post.published_at.year]),
    "month archive": lambda post: reverse(
        "blog:archive-month", args=[post.published_at.year, post.published_at.month]
    ),
    "archive": lambda post: reverse("blog:archive"),
    "search": lambda post: reverse("blog:search") + "?q=commentary",
    "atom feed": lambda post: reverse("blog:feed-atom"),
    "tag feed": lambda post: reverse("blog:tag-feed-atom", args=["python"]),
    "day archive": lambda post: reverse(
        "blog:archive-day", args=timezone.localdate(post.published_at).timetuple()[:3]
    ),
    "rss feed": lambda post: reverse("blog:feed-rss"),
    "tag rss feed": lambda post: reverse("blog:tag-feed-rss", args=["python"]),
    "site comment feed": lambda post: reverse("comments:feed"),
    "post comment feed": lambda post: post_comments_feed_url(post),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_pages_cost_the_same_queries_for_3_posts_or_40(client, page):
    author = factories.make_user(username="writer")
    few = add_posts(author, 3, tags=["python", "web"])
    url = LIST_PAGES[page](few[0])
    with_few = queries_for(client, url)

    add_posts(author, 37, tags=["python", "web", "django"])
    with_many = queries_for(client, url)

    assert with_many == with_few
    assert with_many <= MAX_QUERIES


@pytest.mark.django_db
def test_post_page_costs_the_same_queries_for_1_comment_or_300(client, post):
    factories.make_comment(post=post)
    with_one = queries_for(client, post.get_absolute_url())

    parent = None
    for number in range(299):
        # Threads of replies as well as top-level comments.
        comment = factories.make_comment(post=post, parent=parent)
        parent = comment if number % 5 else None
    with_many = queries_for(client, post.get_absolute_url())

    assert with_many == with_one
    assert with_many <= MAX_QUERIES


@pytest.mark.django_db
def test_post_page_costs_the_same_queries_for_1_tag_or_20(client, post):
    post.tags.add("first")
    with_one = queries_for(client, post.get_absolute_url())
    post.tags.add(*(f"tag-{number}" for number in range(19)))
    with_many = queries_for(client, post.get_absolute_url())

    assert with_many == with_one
    assert with_many <= MAX_QUERIES


@pytest.mark.django_db
def test_post_page_with_an_uncached_thread_stays_within_the_limit(client, post):
    for _ in range(50):
        factories.make_comment(post=post)
    cache.clear()
    assert queries_for(client, post.get_absolute_url()) <= MAX_QUERIES


@pytest.mark.django_db
def test_a_not_modified_answer_costs_one_query(client, post):
    client.get(post.get_absolute_url())  # The first visit sets the CSRF cookie.
    first = client.get(post.get_absolute_url())
    with CaptureQueriesContext(connection) as context:
        again = client.get(post.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert len(context.captured_queries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("feed", ["site", "post"])
def test_comment_feeds_cost_the_same_queries_for_3_comments_or_60(client, post, feed):
    """Intended to prevent an n+1 issue: every entry links to its post."""
    others = [factories.make_post() for _ in range(3)]
    url = reverse("comments:feed") if feed == "site" else post_comments_feed_url(post)
    for other in [post, *others]:
        factories.make_comment(post=other)
    with_few = queries_for(client, url)

    for number in range(56):
        factories.make_comment(post=[post, *others][number % 4])
    with_many = queries_for(client, url)

    assert with_many == with_few
    assert with_many <= MAX_QUERIES
