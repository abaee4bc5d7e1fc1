"""The comment section most readers see is rendered once and kept: each reader still
gets their own CSRF token and CSP nonce in it, and a change to the thread shows at once."""

import re

import pytest
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
        assert "comment-section-" not in page  # No stand-in left behind.
    assert "" not in tokens and len(tokens) == 2


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
