"""List pages link to newer and older pages without counting the posts (blog.paging)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Post
from blog.paging import NewerOlderPaginator
from tests.factories import make_post, make_user

PER_PAGE = 3
ORPHANS = 2  # What the views fold into a last page at 3 a page: min(2, per_page - 1).


@pytest.fixture
def per_page(settings):
    """Three posts a page."""
    settings.BLOG_POSTS_PER_PAGE = PER_PAGE
    return PER_PAGE


def newest_first(how_many, **fields):
    """`how_many` posts an hour apart, the first the newest, all on 6 May 2024."""
    start = datetime(2024, 5, 6, 23, tzinfo=UTC)
    return [
        make_post(title=f"Paged post {n}", published_at=start - timedelta(hours=n), **fields)
        for n in range(how_many)
    ]


def pagination_links(response) -> dict[str, str]:
    """The pagination's links by their rel: {"prev": "?page=1", "next": "?page=3"}."""
    assert response.status_code == 200
    nav = re.search(r'<nav class="pagination".*?</nav>', response.content.decode(), re.S)
    if nav is None:
        return {}
    return dict(re.findall(r'rel="(prev|next)" href="([^"]+)"', nav.group()))


def titles(response) -> list[str]:
    """The titles of the posts listed, in their order."""
    return list(dict.fromkeys(re.findall(r"Paged post \d+", response.content.decode())))


def post_count_queries(client, url) -> list[str]:
    """The queries of a request to `url` that count posts."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return [
        query["sql"]
        for query in context.captured_queries
        if "COUNT(" in query["sql"].upper() and 'FROM "blog_post"' in query["sql"]
    ]


@pytest.mark.django_db
def test_newer_and_older_links_appear_exactly_when_there_is_such_a_page(client, per_page):
    newest_first(10)  # Pages of 3, 3 and 4: the last one keeps its orphan.
    home = reverse("blog:home")

    first, second, last = (client.get(home, {"page": n}) for n in (1, 2, 3))

    assert pagination_links(first) == {"next": "?page=2"}
    assert pagination_links(second) == {"prev": "?page=1", "next": "?page=3"}
    assert pagination_links(last) == {"prev": "?page=2"}
    assert "Older posts" not in last.content.decode()
    assert titles(last) == [f"Paged post {n}" for n in range(6, 10)]


@pytest.mark.django_db
def test_pages_say_their_number_but_no_total(client, per_page):
    newest_first(7)

    page = client.get(reverse("blog:home"), {"page": 2}).content.decode()

    assert '<span class="pagination__status">Page 2</span>' in page
    assert " of " not in re.search(r'<nav class="pagination".*?</nav>', page, re.S).group()


@pytest.mark.django_db
def test_a_list_that_fits_on_one_page_has_no_pagination(client, per_page):
    newest_first(PER_PAGE + ORPHANS)  # The orphans join the first page.

    response = client.get(reverse("blog:home"))

    assert len(titles(response)) == PER_PAGE + ORPHANS
    assert 'class="pagination"' not in response.content.decode()


@pytest.mark.django_db
def test_a_page_of_orphans_only_is_404_as_its_posts_are_on_the_page_before(client, per_page):
    newest_first(PER_PAGE + ORPHANS)

    assert client.get(reverse("blog:home"), {"page": 2}).status_code == 404


@pytest.mark.django_db
def test_tag_pages_page_over_their_posts_only(client, per_page):
    newest_first(4, tags=["herons"])
    newest_first(5)

    first = client.get(reverse("blog:tag", args=["herons"]))
    second = client.get(reverse("blog:tag", args=["herons"]), {"page": 2})

    assert pagination_links(first) == {} and len(titles(first)) == 4
    assert second.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["home", "tag", "author", "month archive"])
def test_list_pages_count_no_posts(client, per_page, view):
    """Intended to keep a list page's cost flat: a COUNT(*) reads every post of the list."""
    author = make_user(username="writer")
    newest_first(12, tags=["python"], author=author)
    url = {
        "home": reverse("blog:home"),
        "tag": reverse("blog:tag", args=["python"]),
        "author": reverse("blog:author", args=["writer"]),
        "month archive": reverse("blog:archive-month", args=[2024, 5]),
    }[view]

    assert post_count_queries(client, url) == []
    assert post_count_queries(client, f"{url}?page=2") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        *["abc", "0", "-1", "1.5", "%00", "3", "5", "99999999999999999999"],
        # The first pages whose offset (3 posts a page) is the largest a database takes,
        # and one past it.
        *["3074457345618258603", "3074457345618258604"],
    ],
)
@pytest.mark.parametrize("view", ["home", "tag"])
def test_junk_and_past_the_end_page_numbers_are_404(per_page, view, page):
    newest_first(7, tags=["python"])
    url = reverse("blog:home") if view == "home" else reverse("blog:tag", args=["python"])

    response = Client(raise_request_exception=False).get(f"{url}?page={page}")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_page_last_is_still_the_last_page(client, per_page):
    newest_first(10)

    last = client.get(reverse("blog:home"), {"page": "last"})

    assert titles(last) == [f"Paged post {n}" for n in range(6, 10)]


@pytest.mark.django_db
def test_empty_home_is_a_page_but_empty_tag_and_author_pages_are_404(client, per_page):
    make_post(status=Post.Status.DRAFT, tags=["drafts-only"], author=make_user(username="shy"))

    assert client.get(reverse("blog:home")).status_code == 200
    assert client.get(reverse("blog:tag", args=["drafts-only"])).status_code == 404
    assert client.get(reverse("blog:author", args=["shy"])).status_code == 404


@pytest.mark.django_db
def test_archives_are_404_for_an_empty_period_or_a_page_past_the_end(client, per_page):
    newest_first(7)  # 6 May 2024, from 23:00 back to 17:00.

    assert client.get("/2024/05/06/").status_code == 200
    assert pagination_links(client.get("/2024/05/06/", {"page": 2})) == {"prev": "?page=1"}
    assert client.get("/2024/05/06/?page=3").status_code == 404
    assert client.get("/2024/05/07/").status_code == 404
    assert client.get("/2024/04/").status_code == 404
    assert client.get("/2023/").status_code == 404
    assert client.get("/2024/?page=3").status_code == 404


@pytest.mark.django_db
def test_search_pages_still_page_over_their_matches(client, per_page):
    newest_first(9)  # Pages of 3, 3 and 3.

    second = client.get(reverse("blog:search"), {"q": "paged", "page": 2})

    assert pagination_links(second) == {
        "prev": "?q=paged&amp;page=1",
        "next": "?q=paged&amp;page=3",
    }
    assert "9 posts found" in second.content.decode()


@pytest.mark.django_db
def test_the_paginator_reads_one_page_and_the_row_after_it(django_assert_num_queries):
    """Intended to keep a page one query, whatever the list's length: no count."""
    newest_first(20)
    paginator = NewerOlderPaginator(Post.objects.all(), 5, orphans=2)

    with django_assert_num_queries(1):
        page = paginator.page(2)

    assert [post.title for post in page] == [f"Paged post {n}" for n in range(5, 10)]
    assert page.has_previous() and page.has_next()
    assert (page.start_index(), page.end_index()) == (6, 10)
    assert (page.previous_page_number(), page.next_page_number()) == (1, 3)
