"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Chromium must not try to reach the outside network from this machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).parents[2] / "screenshots"))

# Playwright's sync API runs an event loop in this thread; the ORM calls that tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser():
    """A headless chromium for the whole session; fails under CI when it is missing."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def staff_groups(transactional_db):
    """Make the Editors and Moderators groups again: the live server's tests empty the
    database after each test, taking what the data migrations created with it."""
    for migration in (
        "blog.migrations.0002_editors_group",
        "comments.migrations.0002_moderators_group",
    ):
        import_module(migration).create_group(apps, schema_editor=None)


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab with its own cookies, pointed at the live server."""
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    """A browser tab with JavaScript turned off."""
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def log_in_to_admin():
    """Sign a browser tab in to the admin: log_in_to_admin(page, username)."""

    def log_in(page, username, password="correct-horse-battery"):
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")

    return log_in
