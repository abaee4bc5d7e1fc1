"""A moderator works through the queue with row actions, the keyboard and quick reply,
with and without JavaScript, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, CommentEvent
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

QUEUE = "/admin/comments/comment/"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def held(post):
    """Three held comments, the newest first in the queue, one a reply with a long text."""
    first = factories.make_comment(post=post, author_name="Ann Approved", body="Lovely post.")
    comments = [
        factories.make_comment(post=post, status="pending", author_name=name, body=body)
        for name, body in [
            ("Sam Spammer", "Buy cheap watches at example.net"),
            ("Tess Trash", "Off-topic rambling."),
            ("Penny Pending", "I have a question about this."),
        ]
    ]
    factories.make_comment(
        post=post,
        parent=first,
        status="pending",
        author_name="Long Winded",
        body="A very long reply. " * 60,
    )
    CommentEvent.objects.create(
        comment=comments[0], kind=CommentEvent.Kind.RULE_HELD, detail="2 links"
    )
    return {comment.author_name: comment for comment in comments}


@pytest.fixture
def queue(page, moderator, log_in_to_admin):
    """The moderator's browser, signed in."""
    log_in_to_admin(page, moderator.username)
    return page


@pytest.fixture
def queue_without_js(page_without_js, moderator, log_in_to_admin):
    """The moderator's browser with JavaScript off, signed in."""
    log_in_to_admin(page_without_js, moderator.username)
    return page_without_js


def row(page, comment):
    return page.locator(f"#comment-row-{comment.pk}")


def status_of(comment):
    comment.refresh_from_db()
    return comment.status


def test_moderator_approves_spams_trashes_and_undoes_with_row_actions(queue, held):
    queue.goto(QUEUE)

    row(queue, held["Penny Pending"]).get_by_role("button", name="Approve").click()
    expect(row(queue, held["Penny Pending"]).locator("[data-status-label]")).to_have_text(
        "Approved"
    )
    row(queue, held["Sam Spammer"]).get_by_role("button", name="Spam").click()
    expect(row(queue, held["Sam Spammer"])).to_contain_text("Marked as spam")
    row(queue, held["Tess Trash"]).get_by_role("button", name="Trash").click()
    expect(row(queue, held["Tess Trash"])).to_contain_text("Moved to the trash")
    assert queue.url.endswith(QUEUE)  # No reload.
    assert [status_of(c) for c in held.values()] == ["spam", "trash", "approved"]

    row(queue, held["Tess Trash"]).get_by_role("button", name="Undo").click()
    expect(row(queue, held["Tess Trash"]).locator("[data-status-label]")).to_have_text("Pending")
    expect(row(queue, held["Tess Trash"]).get_by_role("button", name="Approve")).to_be_visible()
    assert status_of(held["Tess Trash"]) == "pending"


def test_row_actions_work_without_javascript_and_come_back_to_the_row(queue_without_js, held):
    page = queue_without_js
    page.goto(f"{QUEUE}?q=e")

    row(page, held["Penny Pending"]).get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved: Penny Pending’s comment.")
    expect(page).to_have_url(re.compile(r"\?q=e#comment-row-\d+$"))
    row(page, held["Sam Spammer"]).get_by_role("button", name="Spam").click()
    expect(page.locator(".messagelist")).to_contain_text("Marked as spam")
    row(page, held["Tess Trash"]).get_by_role("button", name="Trash").click()
    assert [status_of(c) for c in held.values()] == ["spam", "trash", "approved"]

    page.locator(".messagelist").get_by_role("button", name="Undo").click()
    expect(page.locator(".messagelist")).to_contain_text("Restored")
    assert status_of(held["Tess Trash"]) == "pending"


