"""sitemap.xml opened in a browser, under the site's CSP, reads as a list of addresses."""

import os

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_sitemap_shows_a_readable_list_of_the_post_addresses(page, live_server, post):
    response = page.goto("/sitemap.xml")
    assert "script-src" in response.headers["content-security-policy"]

    expect(page.get_by_role("heading", name="Sitemap")).to_be_visible()
    link = page.get_by_role("link", name=f"{live_server.url}{post.get_absolute_url()}")
    expect(link).to_be_visible()
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=SCREENSHOTS / f"sitemap-{width}.png", full_page=True)
    # The site's stylesheet applies: the page uses its fonts and colours, not the defaults.
    assert page.locator("body").evaluate("body => getComputedStyle(body).display") == "flex"
