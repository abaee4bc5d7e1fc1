"""Invisible and direction-changing characters never reach a commenter's name or links."""

import pytest
from pytest_django.asserts import assertContains

from comments.forms import CommentForm
from comments.models import Comment
from tests.comments.conftest import form_data, post_comment

HIDDEN = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
}


@pytest.mark.parametrize("character", HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_characters_are_stripped_from_the_name(character):
    form = CommentForm(form_data(author_name=f"ad{character}min {character}Alice"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["author_name"] == "admin Alice"


def test_a_name_made_only_of_hidden_characters_is_refused():
    form = CommentForm(form_data(author_name="\u200b\u202e \u2066"))

    assert not form.is_valid()
    assert form.errors["author_name"] == ["Please enter your name."]


def test_hidden_characters_are_stripped_from_the_email_and_website():
    form = CommentForm(
        form_data(
            author_email="reader@exa\u200bmple.com",
            author_url="https://example.org/\u202egnp.exe",
        )
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["author_email"] == "reader@example.com"
    assert form.cleaned_data["author_url"] == "https://example.org/gnp.exe"


@pytest.mark.django_db
def test_a_spoofed_name_is_stored_and_shown_clean(client, post):
    response = post_comment(client, post, author_name="Moder\u200bator \u202eeman")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author_name == "Moderator eman"
    comment.status = Comment.Status.APPROVED
    comment.save()
    page = client.get(post.get_absolute_url())
    assertContains(page, "Moderator eman")
    assert "\u202e" not in page.text and "\u200b" not in page.text
