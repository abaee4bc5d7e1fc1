"""An editor publishes a link post through the admin in a real browser."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Post
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_post

# live_server flushes the database after each test; serialized_rollback restores the
# groups that the data migrations created, for the browser tests that follow.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK_POST = {
    "title": "Small sites deserve good tools",
    "body": "My commentary: this is the **best** argument for small, boring stacks.",
    "excerpt": "A small site is a garden, not a factory.",
    "source_url": "https://example.org/essays/gardens",
    "source_title": "Gardens, not factories",
    "source_name": "Example Essays",
}


def field(page, label):
    """A form field on an admin page, found by its label ("Title:")."""
    return page.get_by_label(f"{label}:", exact=True)


def fill_link_post_form(page):
    field(page, "Title").fill(LINK_POST["title"])
    field(page, "Body").fill(LINK_POST["body"])
    field(page, "Excerpt").fill(LINK_POST["excerpt"])
    field(page, "Source URL").fill(LINK_POST["source_url"])
    field(page, "Source title").fill(LINK_POST["source_title"])
    field(page, "Source name").fill(LINK_POST["source_name"])
    field(page, "Tags").fill("gardening, small-web")


def test_editor_publishes_a_link_post_and_readers_see_it(page, editor, log_in_to_admin):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    for fieldset in ("Commentary", "Quoted source", "Publishing"):
        expect(page.locator("fieldset", has_text=fieldset).first).to_be_visible()

    fill_link_post_form(page)
    # The slug is filled in from the title as the editor types.
    expect(field(page, "Slug")).to_have_value("small-sites-deserve-good-tools")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published.")

    post = Post.objects.get(slug="small-sites-deserve-good-tools")
    assert post.author == editor
    assert post.is_published
    assert sorted(post.tags.names()) == ["gardening", "small-web"]

    page.goto("/")
    home_entry = page.locator("article", has_text=LINK_POST["title"])
    expect(home_entry).to_be_visible()
    expect(home_entry.locator(f'a[href="{LINK_POST["source_url"]}"]')).to_be_visible()

    home_entry.get_by_role("link", name=LINK_POST["title"], exact=True).click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    article = page.locator("article").first
    expect(article.get_by_role("heading", level=1)).to_have_text(LINK_POST["title"])
    expect(article.locator("strong", has_text="best")).to_be_visible()
    quote = article.locator(f'blockquote[cite="{LINK_POST["source_url"]}"]')
    expect(quote).to_contain_text(LINK_POST["excerpt"])
    via = article.locator(".via")
    expect(via).to_contain_text("via")
    expect(via).to_contain_text(LINK_POST["source_name"])
    expect(via.get_by_role("link", name=LINK_POST["source_title"])).to_have_attribute(
        "href", LINK_POST["source_url"]
    )


# A quoted passage as it comes from a web page or a text file: a byline line, then six
# paragraphs, one per line, with single line breaks between them (the seed's shape).
PASSAGE = (Path(__file__).parents[1] / "data" / "reblog_passage.txt").read_text()


def paste(page, selector, *, text, html=None):
    """Paste through the real clipboard, as Ctrl+V does: the page's own paste handler
    sees what a browser gives it."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate(
        """([text, html]) => {
            const item = {"text/plain": new Blob([text], {type: "text/plain"})};
            if (html) item["text/html"] = new Blob([html], {type: "text/html"});
            return navigator.clipboard.write([new ClipboardItem(item)]);
        }""",
        [text, html],
    )
    page.locator(selector).focus()
    page.keyboard.press("ControlOrMeta+v")


def preview(page):
    return page.frame_locator("#post-preview-frame")


