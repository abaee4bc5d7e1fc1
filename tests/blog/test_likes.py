"""Likes: one per browser per post, taken back by pressing again, with and without
JavaScript, limited per address, and renewing the liked post's page alone (blog.likes)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog import likes
from blog.models import Like, Post
from blog.tasks import revisions_prune
from tests import factories

SAME_ORIGIN = {"sec-fetch-site": "same-origin"}
JSON = {**SAME_ORIGIN, "accept": "application/json"}


def browser(address="198.51.100.7"):
    """A new browser, with its own cookies, from `address`; it checks CSRF tokens as a
    real one would have them checked."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)


def press(client, post, *, headers=SAME_ORIGIN, **extra):
    return client.post(reverse("blog:post-like", args=[post.pk]), headers=headers, **extra)


def press_in_place(client, post):
    """A press as likes.js makes it: the same form, asking for JSON."""
    response = press(client, post, headers=JSON)
    return response.status_code, response.json()


def count_of(post) -> int:
    post.refresh_from_db()
    return post.like_count


def read(url):
    """A first-time anonymous reader's visit: the page every such reader shares."""
    response = Client().get(url)
    assert response.status_code == 200, url
    return response


def from_cache(url, client=None) -> bool:
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return getattr(response, "served_from_page_cache", False)


def warm(*urls):
    for url in urls:
        read(url)
        assert from_cache(url), url


@pytest.mark.django_db
def test_a_new_post_invites_the_first_like(post):
    page = read(post.get_absolute_url()).content.decode()
    assert "Be the first to like this" in page
    assert 'aria-pressed="false"' in page
    assert f'action="{reverse("blog:post-like", args=[post.pk])}"' in page


