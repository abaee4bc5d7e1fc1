"""The comment section most readers see is rendered once and kept: each reader still
gets their own CSRF token and CSP nonce in it, and a change to the thread shows at once."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from comments import services
from comments.models import Comment
from tests import factories

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
NONCE = re.compile(r'<script src="[^"]*comments\.js" nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def pages_rendered_for_each_reader(settings):
    settings.PAGE_CACHE = False


def own_page(client, post):
    """The page of a reader who could not share the page every anonymous reader gets: one
    with a session (begun by an earlier visit, nothing of theirs in it)."""
    session = SessionStore()
    session["seen"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.get(post.get_absolute_url())  # The first visit sets the CSRF cookie.
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_each_reader_gets_their_own_token_and_nonce_in_the_kept_section(post):
    factories.make_comment(post=post, body="Kept for all.")
    first, second = own_page(Client(), post), own_page(Client(), post)
    tokens = set()
    for response in (first, second):
        page = response.content.decode()
        assert "Kept for all." in page
        tokens.add(CSRF_INPUT.search(page)[1])
        nonce = NONCE.search(page)[1]
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert "kept-fragment-" not in page  # No stand-in left behind.
    assert "" not in tokens and len(tokens) == 2


@pytest.mark.django_db
def test_a_reader_who_could_share_the_page_gets_it_as_the_page_cache_would_keep_it(post):
    """No token, as in the page every anonymous reader shares: the browser's word that the
    form is the site's own lets it through (core/cross_origin.py)."""
    factories.make_comment(post=post, body="Kept for all.")
    client = Client(enforce_csrf_checks=True)

    page = client.get(post.get_absolute_url())

    assert CSRF_INPUT.search(page.content.decode())[1] == ""
    assert settings.CSRF_COOKIE_NAME not in page.cookies
    sent = client.post(
        f"/comments/post/{post.pk}/",
        {"author_name": "Ada", "author_email": "ada@example.com", "body": "No token needed."},
        headers={"sec-fetch-site": "same-origin"},
        REMOTE_ADDR="203.0.113.78",
    )
    assert sent.status_code == 302
    assert Comment.objects.filter(body="No token needed.").exists()


@pytest.mark.django_db
def test_the_token_in_the_kept_section_is_accepted(post):
    client = Client(enforce_csrf_checks=True)
    page = own_page(client, post).content.decode()
    response = client.post(
        f"/comments/post/{post.pk}/",
        {
            "csrfmiddlewaretoken": CSRF_INPUT.search(page)[1],
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "body": "Posted through the kept form.",
        },
        REMOTE_ADDR="203.0.113.77",
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted through the kept form.").exists()


@pytest.mark.django_db
def test_an_approval_shows_at_once_in_the_kept_section(post, moderator):
    client = Client()
    own_page(client, post)
    held = factories.make_comment(post=post, body="Approved since.", status="pending")
    services.comment_approve(comment=held, actor=moderator)
    assert "Approved since." in own_page(client, post).content.decode()


@pytest.mark.django_db
def test_a_reader_with_a_remembered_name_gets_a_section_of_their_own(post):
    client = Client()
    client.cookies["comment_author"] = "Ada"
    page = own_page(client, post).content.decode()
    assert 'value="Ada"' in page
    assert 'value="Ada"' not in own_page(Client(), post).content.decode()
