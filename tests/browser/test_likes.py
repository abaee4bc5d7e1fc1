"""The Like button in a real browser: in place with JavaScript, by a plain POST without."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def like_block(page):
    return page.locator("#likes")


def button(page):
    return like_block(page).locator(".likes__button")


def expect_state(page, *, label, pressed, count):
    expect(button(page)).to_have_accessible_name(label)
    expect(button(page)).to_have_attribute("aria-pressed", "true" if pressed else "false")
    expect(like_block(page).locator(".likes__count")).to_have_text(count)


def test_the_like_button_toggles_in_place(page, browser, live_server, post):
    page.goto(post.get_absolute_url())
    expect_state(page, label="Like", pressed=False, count="Be the first to like this")
    address = page.url

    button(page).click()

    expect_state(page, label="Liked", pressed=True, count="1 person likes this")
    assert page.url == address  # in place: no new page, no message
    expect(page.locator(".messages")).to_have_count(0)
    post.refresh_from_db()
    assert post.like_count == 1

    # The page every reader shares, marked "Liked" from this browser's cookie.
    page.reload()
    expect_state(page, label="Liked", pressed=True, count="1 person likes this")

    # Another browser sees the count, and its own neutral button.
    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    other_page.goto(post.get_absolute_url())
    expect_state(other_page, label="Like", pressed=False, count="1 person likes this")
    button(other_page).click()
    expect_state(other_page, label="Liked", pressed=True, count="2 people like this")
    other.close()

    button(page).click()
    expect_state(page, label="Like", pressed=False, count="1 person likes this")
    post.refresh_from_db()
    assert post.like_count == 1


def test_the_button_is_reached_and_pressed_from_the_keyboard(page, post):
    page.goto(post.get_absolute_url())
    button(page).focus()
    page.keyboard.press("Enter")
    expect_state(page, label="Liked", pressed=True, count="1 person likes this")
    page.keyboard.press("Space")
    expect_state(page, label="Like", pressed=False, count="Be the first to like this")


def test_without_javascript_the_form_posts_and_comes_back_to_the_likes(page_without_js, post):
    page = page_without_js
    page.goto(post.get_absolute_url())

    button(page).click()

    page.wait_for_url(re.compile(r"#likes$"))
    expect(page.locator(".messages")).to_contain_text("Thank you for liking this post.")
    expect_state(page, label="Liked", pressed=True, count="1 person likes this")
    button(page).click()
    expect(page.locator(".messages")).to_contain_text("Your like is taken back.")
    expect_state(page, label="Like", pressed=False, count="Be the first to like this")


def test_a_like_past_the_limit_says_why_in_place(page, browser, live_server, post, settings):
    settings.BLOG_LIKES_RATE_LIMIT = (1, 3600)
    page.goto(post.get_absolute_url())
    button(page).click()
    expect_state(page, label="Liked", pressed=True, count="1 person likes this")

    other = browser.new_context(base_url=live_server.url)  # the same address, new cookies
    other_page = other.new_page()
    other_page.goto(post.get_absolute_url())
    button(other_page).click()

    expect(other_page.locator(".likes__note")).to_contain_text("Too many likes")
    expect_state(other_page, label="Like", pressed=False, count="1 person likes this")
    other.close()
