"""Visitors comment and reply, moderators decide, in a real browser against the fake Akismet."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests import factories
from tests.fake_akismet import SPAM_AUTHOR

pytestmark = pytest.mark.browser

AWAITING = "Your comment is awaiting moderation."


@pytest.fixture(autouse=True)
def _comment_settings(fake_akismet, settings):
    """Every browser comments from 127.0.0.1, so flood control would join the tests' comments."""
    settings.COMMENTS_FLOOD_SECONDS = 0


@pytest.fixture
def first_comment(post):
    """An approved comment to reply to."""
    return factories.make_comment(
        post=post, author_name="First Reader", author_email="first@example.com"
    )


@pytest.fixture
def moderator_page(browser, live_server, moderator, log_in_to_admin):
    """A second browser, signed in to the admin as the moderator."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in_to_admin(page, moderator.username)
    yield page
    context.close()


def leave_comment(page, *, name, body, email=None):
    form = page.locator("#commentform")
    form.get_by_label("Comment:").fill(body)
    form.get_by_label("Name:").fill(name)
    form.get_by_label("Email:").fill(email or f"{name.lower().replace(' ', '.')}@example.com")
    form.get_by_role("button", name="Post Comment").click()


def moderate(page, comment, action, status="all"):
    """Tick the comment in the admin queue, choose the action and press Run."""
    page.goto(f"/admin/comments/comment/?status={status}")
    page.locator(f'input[name="_selected_action"][value="{comment.pk}"]').check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_be_visible()


def test_visitor_comments_and_a_moderator_approves_it(page, moderator_page, post):
    page.goto(post.get_absolute_url())
    leave_comment(page, name="Vera Visitor", body="What a lovely article.")

    expect(page.locator(".messages")).to_contain_text(AWAITING)
    comment = Comment.objects.get()
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("What a lovely article.")
    expect(mine).to_contain_text(AWAITING)

    moderator_page.goto("/admin/comments/comment/")
    expect(moderator_page.locator("#result_list")).to_contain_text("What a lovely article.")
    moderate(moderator_page, comment, "approve", status="attention")
    expect(moderator_page.locator(".messagelist")).to_contain_text("Approved 1 comment(s).")

    page.context.clear_cookies()
    page.goto(post.get_absolute_url())
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("What a lovely article.")
    expect(page.locator(f"#comment-{comment.pk}")).not_to_contain_text(AWAITING)


def test_visitor_replies_through_the_inline_form_and_the_reply_nests(
    page, moderator_page, post, first_comment
):
    parent = first_comment
    page.goto(post.get_absolute_url())

    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

    respond = page.locator(f"#comment-{parent.pk} #respond")
    expect(respond).to_be_visible()
    expect(respond.locator("#reply-title")).to_contain_text("Reply to First Reader")
    expect(page).not_to_have_url(re.compile("replytocom"))
    respond.get_by_role("link", name="Cancel reply").click()
    expect(page.locator(f"#comment-{parent.pk} #respond")).to_have_count(0)
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")

    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()
    leave_comment(page, name="Second Reader", body="Replying inline.")
    expect(page.locator(".messages")).to_contain_text(AWAITING)

    reply = Comment.objects.get(body="Replying inline.")
    assert reply.parent == parent
    moderate(moderator_page, reply, "approve")

    page.context.clear_cookies()
    page.goto(post.get_absolute_url())
    nested = page.locator(f"#comment-{parent.pk} > ol.children > li#comment-{reply.pk}")
    expect(nested).to_contain_text("Replying inline.")


def test_reply_works_without_javascript(page_without_js, post, first_comment):
    page, parent = page_without_js, first_comment
    page.goto(post.get_absolute_url())

    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

    expect(page).to_have_url(re.compile(rf"\?replytocom={parent.pk}#respond$"))
    expect(page.locator("#reply-title")).to_contain_text("Reply to First Reader")
    leave_comment(page, name="No Script", body="Replying the old way.")
    expect(page.locator(".messages")).to_contain_text(AWAITING)

    reply = Comment.objects.get(body="Replying the old way.")
    assert reply.parent == parent
    own = page.locator(f"#comment-{parent.pk} > ol.children > li#comment-{reply.pk}")
    expect(own).to_contain_text(AWAITING)


def test_a_reader_of_the_cached_page_comments_with_javascript(page, browser, live_server, post):
    page.goto(post.get_absolute_url())  # The first reader's visit fills the page cache.
    context = browser.new_context(base_url=live_server.url)
    reader = context.new_page()
    reader.goto(post.get_absolute_url())
    assert not [cookie for cookie in context.cookies() if cookie["name"] == "csrftoken"]

    leave_comment(reader, name="Cached Reader", body="Sent from the shared page.")

    expect(reader.locator(".messages")).to_contain_text(AWAITING)
    assert Comment.objects.filter(body="Sent from the shared page.").count() == 1
    context.close()


def test_without_javascript_a_cached_page_form_sends_in_one_press(
    page_without_js, browser, live_server, post
):
    """The page every reader shares carries no CSRF token; the browser's Sec-Fetch-Site
    header says the form is the site's own, and that is enough (core/cross_origin.py)."""
    page_without_js.goto(post.get_absolute_url())  # The first visit fills the page cache.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    reader = context.new_page()
    reader.goto(post.get_absolute_url())
    assert (
        reader.locator("#commentform input[name=csrfmiddlewaretoken]").get_attribute("value") == ""
    )

    leave_comment(reader, name="No Script", body="Sent in one press.")

    expect(reader.locator(".messages")).to_contain_text(AWAITING)
    assert Comment.objects.filter(body="Sent in one press.").count() == 1
    context.close()