def test_undo_puts_a_published_comment_back_with_and_without_javascript(
    queue, queue_without_js, post
):
    kept = factories.make_comment(post=post, author_name="Ann Approved", body="Lovely post.")

    queue.goto(f"{QUEUE}?status=approved")
    row(queue, kept).get_by_role("button", name="Trash").click()
    row(queue, kept).get_by_role("button", name="Undo").click()
    expect(row(queue, kept).locator("[data-status-label]")).to_have_text("Approved")
    assert status_of(kept) == "approved"

    queue_without_js.goto(f"{QUEUE}?status=approved")
    row(queue_without_js, kept).get_by_role("button", name="Spam").click()
    assert status_of(kept) == "spam"
    queue_without_js.locator(".messagelist").get_by_role("button", name="Undo").click()
    expect(queue_without_js.locator(".messagelist")).to_contain_text("Published again")
    assert status_of(kept) == "approved"


def test_moderator_decides_with_the_keyboard(queue, held):
    queue.goto(QUEUE)

    queue.keyboard.press("j")  # Long Winded, the newest
    queue.keyboard.press("j")  # Penny Pending
    expect(row(queue, held["Penny Pending"])).to_be_focused()
    expect(queue.locator("#queue-announcer")).to_contain_text("Penny Pending")
    queue.keyboard.press("a")
    expect(row(queue, held["Tess Trash"])).to_be_focused()
    queue.keyboard.press("d")
    queue.keyboard.press("s")
    expect(row(queue, held["Sam Spammer"])).to_contain_text("Marked as spam")
    expect(row(queue, held["Tess Trash"])).to_contain_text("Moved to the trash")
    assert [status_of(c) for c in held.values()] == ["spam", "trash", "approved"]

    queue.keyboard.press("k")  # The last decision stays on Sam, the last row.
    queue.keyboard.press("z")  # Restore from trash
    expect(row(queue, held["Tess Trash"]).locator("[data-status-label]")).to_have_text("Pending")
    queue.keyboard.press("k")  # z moved on to Sam: back to Tess, then Penny
    queue.keyboard.press("k")
    queue.keyboard.press("z")  # Undo the approval
    expect(row(queue, held["Penny Pending"]).locator("[data-status-label]")).to_have_text("Pending")
    queue.keyboard.press("x")
    expect(row(queue, held["Tess Trash"]).locator("input.action-select")).to_be_checked()
    queue.keyboard.press("?")
    expect(queue.locator("#queue-help")).to_be_visible()
    queue.keyboard.press("Escape")
    expect(queue.locator("#queue-help")).to_be_hidden()


def test_shortcuts_do_nothing_while_typing(queue, held):
    queue.goto(QUEUE)
    queue.keyboard.press("j")
    queue.keyboard.press("r")

    reply = queue.locator(f"#reply-{Comment.objects.get(author_name='Long Winded').pk}")
    expect(reply).to_be_focused()
    reply.press_sequentially("a sad joke")
    expect(reply).to_have_value("a sad joke")
    assert Comment.objects.filter(status="approved").count() == 1


def test_moderator_clears_a_queue_of_20_mixed_comments_with_the_keyboard_alone(queue, post):
    decisions = ["a", "s", "d"] * 6 + ["a", "a"]
    comments = [
        factories.make_comment(post=post, status="pending", body=f"Comment {n}") for n in range(20)
    ]
    queue.goto(QUEUE)

    queue.keyboard.press("j")
    for key in decisions:  # each decision one key, no Tab, no j
        queue.keyboard.press(key)
    expect(queue.locator(".queue-undo:not(:empty)")).to_have_count(20)

    # The queue lists the newest first.
    expected = dict(zip(reversed(comments), decisions, strict=True))
    outcome = {"a": "approved", "s": "spam", "d": "trash"}
    assert {c.pk: status_of(c) for c in expected} == {
        c.pk: outcome[key] for c, key in expected.items()
    }
    queue.goto(QUEUE)
    expect(queue.locator(".queue-empty")).to_contain_text("The queue is clear")


