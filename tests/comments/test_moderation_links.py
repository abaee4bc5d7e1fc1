"""The Approve, Spam and Trash links in a moderator's email: signed, expiring, and
acting only when the moderator presses the confirmation page's button."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse

from comments import email_links, services
from comments.models import Comment, CommentEvent
from tests import factories
from tests.comments.conftest import post_comment

Kind = CommentEvent.Kind
LINK = re.compile(r"http://\S+")
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def held(post):
    """A held comment, with its history."""
    comment = factories.make_comment(post=post, status="pending", body="Held for a look.")
    CommentEvent.objects.create(comment=comment, kind=Kind.SUBMITTED)
    return comment


def link_path(comment, moderator, action):
    token = email_links.link_token(comment_id=comment.pk, user_id=moderator.pk, action=action)
    return reverse("comments:moderate", args=[token])


def state(comment):
    comment.refresh_from_db()
    return comment.status, list(comment.events.values_list("kind", flat=True))


@pytest.mark.django_db(transaction=True)
def test_opening_every_link_in_the_email_changes_nothing(client, post, moderator, run_worker):
    """What a mail scanner does: it follows every link, and presses nothing."""
    post_comment(client, post, body="Scanned, not moderated.")
    run_worker()
    comment = Comment.objects.get()
    before = state(comment)
    [message] = mail.outbox
    links = LINK.findall(message.body)
    assert len([link for link in links if "/comments/moderate/" in link]) == 3

    scanner = type(client)()
    for link in links:
        scanner.get(link.removeprefix("http://127.0.0.1:8000"))

    assert state(comment) == before


@pytest.mark.django_db
def test_a_link_shows_the_comment_and_one_button(client, held, moderator):
    response = client.get(link_path(held, moderator, "mark_spam"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Mark this comment as spam?" in page
    assert "Held for a look." in page
    assert page.count('type="submit"') == 2  # The site's search, and this one.
    assert ">Mark as spam</button>" in page
    assert moderator.get_username() in page
    assert "noindex" in page
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pressing_the_button_acts_once_as_the_moderator_from_the_email(client, held, moderator):
    path = link_path(held, moderator, "approve")

    response = client.post(path, **SAME_ORIGIN)

    assert response.status_code == 302
    status, kinds = state(held)
    assert (status, kinds[-1]) == ("approved", Kind.APPROVED)
    event = held.events.get(kind=Kind.APPROVED)
    assert (event.actor, event.detail) == (moderator, "From the email")
    page = client.get(response["Location"]).content.decode()
    assert "Approved. Thank you." in page
    assert "This comment is approved" in page
    assert f"by {moderator.get_username()}" in page and "from the email" in page
    assert "Nothing was changed" not in page

    again = client.post(path, **SAME_ORIGIN)

    assert again.status_code == 409
    assert "already been handled: nothing was changed" in again.content.decode()
    assert state(held) == (status, kinds)


@pytest.mark.django_db
def test_a_link_to_a_comment_handled_since_says_so(client, held, moderator):
    services.comment_trash(comment=held, actor=moderator)

    response = client.get(link_path(held, moderator, "approve"))

    page = response.content.decode()
    assert "This comment is trash" in page
    assert "Moved to trash by morgan" in page
    assert "Nothing was changed by this link." in page
    assert "<button" not in page.split("</header>", 2)[-1]


@pytest.mark.django_db
def test_a_changed_link_is_refused_clearly(client, held, moderator):
    token = email_links.link_token(comment_id=held.pk, user_id=moderator.pk, action="trash")
    payload, stamp, signature = token.split(":")
    # The trash link's signature, on an approve link for the same comment.
    approve = email_links.link_token(comment_id=held.pk, user_id=moderator.pk, action="approve")
    forged = [
        f"{approve.split(':')[0]}:{stamp}:{signature}",
        f"{payload}:{stamp}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        token[:20],
    ]

    for bad in forged:
        path = reverse("comments:moderate", args=[bad])
        for response in (client.get(path), client.post(path, **SAME_ORIGIN)):
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
            assert "changed or cut short" in response.content.decode()
    assert state(held)[0] == "pending"


@pytest.mark.django_db
def test_an_expired_link_says_so_and_changes_nothing(client, held, moderator, monkeypatch):
    made = time.time() - timedelta(days=8).total_seconds()  # The default lasts seven.
    monkeypatch.setattr(signing.time, "time", lambda: made)
    path = link_path(held, moderator, "approve")
    monkeypatch.undo()

    for response in (client.get(path), client.post(path, **SAME_ORIGIN)):
        page = response.content.decode()
        assert response.status_code == 410
        assert "This link has expired" in page
        assert "work for 7 days" in page
        assert held.admin_url in page
    assert state(held)[0] == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"is_active": False}, {"is_staff": False}])
def test_a_link_of_a_moderator_who_can_no_longer_moderate_is_refused(
    client, held, moderator, change
):
    path = link_path(held, moderator, "approve")
    for name, value in change.items():
        setattr(moderator, name, value)
    moderator.save()

    response = client.post(path, **SAME_ORIGIN)

    assert response.status_code == 403
    assert "which can no longer moderate comments" in response.content.decode()
    assert "Held for a look." not in response.content.decode()
    assert state(held)[0] == "pending"


@pytest.mark.django_db
def test_a_link_to_a_deleted_comment_says_so(client, held, moderator):
    path = link_path(held, moderator, "trash")
    held.delete()

    response = client.get(path)

    assert response.status_code == 404
    assert "This comment no longer exists" in response.content.decode()


@pytest.mark.django_db
def test_a_press_sent_from_another_site_is_refused(client, held, moderator):
    response = client.post(link_path(held, moderator, "approve"), HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 403
    assert state(held)[0] == "pending"


@pytest.mark.django_db(transaction=True)
def test_links_are_signed_for_the_account_with_a_listed_address(
    client, post, moderator, settings, run_worker
):
    settings.COMMENTS_MODERATOR_EMAILS = [moderator.email.upper(), "nobody@example.com"]
    post_comment(client, post)
    run_worker()

    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "/comments/moderate/" in by_address[moderator.email.upper()]
    assert "/comments/moderate/" not in by_address["nobody@example.com"]
    links = [
        email_links.link_read(link.split("/comments/moderate/")[1].strip("/"))
        for link in LINK.findall(by_address[moderator.email.upper()])
        if "/comments/moderate/" in link
    ]
    assert {(link.user_id, link.action) for link in links} == {
        (moderator.pk, "approve"),
        (moderator.pk, "mark_spam"),
        (moderator.pk, "trash"),
    }
