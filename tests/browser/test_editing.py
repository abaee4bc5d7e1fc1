"""The author's edit window in a real browser: the Edit link and its timer, editing in
place with JavaScript, and the edit page without it."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, CommentEvent
from tests.browser.test_comments import leave_comment

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _comment_settings(fake_akismet, settings):
    """Every browser comments from 127.0.0.1, so flood control would join the tests' comments."""
    settings.COMMENTS_FLOOD_SECONDS = 0


def own_comment(page):
    return page.locator(".comment", has=page.locator(".comment-edit-link"))


def test_the_edit_link_counts_down_and_edits_in_place(page, post):
    page.goto(post.get_absolute_url())
    leave_comment(page, name="Quick Typist", body="Teh first version.")
    mine = own_comment(page)
    timer = mine.locator(".comment-edit-timer")

    expect(timer).to_have_text(re.compile(r"\((14:5\d|15:00) left to edit\)"))
    first = timer.inner_text()
    page.wait_for_timeout(1200)
    assert timer.inner_text() != first

    mine.get_by_role("link", name="Edit").click()
    editor = mine.locator(".comment-editor")
    textarea = editor.get_by_label("Comment:")
    expect(textarea).to_be_focused()
    expect(textarea).to_have_value("Teh first version.")
    expect(mine.locator(".comment-content")).to_be_hidden()
    # Its label names its own field, not the comment form's below.
    assert page.locator("[id]").evaluate_all("els => els.length") == len(
        set(page.locator("[id]").evaluate_all("els => els.map(e => e.id)"))
    )

    editor.get_by_role("link", name="Cancel").click()
    expect(editor).to_have_count(0)
    expect(mine.locator(".comment-content")).to_have_text("Teh first version.")

    mine.get_by_role("link", name="Edit").click()
    mine.get_by_label("Comment:").fill("The first version, fixed.")
    mine.get_by_role("button", name="Save changes").click()

    expect(page.locator(".messages")).to_contain_text("Your comment was updated")
    expect(own_comment(page).locator(".comment-content")).to_have_text("The first version, fixed.")
    comment = Comment.objects.get()
    assert comment.events.get(kind=CommentEvent.Kind.EDITED).detail == "Teh first version."


def test_the_timer_ends_the_edit_link_when_time_is_up(page, post, settings):
    settings.COMMENTS_EDIT_SECONDS = 3
    page.goto(post.get_absolute_url())
    leave_comment(page, name="Slow Typist", body="No hurry.")
    mine = page.locator(".comment").filter(has_text="No hurry.")
    expect(mine.locator(".comment-edit-link")).to_be_visible()

    expect(mine.locator(".comment-edit-timer")).to_have_text("(time to edit is over)", timeout=6000)
    expect(mine.locator(".comment-edit-link")).to_have_count(0)


def test_the_author_deletes_their_comment_in_place(page, post):
    page.goto(post.get_absolute_url())
    leave_comment(page, name="Second Thoughts", body="I take it back.")
    mine = own_comment(page)

    mine.get_by_role("link", name="Edit").click()
    page.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name="Delete this comment").click()

    expect(page.locator(".messages")).to_contain_text("Your comment was deleted.")
    expect(page.get_by_text("I take it back.")).to_have_count(0)
    assert Comment.objects.get().status == Comment.Status.TRASH


def test_without_javascript_the_edit_link_opens_the_edit_page(page_without_js, post):
    page = page_without_js
    page.goto(post.get_absolute_url())
    leave_comment(page, name="No Script", body="Plain and simple.")
    mine = own_comment(page)
    expect(mine.locator(".comment-edit-timer")).to_have_text("(for 15 more minutes)")

    mine.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit your comment")).to_be_visible()
    page.get_by_label("Comment:").fill("Plain, simple and edited.")
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator(".messages")).to_contain_text("Your comment was updated")
    expect(page.locator(".comment-content").filter(has_text="edited")).to_have_text(
        "Plain, simple and edited."
    )
