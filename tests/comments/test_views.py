"""The comment form on the post page and the POST view, as a visitor meets them."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from tests import factories
from tests.comments.conftest import next_ip, post_comment

AWAITING = "Your comment is awaiting moderation."


@pytest.mark.django_db
def test_comment_redirects_to_the_post_with_the_awaiting_moderation_notice(client, post):
    response = post_comment(client, post, body="First!")

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response["Location"])
    assertContains(page, AWAITING)
    assertContains(page, f'id="comment-{comment.pk}"')
    assertContains(page, "First!")


@pytest.mark.django_db
def test_visitor_sees_own_pending_comment_and_others_do_not(client, post):
    post_comment(client, post, body="Mine, awaiting a moderator.")

    assertContains(client.get(post.get_absolute_url()), "Mine, awaiting a moderator.")
    stranger = client.__class__()
    assertNotContains(stranger.get(post.get_absolute_url()), "Mine, awaiting a moderator.")


@pytest.mark.django_db
def test_approved_comments_show_to_everyone(client, post):
    factories.make_comment(post=post, body="Visible to all.")
    factories.make_comment(post=post, body="Caught spam.", status=Comment.Status.SPAM)
    factories.make_comment(post=post, body="Still held.", status=Comment.Status.PENDING)

    page = client.get(post.get_absolute_url())

    assertContains(page, "Visible to all.")
    assertContains(page, "1 comment on")
    assertNotContains(page, "Caught spam.")
    assertNotContains(page, "Still held.")


@pytest.mark.django_db
def test_honeypot_comment_gets_the_same_neutral_notice(client, post):
    response = post_comment(client, post, fax_number="call me")

    assert Comment.objects.get().status == Comment.Status.SPAM
    assertContains(client.get(response["Location"]), AWAITING)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"author_name": ""}, "This field is required."),
        ({"author_email": ""}, "This field is required."),
        ({"author_email": "not-an-email"}, "Enter a valid email address."),
        (
            {"author_url": "javascript:alert(1)"},
            "Enter a web address starting with http:// or https://",
        ),
        (
            {"author_url": "ftp://files.example.com/"},
            "Enter a web address starting with http:// or https://",
        ),
        ({"body": "   "}, "This field is required."),
        ({"author_name": "n" * 246}, "at most 245 characters"),
        ({"author_email": "e" * 95 + "@example.com"}, "at most 100 characters"),
        ({"author_url": "https://example.com/" + "u" * 190}, "at most 200 characters"),
    ],
)
def test_invalid_form_shows_what_is_wrong_and_keeps_the_text(client, post, fields, message):
    body = fields.get("body", "Words worth keeping.")
    response = post_comment(client, post, **{"body": "Words worth keeping.", **fields})

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    if body.strip():
        assertContains(response, body, status_code=400)
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_body_over_wordpress_limit_is_refused_with_the_text_kept(client, post):
    response = post_comment(client, post, body="x" * 65526)

    assertContains(response, "at most 65525 characters", status_code=400)
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_body_at_wordpress_limit_is_accepted(client, post):
    response = post_comment(client, post, body="x" * 65525)

    assert response.status_code == 302
    assert Comment.objects.get().body == "x" * 65525


@pytest.mark.django_db
def test_flood_refusal_is_a_clear_message_with_the_text_kept(client, post):
    ip = next_ip()
    post_comment(client, post, ip=ip)

    response = post_comment(client, post, ip=ip, body="Second thought, too soon.")

    assertContains(response, "too quickly", status_code=429)
    assertContains(response, "Second thought, too soon.", status_code=429)


@pytest.mark.django_db
def test_flood_refusal_says_how_many_seconds_to_wait(client, post, settings):
    settings.COMMENTS_FLOOD_SECONDS = 15
    ip = next_ip()
    post_comment(client, post, ip=ip)

    response = post_comment(client, post, ip=ip, body="Too soon again.")

    page = response.content.decode()
    wait = int(re.search(r"Please wait (\d+) seconds? and try again", page)[1])
    assert 1 <= wait <= 15


@pytest.mark.django_db
def test_duplicate_refusal_is_a_clear_message(client, post):
    post_comment(client, post, author_email="dup@example.com", author_name="D", body="Echo")
    Comment.objects.update(created_at=Comment.objects.get().created_at.replace(year=2020))

    response = post_comment(
        client, post, author_email="dup@example.com", author_name="D", body="Echo"
    )

    assertContains(response, "Duplicate comment detected", status_code=409)


@pytest.mark.django_db
def test_reply_to_pending_comment_is_refused_with_the_text_kept(client, post):
    pending = factories.make_comment(post=post, status=Comment.Status.PENDING)

    response = post_comment(client, post, parent=pending.pk, body="My reply.")

    assertContains(response, "not available", status_code=400)
    assertContains(response, "My reply.", status_code=400)


@pytest.mark.django_db
def test_closed_post_shows_no_form_and_refuses_comments(client, post):
    post.comments_open = False
    post.save()

    assertContains(client.get(post.get_absolute_url()), "Comments are closed.")
    assertNotContains(client.get(post.get_absolute_url()), 'id="commentform"')
    response = post_comment(client, post, body="Let me in.")
    assertContains(response, "Comments are closed", status_code=403)
    assertContains(response, "Let me in.", status_code=403)


@pytest.mark.django_db
def test_get_on_the_comment_url_goes_to_the_posts_comment_form(client, post):
    """A reload of the page a failed POST showed, whose address is the POST's."""
    response = client.get(reverse("comments:post-comment", args=[post.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#respond"


@pytest.mark.django_db
def test_comment_on_a_missing_or_draft_post_is_not_found(client):
    draft = factories.make_post(status="draft")

    assert post_comment(client, draft).status_code == 404
    response = client.post(reverse("comments:post-comment", args=[999999]), {})
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"parent": "abc"},
        {"parent": "-1"},
        {"parent": "99999999999999999999999999"},
        {"parent": "999999"},
        {"body": "nul \x00 byte"},
        {"author_name": "\x00"},
        {"author_url": "http://[::1"},
        {"author_url": "https://" + "a" * 5000 + ".com"},
        {"author_email": "a@" + "b" * 300 + ".com"},
        {"body": "😀 ünïcode ‮ right-to-left"},
        {"remember": "maybe"},
        {"fax_number": "x" * 5000},
    ],
)
def test_garbage_posts_never_cause_a_server_error(client, post, fields):
    data = {"author_name": "G", "author_email": "g@example.com", "body": "Hello"}
    data.update(fields)
    if not fields:
        data = {}

    response = client.post(
        reverse("comments:post-comment", args=[post.pk]), data, REMOTE_ADDR=next_ip()
    )

    assert response.status_code in {302, 400}


