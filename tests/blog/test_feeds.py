import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_comment, make_post

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


@pytest.mark.django_db
def test_rss_feed_carries_published_posts_with_excerpt_and_source(
    client, link_post, post, draft, scheduled_post
):
    channel = parse(client.get(reverse("blog:feed-rss"))).find("channel")

    items = {item.findtext("title"): item for item in channel.findall("item")}
    assert set(items) == {post.title, link_post.title}
    link_item = items[link_post.title]
    assert link_item.findtext("link") == f"http://testserver{link_post.get_absolute_url()}"
    content = link_item.findtext(f"{CONTENT}encoded")
    assert '<blockquote cite="https://example.org/articles/quoted">' in content
    assert "A passage quoted from the source article." in content
    assert 'via <a href="https://example.org/articles/quoted"' in content
    assert link_item.findtext("description") == link_post.summary_text
    assert {c.text for c in link_item.findall("category")} == {"python", "web"}


@pytest.mark.django_db
def test_atom_feed_carries_published_posts_with_excerpt_and_source(client, link_post, draft):
    feed = parse(client.get(reverse("blog:feed-atom")))

    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [link_post.title]
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<blockquote" in content.text and "The Quoted Article</a>" in content.text
    assert entries[0].findtext(f"{ATOM}summary") == link_post.summary_text
    assert entries[0].find(f"{ATOM}link").get("href").endswith(link_post.get_absolute_url())
    assert feed.findtext(f"{ATOM}subtitle")


@pytest.mark.django_db
def test_tag_feeds_carry_only_posts_with_that_tag(client, link_post, post):
    other = make_post(title="Also Python", tags=["python"])
    atom = parse(client.get(reverse("blog:tag-feed-atom", kwargs={"slug": "python"})))
    rss = parse(client.get(reverse("blog:tag-feed-rss", kwargs={"slug": "python"})))

    atom_titles = {e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")}
    rss_titles = {i.findtext("title") for i in rss.find("channel").findall("item")}
    assert atom_titles == rss_titles == {link_post.title, other.title}
    assert "python" in atom.findtext(f"{ATOM}title")


@pytest.mark.django_db
def test_feed_of_unknown_tag_is_404(client):
    assert client.get(reverse("blog:tag-feed-atom", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.django_db
def test_sitemap_lists_published_posts_only(client, link_post, post, draft, scheduled_post):
    sitemap = parse(client.get("/sitemap.xml"))

    locations = {url.findtext(f"{SITEMAP}loc") for url in sitemap.findall(f"{SITEMAP}url")}
    assert f"http://testserver{link_post.get_absolute_url()}" in locations
    assert f"http://testserver{post.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{scheduled_post.get_absolute_url()}" not in locations
    assert "http://testserver/tags/python/" in locations
    assert "http://testserver/" in locations


@pytest.mark.django_db
def test_atom_entry_author_links_to_the_author_page_absolutely(client, link_post, settings):
    settings.SITE_URL = "https://blog.example.com"

    feed = client.get(reverse("blog:feed-atom")).content.decode()

    assert f"<uri>https://blog.example.com/authors/{link_post.author.username}/</uri>" in feed


@pytest.mark.django_db
def test_control_characters_pasted_into_a_post_never_break_the_feeds(client):
    post = make_post(title="Bell\x07 and escape\x1b", body="Form\x0c feed")
    assert post.title == "Bell and escape"
    for name in ("blog:feed-atom", "blog:feed-rss"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Bell and escape" in response.content.decode()


@pytest.mark.django_db
def test_a_comment_edited_with_control_characters_keeps_its_feed_working(client, post):
    comment = make_comment(post=post)
    comment.body = "Edited\x01 by a moderator"
    comment.save()

    response = client.get(reverse("comments:post-feed", args=[post.pk]))

    assert response.status_code == 200
    assert "Edited by a moderator" in response.content.decode()
