"""Comment pages, as WordPress has them: a page of top-level threads at a time, each with
all its replies, links between the pages, and permalinks that name their page."""

import re

import pytest
from django.db import OperationalError, connection, models
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from core.pagecache.policy import is_shared_page_request
from tests import factories
from tests.comments.conftest import post_comment
from tests.test_query_counts import MAX_QUERIES, queries_for

# " comments", after "Older" and "Newer": hidden on a phone, where the words would wrap.
NOUN = '<span class="comment-pages__noun"> comments</span>'


@pytest.fixture
def two_per_page(settings):
    """Two top-level threads a page, so a few comments make several pages."""
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_ORDER = "oldest"


def make_threads(post, how_many):
    """`how_many` top-level comments, oldest first, each with a reply and a reply to that."""
    threads = []
    for _ in range(how_many):
        top = factories.make_comment(post=post)
        reply = factories.make_comment(post=post, parent=top)
        threads.append([top, reply, factories.make_comment(post=post, parent=reply)])
    return threads


def shown_ids(response) -> list[int]:
    """The comments on the page, in the order they appear."""
    return [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', response.content.decode())]


def page_url(post, page):
    return f"{post.get_absolute_url()}?comments={page}"


@pytest.mark.django_db
def test_pages_split_by_top_level_thread_and_keep_each_reply_with_its_thread(
    client, post, two_per_page
):
    threads = make_threads(post, 5)

    pages = [shown_ids(client.get(page_url(post, number))) for number in (1, 2, 3)]

    assert shown_ids(client.get(post.get_absolute_url())) == pages[0]
    flat = [[comment.pk for comment in thread] for thread in threads]
    assert pages == [flat[0] + flat[1], flat[2] + flat[3], flat[4]]


@pytest.mark.django_db
def test_newest_order_puts_the_latest_threads_first_with_replies_oldest_first(
    client, post, two_per_page, settings
):
    settings.COMMENTS_ORDER = "newest"
    threads = make_threads(post, 3)
    late_reply = factories.make_comment(post=post, parent=threads[0][0])

    first, second = (shown_ids(client.get(page_url(post, number))) for number in (1, 2))

    newest, middle, oldest = threads[2], threads[1], threads[0]
    assert first == [comment.pk for comment in newest + middle]
    top, reply, reply_to_reply = oldest
    assert second == [top.pk, reply.pk, reply_to_reply.pk, late_reply.pk]
    assert late_reply.get_absolute_url() == f"{page_url(post, 2)}#comment-{late_reply.pk}"


@pytest.mark.django_db
def test_no_limit_shows_every_thread_on_the_one_page(client, post, settings):
    settings.COMMENTS_PER_PAGE = 0
    threads = make_threads(post, 60)

    page = client.get(post.get_absolute_url())

    assert len(shown_ids(page)) == 180
    assertNotContains(page, "comment-pages")
    last = threads[-1][-1]
    assert last.get_absolute_url() == f"{post.get_absolute_url()}#comment-{last.pk}"
    assert client.get(page_url(post, 2)).status_code == 404


@pytest.mark.django_db
def test_page_links_show_only_when_there_is_more_than_one_page(client, post, two_per_page):
    make_threads(post, 2)
    assertNotContains(client.get(post.get_absolute_url()), 'class="pagination comment-pages"')

    other = factories.make_post()
    make_threads(other, 5)
    first = client.get(other.get_absolute_url()).content.decode()
    middle = client.get(page_url(other, 2)).content.decode()

    # Above and below the thread, each with its own name.
    assert first.count('class="pagination comment-pages"') == 2
    assert 'aria-label="Comment pages"' in first
    assert 'aria-label="Comment pages, after the comments"' in first
    assert f'rel="next" href="{page_url(other, 2)}#comments">Newer{NOUN} →</a>' in first
    assert 'rel="prev"' not in first
    assert '<span class="comment-pages__number" aria-current="page">1</span>' in first
    assert f'href="{page_url(other, 3)}#comments" aria-label="Comment page 3">3</a>' in first
    # Page 1 is the post's own address.
    assert f'rel="prev" href="{other.get_absolute_url()}#comments">← Older{NOUN}</a>' in middle
    assert '<span class="comment-pages__number" aria-current="page">2</span>' in middle


@pytest.mark.django_db
def test_a_replys_permalink_names_the_page_that_shows_it(client, post, two_per_page):
    threads = make_threads(post, 5)
    deep_reply = threads[4][2]  # A reply to a reply, in the fifth thread: page 3.
    on_first_page = threads[1][1]

    url = deep_reply.get_absolute_url()

    assert url == f"{post.get_absolute_url()}?comments=3#comment-{deep_reply.pk}"
    assertContains(client.get(url), f'id="comment-{deep_reply.pk}"')
    assert on_first_page.get_absolute_url() == (
        f"{post.get_absolute_url()}#comment-{on_first_page.pk}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("order", "depth"), [("oldest", 5), ("newest", 5), ("oldest", 1)])
def test_every_permalink_leads_to_a_page_that_shows_its_comment(
    client, post, two_per_page, settings, order, depth
):
    """Permalinks find their page in SQL, the thread in Python: both must agree, also for
    a reply whose parent was taken down (it opens a thread of its own), an imported reply
    dated before its parent, and a flat thread (depth 1: every comment is a thread)."""
    settings.COMMENTS_ORDER, settings.COMMENTS_THREAD_DEPTH = order, depth
    threads = make_threads(post, 4)
    trashed = factories.make_comment(post=post, parent=threads[0][0])
    factories.make_comment(post=post, parent=trashed)
    Comment.objects.filter(pk=trashed.pk).update(status=Comment.Status.TRASH)
    early = factories.make_comment(post=post, parent=threads[1][2])
    Comment.objects.filter(pk=early.pk).update(created_at=threads[0][0].created_at)
    make_threads(post, 2)

    shown = set()
    for comment in Comment.objects.approved().filter(post=post).select_related("post"):
        url = comment.get_absolute_url()
        assert f'id="comment-{comment.pk}"' in client.get(url).content.decode(), url
        shown.add(url.partition("#")[0])
    assert len(shown) > 1


@pytest.mark.django_db
def test_after_posting_a_reply_its_author_lands_on_the_page_that_holds_it(
    client, post, two_per_page
):
    threads = make_threads(post, 5)

    response = post_comment(client, post, parent=threads[4][1].pk, body="Held, on page 3.")

    reply = Comment.objects.get(body="Held, on page 3.")
    assert reply.status == Comment.Status.PENDING
    assert response["Location"] == f"{page_url(post, 3)}#comment-{reply.pk}"
    page = client.get(response["Location"])
    assertContains(page, f'id="comment-{reply.pk}"')
    assertContains(page, "Held, on page 3.")
    assertNotContains(client.get(post.get_absolute_url()), "Held, on page 3.")


@pytest.mark.django_db
def test_a_held_top_level_comment_shows_its_author_at_the_end_of_the_discussion(
    client, post, two_per_page
):
    make_threads(post, 4)

    response = post_comment(client, post, body="A new thread, held.")

    comment = Comment.objects.get(body="A new thread, held.")
    assert response["Location"] == f"{page_url(post, 2)}#comment-{comment.pk}"
    last_page = shown_ids(client.get(response["Location"]))
    assert last_page[-1] == comment.pk
    assert comment.pk not in shown_ids(client.get(post.get_absolute_url()))


@pytest.mark.django_db
def test_a_no_script_reply_link_opens_the_page_that_holds_the_comment(client, post, two_per_page):
    threads = make_threads(post, 5)
    target = threads[4][0]

    page = client.get(f"{post.get_absolute_url()}?replytocom={target.pk}")

    assertContains(page, f'id="comment-{target.pk}"')
    assertContains(page, f'name="parent" value="{target.pk}"')
    assertContains(page, f'href="{page_url(post, 3)}#respond">Cancel reply</a>')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["", "0", "-1", "4", "01", "1.5", "two", "٣", "9" * 30, "1e3", " 2"]
)
def test_a_page_number_that_is_not_a_page_is_not_found(client, post, two_per_page, value):
    make_threads(post, 5)

    response = client.get(post.get_absolute_url(), {"comments": value})

    assert response.status_code == 404


@pytest.mark.django_db
def test_page_one_exists_even_without_comments(client, post, two_per_page):
    assert client.get(page_url(post, 1)).status_code == 200
    assert client.get(page_url(post, 2)).status_code == 404


@pytest.mark.django_db
def test_the_cached_thread_follows_the_order(client, post, two_per_page, settings):
    threads = make_threads(post, 3)
    # A reply form's address is never a shared page: what it shows is the thread cache's.
    url = f"{post.get_absolute_url()}?replytocom=0"

    oldest_first = shown_ids(client.get(url))
    settings.COMMENTS_ORDER = "newest"
    newest_first = shown_ids(client.get(url))

    assert oldest_first[0] == threads[0][0].pk
    assert newest_first[0] == threads[2][0].pk


def test_comment_pages_are_shared_pages_like_post_lists(settings):
    settings.PAGE_CACHE = True
    request = RequestFactory().get("/2024/05/06/a-post/", {"comments": "2"})
    assert is_shared_page_request(request)


@pytest.mark.django_db
def test_a_later_page_costs_the_queries_of_the_first(client, post, two_per_page):
    """Intended to prevent an n+1 issue: any page of the thread is the thread's two
    queries, however many comments and pages it has."""
    make_threads(post, 100)

    first = queries_for(client, post.get_absolute_url())
    later = queries_for(client, page_url(post, 37))

    assert later == first
    assert later <= MAX_QUERIES


@pytest.mark.django_db
def test_a_permalink_costs_one_query(post, two_per_page, django_assert_num_queries):
    threads = make_threads(post, 5)
    reply = Comment.objects.select_related("post").get(pk=threads[3][2].pk)

    with django_assert_num_queries(1):
        assert "?comments=2#" in reply.get_absolute_url()


@pytest.mark.django_db
def test_permalinks_of_comments_fetched_together_cost_one_query(two_per_page):
    """Intended to prevent an n+1 issue: the feeds and the queue list many comments, of
    many posts, and link to each."""
    posts = [factories.make_post() for _ in range(4)]
    for post in posts:
        make_threads(post, 3)
    comments = Comment.objects.select_related("post").fetch_mode(models.FETCH_PEERS)

    with CaptureQueriesContext(connection) as queries:
        urls = [comment.get_absolute_url() for comment in comments]

    assert len(queries.captured_queries) == 2  # The comments, and their pages.
    assert sum("?comments=2#" in url for url in urls) == 4 * 3


@pytest.mark.django_db
def test_a_stored_comment_is_confirmed_even_when_its_page_cannot_be_found(
    client, post, two_per_page, monkeypatch
):
    def database_gone(comment):
        raise OperationalError("the database went away")

    monkeypatch.setattr(Comment, "thread_page", property(database_gone))

    response = post_comment(client, post, body="Kept, whatever its page.")

    comment = Comment.objects.get(body="Kept, whatever its page.")
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.django_db
def test_a_feed_entry_links_to_the_comments_page_and_keeps_its_id(client, post, two_per_page):
    threads = make_threads(post, 3)
    last = threads[2][2]

    feed = client.get(f"{post.get_absolute_url()}feed/").content.decode()

    assert f'href="http://testserver{page_url(post, 2)}#comment-{last.pk}"' in feed
    assert f"<id>http://testserver{post.get_absolute_url()}#comment-{last.pk}</id>" in feed


@pytest.mark.django_db
def test_the_queue_links_approved_comments_to_their_pages_in_one_query(
    client, moderator, two_per_page
):
    """Intended to prevent an n+1 issue: each row of the queue links to its comment."""
    client.force_login(moderator)
    approved_tab = reverse("admin:comments_comment_changelist") + "?status=approved"
    post = factories.make_post()
    make_threads(post, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(approved_tab)
    threads = make_threads(post, 10)

    with CaptureQueriesContext(connection) as many:
        page = client.get(approved_tab).content.decode()

    assert len(many.captured_queries) == len(few.captured_queries)
    assert f'href="{page_url(post, 6)}#comment-{threads[-1][-1].pk}"' in page  # 11th thread.


@pytest.mark.django_db
def test_wordpress_comment_page_addresses_move_to_the_page_here(client, post):
    published = timezone.localtime(post.published_at)
    old = f"{published:/%Y/%m/%d}/{post.slug}/comment-page-2/"

    moved = client.get(old)

    assert moved.status_code == 301
    assert moved["Location"] == f"{post.get_absolute_url()}?comments=2#comments"
    assert client.get(old.replace("comment-page-2", "comment-page-1"))["Location"] == (
        f"{post.get_absolute_url()}#comments"
    )
    assert client.get(old.replace("comment-page-2", "comment-page-0")).status_code == 404