@pytest.mark.django_db
def test_list_values_and_missing_headers_never_cause_a_server_error(client, post):
    response = client.post(
        reverse("comments:post-comment", args=[post.pk]),
        {"author_name": ["a", "b"], "author_email": "x@example.com", "body": ["one", "two"]},
        REMOTE_ADDR="not-an-ip",
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.ip_address is None


@pytest.mark.django_db
def test_body_is_escaped_and_links_get_nofollow_ugc(client, post):
    factories.make_comment(
        post=post,
        body="<script>alert(1)</script> see https://example.com/page",
        author_url="https://author.example",
    )

    page = client.get(post.get_absolute_url())

    assertNotContains(page, "<script>alert(1)</script>")
    assertContains(page, "&lt;script&gt;")
    assertContains(page, 'href="https://example.com/page" rel="nofollow ugc noopener"')
    assertContains(page, 'href="https://author.example" rel="nofollow ugc noopener"')


@pytest.mark.django_db
def test_remember_me_saves_the_author_in_cookies_that_fill_the_form(client, post):
    post_comment(
        client,
        post,
        author_name="Rémy Ô",
        author_email="remy@example.com",
        author_url="https://remy.example",
        remember="on",
    )

    assert client.cookies["comment_author_email"]["httponly"]
    page = client.get(post.get_absolute_url())
    assertContains(page, 'value="Rémy Ô"')
    assertContains(page, 'value="remy@example.com"')
    assertContains(page, 'value="https://remy.example"')


@pytest.mark.django_db
def test_without_remember_me_no_author_cookies_are_kept(client, post):
    client.cookies["comment_author"] = "Old Name"

    response = post_comment(client, post, author_name="New Name")

    assert response.cookies["comment_author"].value == ""
    assertNotContains(client.get(post.get_absolute_url()), 'value="New Name"')


@pytest.mark.django_db
def test_reply_link_without_javascript_sets_up_the_form(client, post):
    parent = factories.make_comment(post=post, author_name="Parent Person")

    page = client.get(f"{post.get_absolute_url()}?replytocom={parent.pk}")

    assertContains(page, f'href="?replytocom={parent.pk}#respond"')
    assertContains(page, "Reply to Parent Person")
    assertContains(page, "Cancel reply")
    assertContains(page, f'name="parent" value="{parent.pk}"')


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-3", "99999999999999999999999", "424242"])
def test_unknown_replytocom_is_ignored(client, post, value):
    page = client.get(f"{post.get_absolute_url()}?replytocom={value}")

    assertContains(page, "Leave a Reply")


@pytest.mark.django_db
def test_reply_posted_without_javascript_is_stored_under_its_parent(client, post):
    parent = factories.make_comment(post=post)

    post_comment(client, post, parent=str(parent.pk), body="A reply.")

    reply = Comment.objects.get(body="A reply.")
    assert reply.parent == parent
    assert reply.akismet_params["comment_type"] == "reply"


@pytest.mark.django_db
def test_form_has_labels_and_the_akismet_notice_when_checking_is_on(client, post, settings):
    settings.AKISMET_API_KEY = "some-key"

    page = client.get(post.get_absolute_url())

    for label in ("Comment", "Name", "Email", "Website"):
        assertContains(page, f">{label}:</label>")
    assertContains(page, "Save my name, email, and website in this browser")
    assertContains(page, "This site uses Akismet to reduce spam.")
    assertContains(page, 'href="https://akismet.com/privacy/"')


@pytest.mark.django_db
def test_comment_counts_show_on_the_home_page(client, post):
    factories.make_comment(post=post)
    factories.make_comment(post=post)
    factories.make_comment(post=post, status=Comment.Status.PENDING)

    assertContains(client.get("/"), "2 comments")


@pytest.mark.django_db
def test_post_page_advertises_its_comment_feed(client, post):
    page = client.get(post.get_absolute_url())

    feed = f"{post.get_absolute_url()}feed/"  # WordPress's address for it.
    assertContains(page, '<link rel="alternate" type="application/atom+xml"')
    assertContains(page, f'href="{feed}"')
    assertNotContains(page, reverse("comments:post-feed", args=[post.pk]))


@pytest.mark.django_db
def test_comment_feed_lists_only_approved_comments(client, post):
    factories.make_comment(post=post, body="In the feed.")
    factories.make_comment(post=post, body="Held back.", status=Comment.Status.PENDING)

    response = client.get(reverse("comments:post-feed", args=[post.pk]))

    assert response["Content-Type"].startswith("application/atom+xml")
    assertContains(response, "In the feed.")
    assertNotContains(response, "Held back.")


@pytest.mark.django_db
def test_comment_feed_of_a_draft_is_not_found(client):
    draft = factories.make_post(status="draft")

    assert client.get(reverse("comments:post-feed", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_form_on_the_post_page_passes_csrf_protection(post):
    """The form's partial is included with `only`, so its CSRF token must be passed in.
    (A returning commenter's page is their own, so its form carries their token.)"""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["comment_author"] = "C"
    page = browser.get(post.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(
        reverse("comments:post-comment", args=[post.pk]),
        {
            "author_name": "C",
            "author_email": "c@example.com",
            "body": "Hi",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