@pytest.mark.django_db
def test_one_like_per_browser_and_pressing_again_takes_it_back(post):
    first, second = browser(), browser("198.51.100.8")

    assert press_in_place(first, post) == (
        200,
        {"liked": True, "count": 1, "count_text": "1 person likes this"},
    )
    assert press_in_place(second, post)[1]["count_text"] == "2 people like this"
    assert press_in_place(first, post) == (
        200,
        {"liked": False, "count": 1, "count_text": "1 person likes this"},
    )
    assert Like.objects.filter(post=post).count() == count_of(post) == 1
    assert "1 person likes this" in read(post.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_without_javascript_the_form_comes_back_to_the_likes_showing_the_new_state(post):
    reader = browser()

    response = press(reader, post)

    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#likes"
    page = reader.get(response["Location"]).content.decode()
    assert "Thank you for liking this post." in page
    assert "1 person likes this" in page
    assert 'aria-pressed="true"' in page and ">Liked<" in page

    page = reader.get(press(reader, post)["Location"]).content.decode()
    assert "Your like is taken back." in page
    assert "Be the first to like this" in page
    assert 'aria-pressed="false"' in page


@pytest.mark.django_db
def test_the_browser_keeps_a_signed_id_and_a_readable_list_of_its_likes(post, link_post):
    reader = browser()
    press(reader, post)
    press(reader, link_post)

    signed = reader.cookies[likes.BROWSER_COOKIE]
    assert signed["httponly"]
    listed = reader.cookies[likes.LIKED_COOKIE]
    assert not listed["httponly"]  # likes.js reads it
    assert listed.value == f"{link_post.pk}.{post.pk}"

    press(reader, link_post)
    assert reader.cookies[likes.LIKED_COOKIE].value == str(post.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["not-signed", "0123456789abcdef0123456789abcdef:forged", ""])
def test_a_forged_browser_cookie_starts_afresh_and_cannot_undo_anothers_like(post, forged):
    owner = browser()
    press(owner, post)
    owner_id = Like.objects.get().browser_id
    forger = browser("198.51.100.9")
    forger.cookies[likes.BROWSER_COOKIE] = forged or f"{owner_id}:aaaa:bbbb"

    status, answer = press_in_place(forger, post)

    assert (status, answer["liked"], answer["count"]) == (200, True, 2)
    assert Like.objects.filter(browser_id=owner_id).exists()
    assert likes.BROWSER_COOKIE in forger.cookies  # a genuine one now


@pytest.mark.django_db
def test_the_per_address_limit_stops_a_script_that_clears_its_cookies(post, settings):
    settings.BLOG_LIKES_RATE_LIMIT = (3, 3600)
    script = "203.0.113.5"
    for _ in range(3):
        assert press_in_place(browser(script), post)[0] == 200

    status, answer = press_in_place(browser(script), post)

    assert status == 429
    assert "at most 3 likes an hour from one address" in answer["error"]
    assert count_of(post) == 3
    # Without JavaScript: back to the post with the same words.
    page = browser(script).post(
        reverse("blog:post-like", args=[post.pk]), headers=SAME_ORIGIN, follow=True
    )
    assert "at most 3 likes an hour" in page.content.decode()
    # Another address is not held back.
    assert press_in_place(browser("198.51.100.20"), post)[1]["count"] == 4


@pytest.mark.django_db
def test_an_ipv6_household_counts_as_one_address(post, settings):
    settings.BLOG_LIKES_RATE_LIMIT = (2, 3600)
    assert press_in_place(browser("2001:db8:1:2::1"), post)[0] == 200
    assert press_in_place(browser("2001:db8:1:2::ffff"), post)[0] == 200
    assert press_in_place(browser("2001:db8:1:2:abcd::9"), post)[0] == 429
    assert press_in_place(browser("2001:db8:1:3::1"), post)[0] == 200


@pytest.mark.django_db
def test_taking_a_like_back_is_allowed_past_the_limit(post, settings):
    settings.BLOG_LIKES_RATE_LIMIT = (1, 3600)
    reader = browser()
    press_in_place(reader, post)
    assert press_in_place(browser(), post)[0] == 429
    assert press_in_place(reader, post) == (
        200,
        {"liked": False, "count": 0, "count_text": "Be the first to like this"},
    )


@pytest.mark.django_db
def test_the_address_is_kept_only_as_a_hash_and_forgotten_after_some_days(post, settings):
    settings.BLOG_LIKES_ADDRESS_DAYS = 7
    press(browser("203.0.113.77"), post)
    like = Like.objects.get()
    assert like.address_hash and "203.0.113.77" not in like.address_hash
    assert len(like.browser_id) == 32
    Like.objects.update(created_at=timezone.now() - timedelta(days=8))

    press(browser("198.51.100.1"), post)  # any later like forgets old addresses

    like.refresh_from_db()
    assert like.address_hash == ""
    assert Like.objects.exclude(address_hash="").count() == 1


@pytest.mark.django_db
def test_the_nightly_job_forgets_old_addresses_when_no_one_likes_any_more(post, settings):
    settings.BLOG_LIKES_ADDRESS_DAYS = 7
    press(browser("203.0.113.77"), post)
    press(browser("203.0.113.78"), post)
    Like.objects.filter(pk=Like.objects.earliest("pk").pk).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )

    revisions_prune.call()

    assert sorted(bool(kept) for kept in Like.objects.values_list("address_hash", flat=True)) == [
        False,
        True,
    ]
    assert count_of(post) == 2  # the likes stay


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {},  # Says nothing of where it comes from, and carries no token.
    ],
)
def test_a_like_from_another_site_is_refused(post, headers):
    response = press(browser(), post, headers=headers)
    assert response.status_code == 403
    assert count_of(post) == 0


