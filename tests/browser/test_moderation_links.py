"""A moderator presses the button of a link from the email, at desktop and phone widths."""

from django.urls import reverse
from playwright.sync_api import expect

from comments import email_links
from comments.models import Comment
from tests import factories
from tests.browser.conftest import SCREENSHOTS

WIDTHS = (1280, 390)  # A desktop, a phone.


def test_the_confirmation_page_shows_the_comment_and_one_button_that_acts(page, post, moderator):
    comment = factories.make_comment(
        post=post,
        status="pending",
        author_name="Ada Reader",
        body="A first thought on this.\n\nAnd a second paragraph, a little longer, so that "
        "the comment wraps on a phone as a real one would.",
    )
    token = email_links.link_token(comment_id=comment.pk, user_id=moderator.pk, action="approve")
    SCREENSHOTS.mkdir(exist_ok=True)

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("comments:moderate", args=[token]))
        expect(page.get_by_role("heading", level=1)).to_have_text("Approve this comment?")
        expect(page.locator(".moderate-link__comment")).to_contain_text("A first thought")
        page.screenshot(path=SCREENSHOTS / f"moderate-by-email-{width}.png", full_page=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # Opening the page changed nothing.

    page.get_by_role("button", name="Approve").click()

    expect(page.locator(".messages")).to_contain_text("Approved. Thank you.")
    expect(page.get_by_role("heading", level=1)).to_have_text("This comment is approved")
    page.screenshot(path=SCREENSHOTS / "moderate-by-email-done-390.png", full_page=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