def test_spam_never_appears_and_not_spam_tells_akismet(
    page, moderator_page, post, fake_akismet, run_worker
):
    page.goto(post.get_absolute_url())
    leave_comment(page, name=SPAM_AUTHOR, body="Cheap pills here.")

    expect(page.locator(".messages")).to_contain_text(AWAITING)
    expect(page.locator("#comments")).not_to_contain_text("Cheap pills here.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM

    moderate(moderator_page, comment, "mark_ham", status="spam")
    expect(moderator_page.locator(".messagelist")).to_contain_text("Marked as not spam")
    run_worker()  # The report goes from the task worker.

    [report] = fake_akismet.requests_to("submit-ham")
    assert report.params["comment_content"] == "Cheap pills here."
    assert report.params["comment_author"] == SPAM_AUTHOR
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_cancel_reply_returns_focus_to_the_reply_link(page, post, first_comment):
    page.goto(post.get_absolute_url())
    reply = page.locator(f"#comment-{first_comment.pk}").get_by_role("link", name="Reply")

    reply.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#respond").get_by_label("Comment:")).to_be_focused()
    page.get_by_role("link", name="Cancel reply").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#comment-errors")).to_have_count(0)
    expect(reply).to_be_focused()


@pytest.mark.parametrize("tab", ["page", "page_without_js"])
def test_after_a_failed_submit_focus_is_on_a_summary_that_links_to_each_field(request, tab, post):
    page = request.getfixturevalue(tab)
    page.goto(post.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_label("Comment:").fill("   ")  # The browser lets spaces through; the site not.
    form.get_by_label("Name:").fill("Vera Visitor")
    form.get_by_label("Email:").fill("vera@example.com")
    form.get_by_label("Website:").fill("ftp://files.example.com/")
    form.get_by_role("button", name="Post Comment").click()

    summary = page.locator("#comment-errors")
    expect(summary).to_be_focused()
    wanted = "Enter a web address starting with http://"
    expect(summary.get_by_role("alert")).to_contain_text(f"Website: {wanted}")
    expect(page.get_by_text(wanted)).to_have_count(2)  # The summary, the field.
    for label in ("Website:", "Comment:"):
        summary.get_by_role("link", name=label).click()
        expect(page.get_by_label(label)).to_be_focused()