@pytest.mark.django_db
def test_an_old_browser_with_the_pages_token_may_like(post):
    reader = browser()
    reader.cookies["sessionid"] = "x"  # a page rendered for this visitor, with a token
    shown = reader.get(post.get_absolute_url())
    page = shown.content.decode()
    like_form = page[page.index('<form class="likes__form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', like_form)[1]
    nonce = re.search(r'likes\.js" nonce="([^"]+)"', like_form)[1]
    assert f"'nonce-{nonce}'" in shown["Content-Security-Policy"]
    response = reader.post(
        reverse("blog:post-like", args=[post.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert count_of(post) == 1


@pytest.mark.django_db
def test_a_signed_in_editor_likes_with_the_token_of_their_page(post, editor):
    reader = browser()
    reader.force_login(editor)
    token = reader.get(post.get_absolute_url()).context["csrf_token"]
    assert press(reader, post, headers=SAME_ORIGIN).status_code == 403
    response = reader.post(
        reverse("blog:post-like", args=[post.pk]),
        {"csrfmiddlewaretoken": str(token)},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert count_of(post) == 1


@pytest.mark.django_db
def test_other_methods_and_addresses_never_fail(post, settings):
    like_url = reverse("blog:post-like", args=[post.pk])
    draft = factories.make_post(status=Post.Status.DRAFT)
    scheduled = factories.make_post(published_at=timezone.now() + timedelta(days=1))
    reader = browser()

    assert reader.get(like_url)["Location"] == f"{post.get_absolute_url()}#likes"
    assert reader.head(like_url).status_code == 302
    for method in (reader.put, reader.delete, reader.patch, reader.options):
        assert method(like_url, headers=SAME_ORIGIN).status_code in (403, 405)
    assert reader.put(like_url, headers=SAME_ORIGIN).status_code == 405
    for missing in (draft.pk, scheduled.pk, 999_999, 2**63, 2**70):
        url = reverse("blog:post-like", args=[missing])
        assert reader.post(url, headers=SAME_ORIGIN).status_code == 404, missing
        assert reader.get(url).status_code == 404, missing
    assert reader.post("/posts/abc/like/", headers=SAME_ORIGIN).status_code == 404
    # Junk in the cookies and the form changes nothing.
    reader.cookies[likes.LIKED_COOKIE] = "1.x.\x7f.99999999999999999999999"
    response = reader.post(like_url, {"liked": "maybe", "x" * 50: "y"}, headers=JSON)
    assert response.status_code == 200
    assert response.json()["liked"] is True
    assert count_of(draft) == count_of(scheduled) == 0


@pytest.mark.django_db
def test_a_like_renews_its_post_page_at_once_and_leaves_every_other_page_cached():
    now = timezone.now()
    author = factories.make_user(username="writer")
    older = factories.make_post(title="Older", author=author, published_at=now - timedelta(days=3))
    liked = factories.make_post(
        title="Liked", author=author, published_at=now - timedelta(days=2), tags=["cats"]
    )
    newer = factories.make_post(title="Newer", author=author, published_at=now - timedelta(days=1))
    others = [
        reverse("blog:home"),
        reverse("blog:tag", args=["cats"]),
        reverse("blog:archive"),
        reverse("blog:archive-year", args=[liked.published_at.year]),
        reverse("blog:feed-atom"),
        reverse("blog:feed-rss"),
        older.get_absolute_url(),  # both neighbours link to the liked post
        newer.get_absolute_url(),
    ]
    warm(liked.get_absolute_url(), *others)
    reader = browser()

    press(reader, liked)

    response = Client().get(liked.get_absolute_url())
    assert not getattr(response, "served_from_page_cache", False)
    assert "1 person likes this" in response.content.decode()
    assert from_cache(liked.get_absolute_url())  # kept again, with the new count
    for url in others:
        assert from_cache(url), url
    # The liker's own cookies do not make pages personal: they still get the shared ones.
    assert from_cache(liked.get_absolute_url(), client=reader_without_messages(reader))
    assert from_cache(older.get_absolute_url(), client=reader_without_messages(reader))


def reader_without_messages(reader):
    """The same browser once the flash message was shown."""
    client = Client()
    for name in (likes.BROWSER_COOKIE, likes.LIKED_COOKIE):
        client.cookies[name] = reader.cookies[name].value
    return client


@pytest.mark.django_db
def test_the_shared_page_shows_everyone_the_neutral_button(post):
    reader = browser()
    press(reader, post)
    response = reader_without_messages(reader).get(post.get_absolute_url())
    page = response.content.decode()
    assert 'aria-pressed="false"' in page  # likes.js marks it from the cookie
    assert "1 person likes this" in page
    assert '<script src="/static/js/likes.js" defer>' in page  # no nonce: the policy allows it


@pytest.mark.django_db
def test_likes_add_no_query_to_the_post_page(post):
    """Intended to prevent a count query per page: the count is read with the post."""

    def queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert Client().get(post.get_absolute_url()).status_code == 200
        return len(context.captured_queries)

    before = queries()
    for number in range(20):
        press(browser(f"198.51.100.{number + 1}"), post)
    assert queries() == before


@pytest.mark.django_db
def test_a_drafts_preview_has_no_like_button(staff_client):
    draft = factories.make_post(status=Post.Status.DRAFT)
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "Draft preview." in page
    assert "likes__button" not in page


@pytest.fixture
def burst(post, link_post):
    """Five likes of `post` from one address, two of it from others, one of `link_post`
    from the burst's address."""
    for _ in range(5):
        press(browser("203.0.113.66"), post)
    for number in (1, 2):
        press(browser(f"198.51.100.{number}"), post)
    press(browser("203.0.113.66"), link_post)
    return likes.address_hash("203.0.113.66")


@pytest.mark.django_db
def test_the_post_list_in_the_admin_shows_each_posts_likes(post, burst, editor):
    client = Client()
    client.force_login(editor)
    page = client.get(reverse("admin:blog_post_changelist")).content.decode()
    assert f"?post__id__exact={post.pk}" in page and ">7 likes</a>" in page
    change = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert ">7 likes</a>" in change


@pytest.mark.django_db
def test_a_moderator_removes_a_burst_from_one_address(post, link_post, burst, moderator):
    client = Client()
    client.force_login(moderator)
    likes_url = reverse("admin:blog_like_changelist")
    listing = client.get(likes_url).content.decode()
    assert f"?address={burst}" in listing  # the busiest address, first among the filters
    assert "(6)" in listing
    warm(post.get_absolute_url(), link_post.get_absolute_url(), reverse("blog:home"))
    one = Like.objects.filter(post=post, address_hash=burst).first()

    response = client.post(
        likes_url,
        {"action": "remove_from_addresses", "_selected_action": [one.pk]},
        follow=True,
    )

    assert "6 likes from those addresses removed." in response.content.decode()
    assert (count_of(post), count_of(link_post)) == (2, 0)
    assert not Like.objects.filter(address_hash=burst).exists()
    assert "2 people like this" in read(post.get_absolute_url()).content.decode()
    assert "Be the first to like this" in read(link_post.get_absolute_url()).content.decode()
    assert from_cache(reverse("blog:home"))


@pytest.mark.django_db
def test_removing_selected_likes_in_the_admin_keeps_the_count_right(post, burst, moderator):
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:blog_like_changelist")
    filtered = client.get(url, {"address": burst, "post__id__exact": post.pk})
    assert filtered.context["cl"].result_count == 5
    chosen = list(Like.objects.filter(post=post, address_hash=burst).values_list("pk", flat=True))

    client.post(url, {"action": "remove_likes", "_selected_action": chosen[:2]})
    assert count_of(post) == 5
    one = Like.objects.filter(post=post).first()
    client.post(reverse("admin:blog_like_delete", args=[one.pk]), {"post": "yes"})
    assert count_of(post) == 4
    actions = dict(client.get(url).context["action_form"].fields["action"].choices)
    assert "remove_likes" in actions
    assert "delete_selected" not in actions  # it would leave the counts wrong


@pytest.mark.django_db
def test_the_privacy_page_says_what_a_like_keeps_and_for_how_long(client, settings):
    settings.BLOG_LIKES_ADDRESS_DAYS = 5
    page = client.get(reverse("comments:privacy")).content.decode()
    assert "Liking a post needs no account" in page
    assert "deleted after 5 days" in page
    assert "liked_posts" in page


def test_the_count_reads_as_jetpack_says_it():
    assert likes.count_text(0) == "Be the first to like this"
    assert likes.count_text(1) == "1 person likes this"
    assert likes.count_text(1234) == "1,234 people like this"


@pytest.mark.django_db
def test_users_are_not_needed_to_like(post):
    press(browser(), post)
    assert User.objects.count() == 1  # the post's author alone


@pytest.mark.django_db
def test_a_like_costs_a_few_queries_however_many_likes_the_post_has(post):
    """Intended to keep a press cheap: ten queries (the post; its lock, the like's
    delete or the address's count and the insert, the recount and its update, the old
    addresses forgotten, the page stamp's two), and the test's savepoint around them;
    none grows with the post's likes."""

    def queries_of_a_press(address):
        with CaptureQueriesContext(connection) as context:
            assert press(browser(address), post).status_code == 302
        return [query["sql"] for query in context.captured_queries]

    first = queries_of_a_press("198.51.100.1")
    for number in range(2, 30):
        press(browser(f"198.51.100.{number}"), post)
    assert len(queries_of_a_press("198.51.100.99")) == len(first) <= 12, first


@pytest.mark.django_db
def test_an_editors_save_keeps_the_likes_given_since_the_post_was_read(post):
    opened_in_the_admin = Post.objects.get(pk=post.pk)
    press(browser(), post)

    opened_in_the_admin.title = "A better title"
    opened_in_the_admin.save()

    assert count_of(post) == 1
    assert post.title == "A better title"
