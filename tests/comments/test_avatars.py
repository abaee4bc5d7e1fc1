"""The picture beside each comment (comments/avatars.py) and the mark on replies by the
post's author or staff."""

import hashlib
import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories

AVATAR = re.compile(r'<img class="comment-avatar" src="([^"]+)" width="40" height="40" alt=""')


def avatar_of(html: str, comment) -> str:
    """The avatar address of `comment` on the page."""
    start = html.index(f'id="comment-{comment.pk}"')
    return AVATAR.search(html, start).group(1)


def page_of(post) -> str:
    return Client().get(post.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_each_email_gets_its_own_generated_avatar(post):
    first = factories.make_comment(post=post, author_email="Ada@Example.com")
    again = factories.make_comment(post=post, author_email="ada@example.com ")
    other = factories.make_comment(post=post, author_email="grace@example.com")

    html = page_of(post)

    assert avatar_of(html, first) == avatar_of(html, again)
    assert avatar_of(html, first) != avatar_of(html, other)
    assert re.fullmatch(r"/comments/avatars/[0-9a-f]{32}\.svg", avatar_of(html, first))


@pytest.mark.django_db
def test_the_avatar_address_does_not_reveal_the_email(post):
    comment = factories.make_comment(post=post, author_email="ada@example.com")

    html = page_of(post)

    src = avatar_of(html, comment)
    for digest in (hashlib.md5, hashlib.sha256):
        assert digest(b"ada@example.com").hexdigest()[:32] not in src
    assert "ada@example.com" not in html


@pytest.mark.django_db
def test_generated_avatars_make_no_outside_request(post):
    factories.make_comment(post=post)
    factories.make_comment(post=post, author_email="")

    html = page_of(post)

    sources = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") and not src.startswith("//") for src in sources)
    assert "gravatar" not in html


@pytest.mark.django_db
def test_the_generated_avatar_is_an_svg_kept_for_a_year(client, post):
    comment = factories.make_comment(post=post)
    src = avatar_of(page_of(post), comment)

    response = client.get(src)
    again = client.get(src)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content.startswith(b"<svg ")
    assert again.content == response.content


@pytest.mark.django_db
def test_a_malformed_avatar_address_is_not_found(client):
    assert client.get("/comments/avatars/not-a-digest.svg").status_code == 404


@pytest.mark.django_db
def test_a_comment_without_email_gets_the_neutral_avatar(post):
    imported = factories.make_comment(post=post, author_email="")

    src = avatar_of(page_of(post), imported)

    assert src.endswith("img/avatar-neutral.svg")


@pytest.mark.django_db
def test_gravatar_mode_asks_gravatar_for_the_emails_sha256(post, settings):
    settings.COMMENTS_AVATARS = "gravatar"
    comment = factories.make_comment(post=post, author_email=" Ada@Example.com")
    no_email = factories.make_comment(post=post, author_email="")

    html = page_of(post)

    digest = hashlib.sha256(b"ada@example.com").hexdigest()
    expected = f"https://www.gravatar.com/avatar/{digest}?s=80&amp;d=identicon"
    assert avatar_of(html, comment) == expected
    assert 'loading="lazy"' in html
    assert avatar_of(html, no_email).endswith("img/avatar-neutral.svg")


@pytest.mark.django_db
def test_privacy_page_says_the_hash_goes_to_gravatar_only_in_gravatar_mode(client, settings):
    assertNotContains(client.get("/privacy/"), "readers’ browsers ask Gravatar")
    assertContains(client.get("/privacy/"), "nothing is sent to any other service")

    settings.COMMENTS_AVATARS = "gravatar"

    assertContains(client.get("/privacy/"), "readers’ browsers ask Gravatar")


@pytest.mark.django_db
def test_replies_by_the_posts_author_and_by_staff_carry_the_author_mark(post, editor):
    question = factories.make_comment(post=post, author_name="Reader")
    by_author = factories.make_comment(post=post, parent=question, user=post.author)
    by_staff = factories.make_comment(post=post, parent=question, user=editor)
    impostor = factories.make_comment(post=post, author_name=post.author.username)

    html = page_of(post)

    def marked(comment):
        start = html.index(f'id="comment-{comment.pk}"')
        meta = html[start : html.index("</footer>", start)]
        return '<span class="comment-author-mark">Author</span>' in meta

    assert marked(by_author)
    assert marked(by_staff)
    assert not marked(question)
    assert not marked(impostor)


@pytest.mark.django_db
def test_each_comments_date_links_to_its_permalink(post):
    comment = factories.make_comment(post=post)

    html = page_of(post)

    assert f'<a class="comment-permalink" href="#comment-{comment.pk}"><time ' in html
