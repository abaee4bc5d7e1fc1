"""An editor publishes a link post through the admin in a real browser."""

import pytest
from playwright.sync_api import expect

from blog.models import Post

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
    field(page, "Status").select_option(Post.Status.PUBLISHED)


def test_editor_publishes_a_link_post_and_readers_see_it(page, editor, log_in_to_admin):
    log_in_to_admin(page, editor.username)
    page.goto("/admin/blog/post/add/")
    for fieldset in ("Commentary", "Quoted source", "Publishing"):
        expect(page.locator("fieldset", has_text=fieldset).first).to_be_visible()

    fill_link_post_form(page)
    # The slug is filled in from the title as the editor types.
    expect(field(page, "Slug")).to_have_value("small-sites-deserve-good-tools")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

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
