"""The shared page cache for anonymous readers: one page for all of them, with no
visitor's CSRF token or CSP nonce in it, and never out of date."""

import gzip
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment
from comments.views import CONFIRM_MESSAGE
from tests import factories

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def read(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def comment_form(number, **fields):
    return {
        "author_name": f"Reader {number}",
        "author_email": f"reader{number}@example.com",
        "body": f"Posted from the shared page, {number}.",
        **fields,
    }


@pytest.fixture
def busy_post(post):
    for _ in range(30):
        factories.make_comment(post=post)
    return post


@pytest.mark.django_db
def test_the_second_reader_gets_the_page_from_the_cache(busy_post):
    url = busy_post.get_absolute_url()
    _first, rendering = read(Client(), url)
    second, from_cache = read(Client(), url)

    assert from_cache == 1  # When the site last changed: nothing else.
    assert rendering > from_cache
    assert second.content.count(b'class="comment ') == 30


@pytest.mark.django_db
def test_the_shared_page_carries_no_token_and_no_nonce(busy_post):
    url = busy_post.get_absolute_url()
    for response in (read(Client(), url)[0], read(Client(), url)[0]):
        page = response.content.decode()
        assert CSRF_INPUT.search(page)[1] == ""
        assert "nonce=" not in page
        assert "nonce-" not in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_readers_own_page_gets_their_token_and_a_nonce_their_policy_names(busy_post):
    returning = Client()
    returning.cookies["comment_author"] = "Ada"
    response, _queries = read(returning, busy_post.get_absolute_url())
    page = response.content.decode()
    assert CSRF_INPUT.search(page)[1]
    (nonce,) = set(re.findall(r'nonce="([^"]+)"', page))
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_form_on_a_shared_page_posts_in_one_press_from_a_current_browser(busy_post):
    """A current browser says the POST comes from this site (Fetch Metadata): the shared
    page's form, which carries no token, is taken at once, with or without JavaScript."""
    url = busy_post.get_absolute_url()
    read(Client(), url)
    reader = Client(enforce_csrf_checks=True)
    page = read(reader, url)[0].content.decode()
    assert CSRF_INPUT.search(page)[1] == ""

    response = reader.post(
        reverse("comments:post-comment", args=[busy_post.pk]),
        comment_form(1, csrfmiddlewaretoken=""),
        headers={"sec-fetch-site": "same-origin"},
        REMOTE_ADDR="198.51.100.1",
    )

    assert response.status_code == 302
    assert Comment.objects.filter(author_email="reader1@example.com").count() == 1


@pytest.mark.django_db
def test_a_client_that_says_nothing_of_its_origin_gets_the_form_back_with_a_token(busy_post):
    """No Sec-Fetch-Site and no Origin (an old or unusual client): Django's token check,
    and the form comes back filled in, with a token, so the next press sends it."""
    url = busy_post.get_absolute_url()
    read(Client(), url)
    reader = Client(enforce_csrf_checks=True)
    read(reader, url)
    post_url = reverse("comments:post-comment", args=[busy_post.pk])

    first = reader.post(post_url, comment_form(2), REMOTE_ADDR="198.51.100.2")

    assert first.status_code == 403
    page = first.content.decode()
    assert CONFIRM_MESSAGE in page
    assert "Posted from the shared page, 2." in page
    assert not Comment.objects.filter(author_email="reader2@example.com").exists()
    token = CSRF_INPUT.search(page)[1]
    assert token

    second = reader.post(
        post_url, comment_form(2, csrfmiddlewaretoken=token), REMOTE_ADDR="198.51.100.2"
    )

    assert second.status_code == 302
    assert Comment.objects.filter(author_email="reader2@example.com").count() == 1


@pytest.mark.django_db
def test_a_post_from_another_site_gets_the_plain_refusal(busy_post):
    reader = Client(enforce_csrf_checks=True)
    response = reader.post(
        reverse("comments:post-comment", args=[busy_post.pk]),
        comment_form(3),
        headers={"origin": "https://elsewhere.example"},
    )
    assert response.status_code == 403
    assert "Posted from the shared page" not in response.content.decode()
    assert not Comment.objects.filter(author_email="reader3@example.com").exists()


@pytest.mark.django_db
def test_the_cached_page_goes_out_gzipped_to_browsers_that_accept_it(busy_post):
    url = busy_post.get_absolute_url()
    plain, _queries = read(Client(), url)
    zipped, _queries = read(Client(), url, accept_encoding="gzip, deflate, br")

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]


@pytest.mark.django_db
def test_the_page_stored_as_it_is_rendered_goes_out_compressed_once(busy_post):
    url = busy_post.get_absolute_url()
    first, _queries = read(Client(), url, accept_encoding="gzip")
    second, _queries = read(Client(), url, accept_encoding="gzip")

    assert not getattr(first, "served_from_page_cache", False)
    assert getattr(second, "served_from_page_cache", False)
    # The very bytes kept for the cache: GZipMiddleware left them alone.
    assert first.content == second.content
    assert first["Content-Encoding"] == "gzip"
    assert int(first["Content-Length"]) == len(first.content)
    assert b'class="comment ' in gzip.decompress(first.content)


@pytest.mark.django_db
def test_a_comment_approved_since_shows_to_the_next_reader(busy_post, moderator):
    url = busy_post.get_absolute_url()
    read(Client(), url)
    held = factories.make_comment(post=busy_post, status=Comment.Status.PENDING, body="Late.")
    services.comment_approve(comment=held, actor=moderator)

    response, _queries = read(Client(), url)

    assert "Late." in response.content.decode()


@pytest.mark.django_db
def test_a_returning_commenter_gets_their_own_name_in_the_form(busy_post):
    url = busy_post.get_absolute_url()
    read(Client(), url)
    returning = Client()
    returning.cookies["comment_author"] = "Ada%20Lovelace"

    response, queries = read(returning, url)

    assert 'value="Ada Lovelace"' in response.content.decode()
    assert queries > 1


@pytest.mark.django_db
def test_a_reply_form_is_never_served_from_the_cache(busy_post):
    parent = busy_post.comments.first()
    url = f"{busy_post.get_absolute_url()}?replytocom={parent.pk}"
    read(Client(), url)
    response, queries = read(Client(), url)
    assert queries > 1
    assert f'name="parent" value="{parent.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_search_results_are_not_kept(post):
    url = reverse("blog:search") + "?q=commentary"
    read(Client(), url)
    _response, queries = read(Client(), url)
    assert queries > 1