def test_an_editor_publishes_a_pasted_passage_with_its_paragraphs_in_one_press(
    page, editor, log_in_to_admin
):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    field(page, "Title").fill("A garden, not a factory")
    field(page, "Body").fill("Worth reading twice.\nEspecially the last line.")
    paste(page, "#id_excerpt", text=PASSAGE)
    expect(field(page, "Excerpt")).to_have_value(PASSAGE)
    field(page, "Source URL").fill("https://example.org/essays/gardens")
    field(page, "Source title").fill("Gardens, not factories")
    field(page, "Source name").fill("Example Essays")

    # Before anything is saved, the preview shows the post as its page will.
    quote = preview(page).locator("blockquote.excerpt")
    expect(quote.locator("p")).to_have_count(7)
    expect(preview(page).locator(".via")).to_contain_text("Gardens, not factories")
    expect(preview(page).locator(".via")).to_contain_text("Example Essays")
    assert not Post.objects.exists()

    page.get_by_role("button", name="Publish", exact=True).click()
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text("Published.")
    post = Post.objects.get()
    assert post.is_published

    message.get_by_role("link", name="View post").click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    article = page.locator("article.post")
    expect(article.locator("blockquote.excerpt p")).to_have_count(7)
    expect(article.locator("blockquote.excerpt p").first).to_have_text(
        "By Ada Fielding, 12 March 2024"
    )
    expect(article.locator(".prose br")).to_have_count(1)
    via = article.locator(".via")
    expect(via.get_by_role("link", name="Gardens, not factories")).to_have_attribute(
        "href", "https://example.org/essays/gardens"
    )
    expect(via).to_contain_text("| Example Essays")
    expect(article.locator(".post__updated")).to_have_count(0)


def test_pasted_html_becomes_markdown_keeping_links_and_emphasis(page, editor, log_in_to_admin):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    copied = (
        '<meta charset="utf-8"><h2 style="color:red">On gardens</h2>'
        '<p>Read <a href="https://example.org/essay">the <em>whole</em> essay</a>, '
        "it is <strong>short</strong>.</p>"
        "<ul><li>beds</li><li>paths</li></ul>"
        "<blockquote><p>Tend it daily.</p></blockquote>"
        '<script>alert("pasted")</script><img src="https://example.org/x.png" alt="x">'
    )
    paste(page, "#id_body", text="On gardens Read the whole essay", html=copied)

    body = field(page, "Body")
    expect(body).to_have_value(
        "On gardens\n\n"
        "Read [the *whole* essay](https://example.org/essay), it is **short**.\n\n"
        "- beds\n- paths\n\n"
        "> Tend it daily."
    )
    prose = preview(page).locator(".prose")
    expect(prose.locator('a[href="https://example.org/essay"] em')).to_have_text("whole")
    expect(prose.locator("strong")).to_have_text("short")
    expect(prose.locator("li")).to_have_count(2)
    expect(prose.locator("blockquote")).to_contain_text("Tend it daily.")


def test_press_this_opens_a_new_post_filled_in_from_the_page(page, editor, log_in_to_admin):
    source = make_post(
        title="Gardens, not factories",
        body="First paragraph with a [link](https://example.org/beds).\n\nSecond *one*.",
    )
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/")
    bookmarklet = page.locator(".press-this__link").get_attribute("href")
    assert bookmarklet.startswith("javascript:")

    # The editor reads a page, selects its passage and presses the bookmark.
    page.goto(source.get_absolute_url())
    page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("article .prose"));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    with page.context.expect_page() as opened:
        page.evaluate(unquote(bookmarklet.removeprefix("javascript:")))
    new_post = opened.value
    new_post.wait_for_load_state()

    assert "/admin/blog/post/add/?" in new_post.url
    expect(field(new_post, "Title")).to_have_value("Gardens, not factories")
    # The page's own address for itself (og:url), rather than the one it was reached by.
    canonical = page.locator('meta[property="og:url"]').get_attribute("content")
    expect(field(new_post, "Source URL")).to_have_value(canonical)

    expect(field(new_post, "Source title")).to_have_value("Gardens, not factories")
    expect(field(new_post, "Source name")).to_have_value("Marginalia")
    expect(field(new_post, "Excerpt")).to_have_value(
        "First paragraph with a [link](https://example.org/beds).\n\nSecond *one*."
    )


