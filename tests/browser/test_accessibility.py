"""The HTML and accessibility gate: every public page, at a desktop's width and a phone's,
has no axe-core violation and no error from the Nu Html Checker.

One crawl visits every page at both widths in one browser, and one Java run checks the
HTML the server sent for all of them. `SCREENSHOTS=1` also saves a full-page screenshot
of each visit in screenshots/ (git-ignored), to look at what the checkers cannot judge.
"""

import contextlib
import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from comments.models import Comment
from tests import factories

from .checkers import AXE_SCRIPT, VNU_JAR, axe_violations, nu_errors, require
from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

NPM_HOW = "run `make setup` (npm ci) with npm installed"
WIDTHS = {"desktop": 1280, "phone": 390}
PAGES = [
    "home", "link-post", "article-with-code", "tag", "author", "archive", "year", "month",
    "day", "search", "search-no-results", "privacy", "404", "comment-error", "comment-reply",
]  # fmt: skip
# One line longer than a phone is wide, so the block scrolls sideways there.
CODE_ARTICLE = """Headings in a post sit under its title.

# Setting up

```python
DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 5}
```

## Checking it

### By hand

Open `manage.py dbshell` and run `PRAGMA journal_mode;`.
"""


@dataclass
class Visit:
    url: str = ""
    violations: tuple[str, ...] = ()
    html_file: object = None
    skipped: str = ""


def _demo_site() -> dict[str, str]:
    """The demo posts and comments, and an article with code: each page's address."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_demo_comments", stdout=open(os.devnull, "w"))  # noqa: SIM115
    link_post = Comment.objects.filter(parent=None).order_by("pk").first().post
    replied_to = Comment.objects.filter(parent=None).order_by("pk").first()
    author = link_post.author
    article = factories.make_post(
        title="SQLite settings, step by step",
        slug="sqlite-settings-step-by-step",
        body=CODE_ARTICLE,
        author=author,
        published_at=timezone.now() - timedelta(minutes=5),
        tags=["sqlite"],
    )
    published = timezone.localtime(article.published_at)
    urls = {
        "home": reverse("blog:home"),
        "link-post": link_post.get_absolute_url(),
        "article-with-code": article.get_absolute_url(),
        "tag": reverse("blog:tag", kwargs={"slug": "sqlite"}),
        "author": reverse("blog:author", kwargs={"username": author.username}),
        "archive": reverse("blog:archive"),
        "year": reverse("blog:archive-year", kwargs={"year": published.year}),
        "month": reverse(
            "blog:archive-month", kwargs={"year": published.year, "month": published.month}
        ),
        "search": reverse("blog:search") + "?q=SQLite",
        "search-no-results": reverse("blog:search") + "?q=xylophone",
        "privacy": reverse("comments:privacy"),
        "404": "/no-such-page/",
        "comment-error": link_post.get_absolute_url(),
        "comment-reply": f"{link_post.get_absolute_url()}?replytocom={replied_to.pk}",
    }
    with contextlib.suppress(NoReverseMatch):  # The day pages are new: checked once they exist.
        urls["day"] = reverse(
            "blog:archive-day",
            kwargs={"year": published.year, "month": published.month, "day": published.day},
        )
    return urls


def _failed_submit(page):
    """Send what the browser lets through and the server refuses: a comment of spaces and
    an ftp:// website. The form comes back with both errors."""
    form = page.locator("#commentform")
    form.get_by_label("Comment:").fill("   ")
    form.get_by_label("Name:").fill("Vera Visitor")
    form.get_by_label("Email:").fill("vera@example.com")
    form.get_by_label("Website:").fill("ftp://files.example.com/")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Post Comment").click()
    return navigation.value


def _visit(page, name, url) -> str:
    response = page.goto(url)
    if name == "comment-error":
        response = _failed_submit(page)
    page.wait_for_load_state("load")
    return response.text()


@pytest.fixture(scope="module")
def crawl(browser, live_server, django_db_blocker, tmp_path_factory) -> dict:
    """Every page at both widths: axe's violations and the HTML sent, {(page, width): Visit}.

    Module-scoped, so the pages are visited once; the tests' database is emptied after the
    first test, when the crawl is over."""
    require(AXE_SCRIPT, str(AXE_SCRIPT), NPM_HOW)
    pages_dir = tmp_path_factory.mktemp("pages")
    media = tmp_path_factory.mktemp("media")
    visits = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        cache.clear()
        urls = _demo_site()
        for width_name, width in WIDTHS.items():
            context = browser.new_context(
                base_url=live_server.url,
                bypass_csp=True,  # For axe's script; the site's own scripts still run.
                viewport={"width": width, "height": 900},
            )
            context.set_default_timeout(10_000)
            page = context.new_page()
            for name in PAGES:
                if name not in urls:
                    visits[name, width_name] = Visit(
                        skipped=f"no URL named blog:archive-day yet: {name} page not checked"
                    )
                    continue
                html_file = pages_dir / f"{name}-{width_name}.html"
                html_file.write_text(_visit(page, name, urls[name]))
                if os.environ.get("SCREENSHOTS"):
                    SCREENSHOTS.mkdir(exist_ok=True)
                    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
                visits[name, width_name] = Visit(
                    url=page.url, violations=tuple(axe_violations(page)), html_file=html_file
                )
            context.close()
        cache.clear()
    return visits


@pytest.fixture(scope="module")
def nu_report(crawl) -> dict:
    """The Nu Html Checker's errors for every page, from one Java run."""
    require(VNU_JAR, str(VNU_JAR), NPM_HOW)
    return nu_errors([visit.html_file for visit in crawl.values() if visit.html_file])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations(crawl, name, width):
    visit = crawl[name, width]
    if visit.skipped:
        pytest.skip(visit.skipped)
    if visit.violations:
        report = "\n".join(visit.violations)
        pytest.fail(f"axe-core on {visit.url} at {WIDTHS[width]} px:\n{report}", pytrace=False)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_is_valid_html(crawl, nu_report, name, width):
    visit = crawl[name, width]
    if visit.skipped:
        pytest.skip(visit.skipped)
    if errors := nu_report[visit.html_file]:
        report = "\n".join(errors)
        pytest.fail(
            f"Nu Html Checker on {visit.url} at {WIDTHS[width]} px:\n{report}", pytrace=False
        )
