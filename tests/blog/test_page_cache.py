"""The page cache for anonymous readers: each visitor still gets their own CSRF token
and CSP nonce, and no one sees a page that is out of date."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests import factories

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def read(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


@pytest.fixture
def busy_post(post):
    for _ in range(30):
        factories.make_comment(post=post)
    return post


@pytest.mark.django_db
def test_the_second_reader_gets_the_page_from_the_cache(busy_post):
    url = busy_post.get_absolute_url()
    first, rendering = read(Client(), url)
    second, from_cache = read(Client(), url)

    assert from_cache == 1  # When the site last changed: nothing else.
    assert rendering > from_cache
    assert second.content.count(b'class="comment ') == 30


@pytest.mark.django_db
def test_each_reader_gets_a_working_token_of_their_own(busy_post):
    url = busy_post.get_absolute_url()
    read(Client(), url)  # Fills the cache.
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = [CSRF_VALUE.search(read(reader, url)[0].content.decode())[1] for reader in readers]

    assert tokens[0] != tokens[1]
    assert not any("page-cache" in token for token in tokens)
    for number, (reader, token) in enumerate(zip(readers, tokens, strict=True)):
        response = reader.post(
            reverse("comments:post-comment", args=[busy_post.pk]),
            {
                "author_name": f"Reader {number}",
                "author_email": f"reader{number}@example.com",
                "body": f"Posted from a cached page, {number}.",
                "csrfmiddlewaretoken": token,
            },
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
        assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.django_db
def test_each_reader_gets_the_nonce_their_policy_names(busy_post):
    url = busy_post.get_absolute_url()
    read(Client(), url)
    nonces = []
    for _ in range(2):
        response, _queries = read(Client(), url)
        page_nonces = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
        assert len(page_nonces) == 1
        (nonce,) = page_nonces
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


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