def test_moderator_replies_from_the_queue_and_the_reply_is_public(queue, held, post):
    parent = held["Penny Pending"]
    queue.goto(QUEUE)
    reply_box = row(queue, parent).locator(".queue-reply")

    reply_box.get_by_text("Reply", exact=True).click()
    reply_box.get_by_label("Your reply to Penny Pending").fill("Thanks for asking: yes.")
    reply_box.get_by_role("button", name="Approve and reply").click()

    expect(row(queue, parent)).to_contain_text("Replied to Penny Pending")
    assert status_of(parent) == "approved"
    reply = Comment.objects.get(parent=parent)
    assert (reply.status, reply.author_name) == ("approved", "morgan")
    queue.goto(post.get_absolute_url())
    expect(queue.locator(f"#comment-{parent.pk} #comment-{reply.pk}")).to_contain_text(
        "Thanks for asking: yes."
    )


def test_quick_reply_works_without_javascript(queue_without_js, held, post):
    page, parent = queue_without_js, held["Penny Pending"]
    page.goto(QUEUE)
    reply_box = row(page, parent).locator(".queue-reply")

    reply_box.get_by_text("Reply", exact=True).click()
    reply_box.get_by_label("Your reply to Penny Pending").fill("Answered without script.")
    reply_box.get_by_role("button", name="Approve and reply").click()

    expect(page.locator(".messagelist")).to_contain_text("and approved their comment")
    page.locator(".messagelist").get_by_role("link", name="See the reply on the post").click()
    expect(page.locator(f"#comment-{parent.pk}")).to_contain_text("Answered without script.")


@pytest.mark.parametrize("script", [True, False], ids=["with script", "without script"])
def test_phone_shows_every_comment_as_a_card_with_all_its_actions(
    browser, live_server, moderator, log_in_to_admin, held, script
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=script
    )
    page = context.new_page()
    log_in_to_admin(page, moderator.username)
    page.goto(QUEUE)

    for comment in held.values():
        card = row(page, comment)
        for name in ("Approve", "Spam", "Trash"):
            button = card.get_by_role("button", name=name, exact=True)
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        status = card.locator("[data-status-label]").bounding_box()
        assert status["x"] + status["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    row(page, held["Penny Pending"]).get_by_role("button", name="Approve").click()
    # In the row with the script, in the messages after the reload without it.
    # Not the screen readers' announcer, which says it too, hidden.
    said = page.locator(".queue-undo, .messagelist").filter(has_text="Approved: Penny Pending’s")
    expect(said).to_be_visible()
    assert status_of(held["Penny Pending"]) == "approved"
    context.close()


def test_comment_page_has_buttons_at_the_top_and_its_history_behind_the_history_button(queue, held):
    comment = held["Sam Spammer"]
    queue.goto(f"{QUEUE}{comment.pk}/change/")
    buttons = queue.locator(".comment-moderation")
    expect(buttons.get_by_role("button", name="Approve")).to_be_visible()
    assert buttons.bounding_box()["y"] < queue.locator("fieldset").first.bounding_box()["y"]

    queue.get_by_role("link", name="History").click()
    expect(queue.locator("#change-history")).to_contain_text(
        "Held for moderation by a discussion rule"
    )
    expect(queue.locator("#change-history")).not_to_contain_text("No fields changed")


def test_queue_screenshots(browser, live_server, moderator, log_in_to_admin, held):
    """Pictures to look at: the queue on a desktop and a phone, the help, the comment."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, color_scheme=theme
        )
        page = context.new_page()
        log_in_to_admin(page, moderator.username)
        page.goto(QUEUE)
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.screenshot(path=SCREENSHOTS / f"queue-desktop-{theme}.png", full_page=True)
        page.keyboard.press("?")
        page.screenshot(path=SCREENSHOTS / f"queue-help-{theme}.png")
        page.keyboard.press("Escape")
        page.goto(f"{QUEUE}{held['Sam Spammer'].pk}/change/")
        page.screenshot(path=SCREENSHOTS / f"comment-page-{theme}.png", full_page=True)
        context.close()
    for name, viewport in [("phone", PHONE), ("wide", {"width": 1600, "height": 900})]:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        log_in_to_admin(page, moderator.username)
        page.goto(QUEUE)
        page.screenshot(path=SCREENSHOTS / f"queue-{name}.png", full_page=True)
        context.close()
