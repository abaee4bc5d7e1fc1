"""The author's edit window: editing or deleting a fresh comment from the browser that
posted it, checked as a new comment is (comments/editing.py, comments/edit_views.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments import editing, services
from comments.models import Comment, CommentEvent, DiscussionRule
from tests import factories
from tests.comments.conftest import post_comment
from tests.fake_akismet import DISCARD_MARKER

Kind = CommentEvent.Kind
Status = Comment.Status


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def posted(client, post, **fields) -> Comment:
    """A comment posted through the form by `client`, which keeps the edit cookie."""
    response = post_comment(client, post, **fields)
    assert response.status_code == 302
    return Comment.objects.order_by("-pk").first()


def approved(comment) -> Comment:
    return services.comment_approve(comment=comment, actor=None)


def edit(client, comment, body, **headers):
    return client.post(edit_url(comment), {"body": body, "save": "1"}, **headers)


def window_passes(comment, seconds=900):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds + 1)
    )


@pytest.mark.django_db
def test_author_sees_an_edit_link_with_the_time_left_on_their_new_comment(client, post):
    comment = posted(client, post, body="Fresh words.")

    page = client.get(post.get_absolute_url())

    assertContains(page, f'class="comment-edit-link" href="{edit_url(comment)}"')
    assertContains(page, "(for 15 more minutes)")
    assertContains(page, "js/comment_editing.js")


@pytest.mark.django_db
def test_no_one_else_sees_the_edit_link(client, post):
    comment = posted(client, post, body="Fresh words.")
    approved(comment)

    page = Client().get(post.get_absolute_url())

    assertContains(page, "Fresh words.")
    assertNotContains(page, "comment-edit-link")
    assertNotContains(page, "comment_editing.js")


@pytest.mark.django_db
def test_edit_page_without_javascript_shows_the_text_to_change(client, post):
    comment = posted(client, post, body="Fresh words.")

    page = client.get(edit_url(comment))

    assertContains(page, "Edit your comment")
    assertContains(page, ">\nFresh words.</textarea>")
    assertContains(page, "Delete this comment")


@pytest.mark.django_db
def test_edit_within_the_window_changes_the_text_and_keeps_the_old_in_history(client, post):
    comment = approved(posted(client, post, body="I think it is 42."))

    response = edit(client, comment, "On second thought:\n\nit is 43 < 44.")

    comment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert comment.body == "On second thought:\n\nit is 43 < 44."
    assert comment.body_html == "<p>On second thought:</p>\n\n<p>it is 43 &lt; 44.</p>"
    assert comment.status == Status.APPROVED
    event = comment.events.get(kind=Kind.EDITED)
    assert event.detail == "I think it is 42."
    reader = Client().get(post.get_absolute_url())
    assertContains(reader, "<p>it is 43 &lt; 44.</p>")
    assertNotContains(reader, "I think it is 42.")


@pytest.mark.django_db
def test_no_edit_after_the_window(client, post):
    comment = approved(posted(client, post, body="Too late to change."))
    window_passes(comment)

    response = edit(client, comment, "Changed anyway.")

    assert response.status_code == 403
    assertContains(response, "The time to edit this comment is over", status_code=403)
    comment.refresh_from_db()
    assert comment.body == "Too late to change."
    assert not comment.events.filter(kind=Kind.EDITED).exists()
    assertNotContains(client.get(post.get_absolute_url()), "comment-edit-link")


@pytest.mark.django_db
def test_window_is_the_setting(client, post, settings):
    settings.COMMENTS_EDIT_SECONDS = 60
    comment = approved(posted(client, post, body="A minute only."))
    window_passes(comment, seconds=60)

    assert edit(client, comment, "Changed.").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("reply_status", [Status.APPROVED, Status.PENDING])
def test_no_edit_once_the_comment_has_a_reply(client, post, reply_status):
    comment = approved(posted(client, post, body="Said and answered."))
    factories.make_comment(post=post, parent=comment, status=reply_status)

    response = edit(client, comment, "Said something else.")

    assertContains(response, "Someone has replied to this comment", status_code=403)
    comment.refresh_from_db()
    assert comment.body == "Said and answered."
    assertNotContains(client.get(post.get_absolute_url()), "comment-edit-link")


@pytest.mark.django_db
def test_a_forged_token_is_refused(client, post):
    comment = approved(posted(client, post, body="Mine."))
    client.cookies[editing.EDIT_COOKIE] = f"[[{comment.pk}, 9999999999]]:forged:signature"

    response = edit(client, comment, "Not mine any more.")

    assertContains(response, "permission to edit comments is not valid", status_code=403)
    comment.refresh_from_db()
    assert comment.body == "Mine."


@pytest.mark.django_db
def test_someone_elses_comment_is_refused(client, post):
    theirs = approved(posted(client, post, body="Theirs."))
    other = Client()
    posted(other, post, body="Mine.")

    response = edit(other, theirs, "Now it says what I want.")
    deleting = other.post(edit_url(theirs), {"delete": "1"})

    assertContains(response, "only from the browser that posted it", status_code=403)
    assert deleting.status_code == 403
    theirs.refresh_from_db()
    assert (theirs.body, theirs.status) == ("Theirs.", Status.APPROVED)


@pytest.mark.django_db
def test_a_visitor_with_no_token_is_refused(post):
    comment = factories.make_comment(post=post)

    response = Client().get(edit_url(comment))

    assertContains(response, "only from the browser that posted it", status_code=403)


@pytest.mark.django_db
def test_edit_is_rechecked_by_akismet_with_recheck_reason_edit(client, post, fake_akismet):
    comment = approved(posted(client, post, body="Before the edit."))
    fake_akismet.requests.clear()

    edit(client, comment, "After the edit.")

    checks = fake_akismet.requests_to("comment-check")
    assert len(checks) == 1
    assert checks[0].params["recheck_reason"] == "edit"
    assert checks[0].params["comment_content"] == "After the edit."
    assert checks[0].params["comment_author"] == comment.author_name
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert list(comment.events.values_list("kind", flat=True))[-2:] == [Kind.EDITED, Kind.CHECK_HAM]


@pytest.mark.django_db
def test_an_edit_akismet_calls_spam_moves_the_comment_to_spam(client, post, fake_akismet):
    comment = approved(posted(client, post, body="Innocent at first."))

    response = edit(client, comment, f"Buy now {DISCARD_MARKER}")

    comment.refresh_from_db()
    assert comment.status == Status.SPAM
    assert comment.events.filter(kind=Kind.CHECK_SPAM).exists()
    assert comment.events.get(kind=Kind.EDITED).detail == "Innocent at first."
    assertContains(Client().get(post.get_absolute_url()), "Comments")
    assertNotContains(Client().get(post.get_absolute_url()), "Buy now")
    assertContains(client.get(response["Location"]), "held back by the spam filter")


@pytest.mark.django_db
def test_an_edit_with_too_many_links_goes_back_to_the_queue(client, post, settings):
    settings.COMMENTS_MAX_LINKS = 2
    comment = approved(posted(client, post, body="No links here."))

    edit(client, comment, "See https://a.example/ and https://b.example/")

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.events.filter(kind=Kind.RULE_HELD).exists()
    assertNotContains(Client().get(post.get_absolute_url()), "a.example")


@pytest.mark.django_db
def test_an_edit_counts_against_the_rate_limit(client, post, settings):
    settings.COMMENTS_RATE_LIMIT = (2, 600)
    comment = approved(posted(client, post, body="One.", ip="198.51.100.7"))

    first = edit(client, comment, "Two.", REMOTE_ADDR="198.51.100.7")
    second = edit(client, comment, "Three.", REMOTE_ADDR="198.51.100.7")

    assert first.status_code == 302
    assertContains(second, "You are posting comments too quickly", status_code=429)
    assertContains(second, "Three.", status_code=429)  # The visitor's text is kept.
    comment.refresh_from_db()
    assert comment.body == "Two."


@pytest.mark.django_db
def test_an_empty_edit_is_refused_with_the_form_again(client, post):
    comment = posted(client, post, body="Something.")

    response = edit(client, comment, "   ")

    assertContains(response, "Your comment could not be saved", status_code=400)
    comment.refresh_from_db()
    assert comment.body == "Something."


@pytest.mark.django_db
def test_an_edit_longer_than_a_comment_may_be_is_refused(client, post):
    comment = posted(client, post, body="Something.")

    response = edit(client, comment, "x" * (Comment.BODY_MAX + 1))

    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Something."


@pytest.mark.django_db
def test_a_pending_comment_can_be_edited_and_stays_pending(client, post):
    comment = posted(client, post, body="Waiting.")
    assert comment.status == Status.PENDING

    edit(client, comment, "Still waiting, better worded.")

    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Still waiting, better worded.", Status.PENDING)
    assertContains(client.get(post.get_absolute_url()), "Still waiting, better worded.")


@pytest.mark.django_db
def test_author_deletes_their_comment(client, post):
    comment = approved(posted(client, post, body="Regret this."))

    response = client.post(edit_url(comment), {"delete": "1"})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.status == Status.TRASH
    assert comment.events.filter(kind=Kind.AUTHOR_DELETED).exists()
    assertNotContains(Client().get(post.get_absolute_url()), "Regret this.")
    assertContains(client.get(response["Location"]), "Your comment was deleted.")


@pytest.mark.django_db
def test_no_delete_after_the_window(client, post):
    comment = approved(posted(client, post, body="Staying."))
    window_passes(comment)

    response = client.post(edit_url(comment), {"delete": "1"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


@pytest.mark.django_db
def test_an_edit_from_another_site_is_refused(client, post):
    comment = approved(posted(client, post, body="Mine."))

    response = edit(client, comment, "Forged from elsewhere.", HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine."


@pytest.mark.django_db
def test_the_edit_cookie_lasts_the_window_and_is_http_only(client, post):
    post_comment(client, post)

    cookie = client.cookies[editing.EDIT_COOKIE]

    assert cookie["max-age"] == 900
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_no_edit_once_comments_are_closed(client, post):
    comment = approved(posted(client, post, body="Just in time."))
    post.comments_open = False
    post.save()

    response = edit(client, comment, "Changed after closing.")

    assertContains(response, "Comments are closed on this post.", status_code=403)
    comment.refresh_from_db()
    assert comment.body == "Just in time."


@pytest.mark.django_db
def test_an_edit_is_saved_while_akismet_is_down_and_an_approved_comment_stays_up(
    client, post, fake_akismet
):
    comment = approved(posted(client, post, body="Before the outage."))
    fake_akismet.set_fault("503")

    response = edit(client, comment, "During the outage.")

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("During the outage.", Status.APPROVED)
    assertContains(Client().get(post.get_absolute_url()), "During the outage.")


@pytest.mark.django_db
def test_a_held_comment_edited_while_akismet_is_down_is_checked_again_later(
    client, post, fake_akismet
):
    comment = posted(client, post, body="Held, before the outage.")
    fake_akismet.set_fault("503")

    edit(client, comment, "Held, edited during the outage.")

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.ERROR
    assert comment.akismet_next_attempt_at is not None
    assert comment.akismet_params["comment_content"] == "Held, edited during the outage."


@pytest.mark.django_db
def test_an_edit_with_a_disallowed_word_goes_to_the_trash_unasked_of_akismet(
    client, post, fake_akismet
):
    DiscussionRule.objects.update_or_create(
        kind=DiscussionRule.Kind.TRASH, defaults={"entries": "casino"}
    )
    comment = approved(posted(client, post, body="A fair point."))
    fake_akismet.requests.clear()

    edit(client, comment, "Visit my casino.")

    comment.refresh_from_db()
    assert comment.status == Status.TRASH
    assert comment.events.filter(kind=Kind.RULE_TRASHED).exists()
    assert fake_akismet.requests_to("comment-check") == []
    assertNotContains(Client().get(post.get_absolute_url()), "casino")