def test_the_add_form_refuses_a_javascript_source_url_from_its_address(
    page, editor, log_in_to_admin
):
    log_in_to_admin(page, editor.username)
    query = urlencode(
        {
            "title": "Prefilled",
            "source_url": "javascript:alert(document.cookie)",
            "source_title": "A title",
            "excerpt": "One line.\nAnother line.",
            "status": "published",
        }
    )
    page.goto(f"/admin/blog/post/add/?{query}")
    expect(page.locator(".messagelist .warning")).to_contain_text(
        "Source URL “javascript:alert(document.cookie)” from the link was left out"
    )
    expect(field(page, "Title")).to_have_value("Prefilled")
    expect(field(page, "Source URL")).to_have_value("")
    expect(field(page, "Excerpt")).to_have_value("One line.\nAnother line.")
    expect(preview(page).locator("blockquote p")).to_have_count(2)
    # Only Publish publishes: the address cannot.
    field(page, "Source URL").fill("https://example.org/a-title")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Draft saved.")
    assert Post.objects.get().status == Post.Status.DRAFT


def test_a_future_date_schedules_the_post_and_says_when(page, editor, log_in_to_admin):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    field(page, "Title").fill("Next week")
    field(page, "Body").fill("Soon.")
    publish = page.locator("button[name=_publish]")
    expect(publish).to_have_text("Publish")
    later = timezone.localtime() + timedelta(days=3)
    field(page, "Date").fill(later.strftime("%Y-%m-%d"))
    field(page, "Time").fill("09:00:00")
    expect(publish).to_have_text("Schedule")
    publish.click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Scheduled for {later.day} {later:%B}, 09:00."
    )
    assert Post.objects.get().is_scheduled
    # A scheduled post's buttons are a published post's.
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()


def test_without_javascript_the_preview_button_shows_the_post_and_saves_nothing(
    page_without_js, editor, log_in_to_admin
):
    page = page_without_js
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    field(page, "Title").fill("Seen before saving")
    field(page, "Excerpt").fill(PASSAGE)
    page.get_by_role("button", name="Preview").click()
    expect(preview(page).locator("blockquote.excerpt p")).to_have_count(7)
    expect(preview(page).locator("h1")).to_have_text("Seen before saving")
    expect(field(page, "Title")).to_have_value("Seen before saving")
    expect(field(page, "Excerpt")).to_have_value(PASSAGE)
    assert not Post.objects.exists()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published.")
    assert Post.objects.get().is_published


def test_the_form_is_kept_in_the_browser_and_offered_back(page, editor, log_in_to_admin):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    field(page, "Title").fill("Half written")
    field(page, "Body").fill("A thought I must not lose.")
    page.wait_for_timeout(1000)  # the form is kept a moment after typing stops

    page.goto("/admin/blog/post/add/")  # the tab was closed, or the browser crashed
    banner = page.locator("#post-autosave")
    expect(banner).to_contain_text("This browser kept changes to this post")
    expect(field(page, "Title")).to_have_value("")
    banner.get_by_role("button", name="Restore them").click()
    expect(field(page, "Title")).to_have_value("Half written")
    expect(field(page, "Body")).to_have_value("A thought I must not lose.")
    expect(banner).to_be_hidden()

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Draft saved.")
    page.goto("/admin/blog/post/add/")
    expect(page.locator("#post-autosave")).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_and_the_post_list_look_right(page, editor, log_in_to_admin, width):
    make_post(title="An article", body="Words.")
    make_post(title="A link post", excerpt="Quoted.", source_url="https://example.org/")
    page.set_viewport_size({"width": width, "height": 900})
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="A link post").locator(".field-post_type")).to_have_text(
        "Link post"
    )
    expect(rows.filter(has_text="An article").locator(".field-post_type")).to_have_text("Article")
    expect(page.locator(".press-this")).to_be_visible()
    # Nothing makes the page scroll sideways, on a phone either.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    save_screenshot(page, f"admin-post-list-{width}")

    page.goto("/admin/blog/post/add/")
    field(page, "Title").fill("A garden, not a factory")
    field(page, "Excerpt").fill(PASSAGE)
    expect(preview(page).locator("blockquote p")).to_have_count(7)
    title_box = field(page, "Title").bounding_box()
    body_box = field(page, "Body").bounding_box()
    # The title spans the form, as wide as the body.
    assert title_box["width"] >= body_box["width"] - 2
    # The excerpt grew to show all seven lines.
    excerpt = field(page, "Excerpt")
    assert excerpt.evaluate("box => box.scrollHeight <= box.clientHeight + 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    save_screenshot(page, f"admin-post-editor-{width}")


def save_screenshot(page, name):
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
