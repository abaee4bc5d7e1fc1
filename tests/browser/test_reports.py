"""A reader reports a comment, in place with JavaScript and on its own page without it,
and a moderator decides in the queue's Reported view, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from comments import reports
from comments.models import Comment, CommentEvent, CommentReport
from tests import factories

from .checkers import AXE_SCRIPT, axe_violations, require
from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def rude(post):
    """A published comment, and a kind one after it."""
    comment = factories.make_comment(post=post, author_name="Rude Rita", body="You are all fools.")
    factories.make_comment(post=post, author_name="Kind Kim", body="Thanks for writing this.")
    return comment


def shoot(page, name, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"reports-{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
def test_a_reader_reports_a_comment_in_place_with_javascript(page, post, rude, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(post.get_absolute_url())
    comment = page.locator(f"#comment-{rude.pk}")

    comment.get_by_role("link", name="Report").click()

    form = comment.locator(".comment-report-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Spam")).to_be_focused()  # The first reason.
    assert page.url.endswith(post.get_absolute_url())  # No new page: the form came in place.
    form.get_by_label("Abuse or harassment").check()
    form.get_by_label("Anything the moderators should know?").fill("Insults the readers.")
    comment.screenshot(path=SCREENSHOTS / f"reports-in-place-form-{width}.png")
    form.get_by_role("button", name="Send report").click()

    thanks = comment.get_by_role("status")
    expect(thanks).to_contain_text("Thank you. Your report has been sent")
    expect(thanks).to_be_focused()
    expect(comment.locator(".comment-report-link")).to_have_text("Reported")
    comment.screenshot(path=SCREENSHOTS / f"reports-in-place-thanks-{width}.png")
    report = CommentReport.objects.get()
    assert (report.comment_id, report.reason, report.note) == (
        rude.pk,
        "abuse",
        "Insults the readers.",
    )

    # Again from this browser, another day: thanked, and not counted.
    page.reload()
    comment.locator(".comment-report-link").click()
    expect(comment.get_by_role("status")).to_contain_text("already reported")
    assert CommentReport.objects.count() == 1


def test_cancel_closes_the_form_and_gives_focus_back(page, post, rude):
    page.goto(post.get_absolute_url())
    comment = page.locator(f"#comment-{rude.pk}")
    link = comment.get_by_role("link", name="Report")

    link.click()
    comment.get_by_role("button", name="Cancel").click()

    expect(comment.locator(".comment-report-form")).to_have_count(0)
    expect(link).to_be_focused()
    assert not CommentReport.objects.exists()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
def test_without_javascript_the_report_page_sends_the_report(page_without_js, post, rude, width):
    page = page_without_js
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(post.get_absolute_url())

    page.locator(f"#comment-{rude.pk}").get_by_role("link", name="Report").click()

    expect(page.get_by_role("heading", name="Report a comment")).to_be_visible()
    shoot(page, "form", width)
    page.get_by_label("Spam").check()
    page.locator(".comment-report-form").get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    shoot(page, "thanks", width)
    assert CommentReport.objects.get().reason == "spam"


def test_the_report_page_has_no_axe_violations(browser, live_server, rude):
    require(AXE_SCRIPT, str(AXE_SCRIPT), "run `make setup` (npm ci) with npm installed")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"/comments/{rude.pk}/report/")
        assert axe_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS)
def test_the_moderator_keeps_a_comment_reports_took_down(
    page, moderator, log_in_to_admin, post, rude, settings, width
):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    for number, (reason, note) in enumerate([("abuse", "Calls us fools."), ("other", "")]):
        reports.report_submit(
            comment=rude, reason=reason, note=note, ip_address=f"192.0.2.{number + 1}"
        )
    rude.refresh_from_db()
    assert rude.status == Comment.Status.PENDING
    page.set_viewport_size({"width": width, "height": 900})
    log_in_to_admin(page, moderator.username)

    page.goto("/admin/comments/comment/")
    page.get_by_role("link", name="Reported (1)").click()

    item = page.locator(f"#reported-{rude.pk}")
    expect(item).to_contain_text("2 reports")
    expect(item).to_contain_text("Taken down, waiting for you")
    expect(item).to_contain_text("Calls us fools.")
    shoot(page, "admin-reported", width)
    item.get_by_role("button", name="Keep").click()

    expect(page.locator(".messagelist")).to_contain_text("Reports dismissed, published")
    expect(page.get_by_text("No reported comments wait for you.")).to_be_visible()
    rude.refresh_from_db()
    assert rude.status == Comment.Status.APPROVED
    assert rude.events.filter(kind=CommentEvent.Kind.REPORTS_DISMISSED, actor=moderator).exists()
