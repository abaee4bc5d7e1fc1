"""The comment form's two email boxes, and the pages their emails' links open, in a real
browser. `SCREENSHOTS=1` saves each page at 1280 and 390 pixels wide."""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment, Subscription

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.COMMENTS_FLOOD_SECONDS = 0


def shoot(page, name, *, part=None):
    """Save the page (or its `part`, a locator) at each of WIDTHS, with SCREENSHOTS set."""
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"subscriptions-{name}-{width}.png"
            if part is None:
                page.screenshot(path=path, full_page=True)
            else:
                part.screenshot(path=path)


def link_in(message, part):
    url = next(url for url in re.findall(r"https?://\S+", message.body) if part in url)
    return urlsplit(url).path


def test_the_boxes_are_there_unticked_and_labelled(page, post):
    page.goto(post.get_absolute_url())

    for label in ("Email me replies to my comment", "Email me new posts"):
        box = page.get_by_label(label)
        expect(box).to_be_visible()
        expect(box).not_to_be_checked()
    shoot(page, "form", part=page.locator("#respond"))


def test_ticking_a_box_and_posting_asks_for_a_confirmation(page, post, run_worker):
    page.goto(post.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_label("Comment:").fill("Tell me when someone answers.")
    form.get_by_label("Name:").fill("Sam Reader")
    form.get_by_label("Email:").fill("sam@example.com")
    form.get_by_label("Email me replies to my comment").check()
    form.get_by_role("button", name="Post Comment").click()

    expect(page.locator(".messages")).to_contain_text("we are emailing it a link")
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["sam@example.com"]
    comment = Comment.objects.get()
    assert Subscription.objects.get().comment == comment

    page.goto(link_in(message, "/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your address")).to_be_visible()
    shoot(page, "confirm")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", name="Your address is confirmed")).to_be_visible()
    expect(page.locator(".subscription-list")).to_contain_text(post.title)
    shoot(page, "confirmed")

    page.get_by_role("link", name="See and stop your emails").click()
    expect(page.get_by_role("heading", name=re.compile("Your email from"))).to_be_visible()
    shoot(page, "manage")
    page.get_by_role("button", name=re.compile("^Stop")).first.click()
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    shoot(page, "unsubscribed")
    assert not Subscription.objects.exists()


def test_the_unsubscribe_link_shows_a_button_and_a_changed_link_a_clear_page(
    page, post, run_worker
):
    page.goto(post.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_label("Comment:").fill("And new posts, please.")
    form.get_by_label("Name:").fill("Kim Reader")
    form.get_by_label("Email:").fill("kim@example.com")
    form.get_by_label("Email me new posts").check()
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".messages")).to_be_visible()
    run_worker()
    (message,) = mail.outbox
    end = urlsplit(re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"])[1]).path

    page.goto(end)
    expect(page.get_by_role("button", name=re.compile("Stop them all"))).to_be_visible()
    shoot(page, "unsubscribe")
    assert Subscription.objects.exists()

    page.goto(end.replace(end.rstrip("/")[-6:], "xxxxxx"))
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    shoot(page, "bad-link")
