"""The feeds at WordPress's addresses, checked by a parser no one here wrote (feedparser)
and against the MUSTs of RFC 4287 (Atom) and the RSS 2.0 specification."""

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import SimpleNamespace

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


@pytest.fixture
def site(db):
    """Two tagged posts with approved comments, and what no feed may show."""
    link_post = factories.make_link_post(title="Worth reading", tags=["python"])
    post = factories.make_post(title="An ordinary article", tags=["python"])
    draft = factories.make_post(title="A secret draft", status=Post.Status.DRAFT)
    return SimpleNamespace(
        link_post=link_post,
        post=post,
        first=factories.make_comment(post=link_post, author_name="Ada"),
        second=factories.make_comment(post=post, author_name="Grace"),
        pending=factories.make_comment(post=post, status=Comment.Status.PENDING),
        on_draft=factories.make_comment(post=draft),
    )


def permalink_feed(post):
    return f"{post.get_absolute_url()}feed/"


def atom_feeds(site):
    return {
        "site": reverse("blog:feed-atom"),
        "tag": reverse("blog:tag-feed-atom", args=["python"]),
        "site comments": reverse("comments:feed"),
        "post comments": permalink_feed(site.link_post),
        "post comments, older address": reverse("comments:post-feed", args=[site.link_post.pk]),
    }


def rss_feeds(site):
    return {"site": reverse("blog:feed-rss"), "tag": reverse("blog:tag-feed-rss", args=["python"])}


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response


def is_rfc3339(text) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except (TypeError, ValueError):
        return False


def atom_problems(feed) -> list[str]:
    """What in an Atom document breaks a MUST of RFC 4287 (or its SHOULD of a self link)."""
    problems = []

    def check(element, where):
        for name in ("id", "title", "updated"):
            if len(element.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"{where} needs exactly one <{name}>")
        if not is_rfc3339(element.findtext(f"{ATOM}updated")):
            problems.append(f"{where}'s <updated> is not an RFC 3339 date")
        links = element.findall(f"{ATOM}link")
        alternates = Counter(
            (link.get("type"), link.get("hreflang"))
            for link in links
            if link.get("rel", "alternate") == "alternate"
        )
        if any(count > 1 for count in alternates.values()):
            problems.append(f"{where} has two alternate links of one type")
        return links, alternates

    links, _ = check(feed, "the feed")
    if not any(link.get("rel") == "self" for link in links):
        problems.append("the feed has no rel=self link")
    entries = feed.findall(f"{ATOM}entry")
    feed_has_author = feed.find(f"{ATOM}author") is not None
    for number, entry in enumerate(entries):
        where = f"entry {number}"
        _, alternates = check(entry, where)
        if entry.find(f"{ATOM}content") is None and not alternates:
            problems.append(f"{where} has neither <content> nor an alternate link")
        if not feed_has_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"{where} has no author, nor has the feed")
    ids = Counter(entry.findtext(f"{ATOM}id") for entry in entries)
    problems += [f"two entries share the id {id}" for id, count in ids.items() if count > 1]
    return problems


def rss_problems(rss) -> list[str]:
    """What in an RSS 2.0 document lacks an element the specification requires."""
    channel = rss.find("channel")
    if rss.tag != "rss" or rss.get("version") != "2.0" or channel is None:
        return ["not an RSS 2.0 document"]
    problems = [
        f"the channel needs a <{name}>"
        for name in ("title", "link", "description")
        if channel.find(name) is None
    ]
    for number, item in enumerate(channel.findall("item")):
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"item {number} has neither title nor description")
        if not item.findtext("guid"):
            problems.append(f"item {number} has no guid")
        try:
            parsedate_to_datetime(item.findtext("pubDate"))
        except (TypeError, ValueError):
            problems.append(f"item {number} has no valid pubDate")
    return problems


# A parser no one here wrote
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["site", "tag", "site comments", "post comments", "post comments, older address"]
)
def test_every_atom_feed_parses_cleanly(client, site, name):
    parsed = feedparser.parse(fetch(client, atom_feeds(site)[name]).content)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.entries
    assert all(entry.get("updated_parsed") for entry in parsed.entries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["site", "tag"])
def test_every_rss_feed_parses_cleanly(client, site, name):
    parsed = feedparser.parse(fetch(client, rss_feeds(site)[name]).content)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert {entry.title for entry in parsed.entries} == {"Worth reading", "An ordinary article"}
    assert all(entry.get("published_parsed") and entry.get("id") for entry in parsed.entries)


@pytest.mark.django_db
def test_an_empty_comment_feed_still_parses_cleanly(client):
    quiet = factories.make_post()

    parsed = feedparser.parse(fetch(client, permalink_feed(quiet)).content)

    assert parsed.bozo == 0 and parsed.entries == []
    assert atom_problems(ET.fromstring(fetch(client, permalink_feed(quiet)).content)) == []


# The specifications' MUSTs
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_atom_feeds_meet_rfc_4287(client, site):
    for name, path in atom_feeds(site).items():
        assert atom_problems(ET.fromstring(fetch(client, path).content)) == [], name


@pytest.mark.django_db
def test_rss_feeds_carry_the_elements_rss_2_requires(client, site):
    for name, path in rss_feeds(site).items():
        assert rss_problems(ET.fromstring(fetch(client, path).content)) == [], name


@pytest.mark.django_db
def test_post_entries_carry_the_whole_post_as_html_and_the_summary_apart(client, site):
    atom = ET.fromstring(fetch(client, reverse("blog:feed-atom")).content)
    rss = ET.fromstring(fetch(client, reverse("blog:feed-rss")).content)

    entry = next(
        e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Worth reading"
    )
    item = next(i for i in rss.iter("item") if i.findtext("title") == "Worth reading")
    for html in (entry.findtext(f"{ATOM}content"), item.findtext(f"{CONTENT}encoded")):
        assert site.link_post.body_html in html
        assert f'<blockquote cite="{site.link_post.source_url}">' in html
        assert 'via <a href="https://example.org/articles/quoted"' in html
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.findtext(f"{ATOM}summary") == item.findtext("description")
    assert entry.findtext(f"{ATOM}summary") == site.link_post.summary_text


@pytest.mark.django_db
def test_a_summary_with_markup_characters_stays_text(client):
    factories.make_post(summary="Fish & chips <b>not bold</b>")

    parsed = feedparser.parse(fetch(client, reverse("blog:feed-atom")).content)

    assert parsed.entries[0].summary == "Fish &amp; chips &lt;b&gt;not bold&lt;/b&gt;"


@pytest.mark.django_db
def test_an_entry_is_never_updated_before_it_was_published(client):
    """A scheduled post was last saved before it went out."""
    post = factories.make_post()
    saved_at = post.published_at - timezone.timedelta(days=2)
    Post.objects.filter(pk=post.pk).update(updated_at=saved_at)

    entry = ET.fromstring(fetch(client, reverse("blog:feed-atom")).content).find(f"{ATOM}entry")

    published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) >= published


@pytest.mark.django_db
def test_feed_and_entry_ids_are_unique_across_feeds(client, site):
    documents = {
        name: ET.fromstring(fetch(client, path).content) for name, path in atom_feeds(site).items()
    }
    del documents["post comments, older address"]  # The same feed, so the same ids.

    feed_ids = [document.findtext(f"{ATOM}id") for document in documents.values()]
    entry_ids = {
        name: {entry.findtext(f"{ATOM}id") for entry in document.iter(f"{ATOM}entry")}
        for name, document in documents.items()
    }
    post_ids = entry_ids["site"] | entry_ids["tag"]
    comment_ids = entry_ids["site comments"] | entry_ids["post comments"]
    assert len(set(feed_ids)) == len(feed_ids)
    assert not set(feed_ids) & (post_ids | comment_ids)
    assert not post_ids & comment_ids
    # One post keeps one id wherever it appears, in Atom and in RSS.
    rss = ET.fromstring(fetch(client, reverse("blog:feed-rss")).content)
    assert {item.findtext("guid") for item in rss.iter("item")} == entry_ids["site"]


# The comment feeds
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_site_comment_feed_lists_approved_comments_on_published_posts_newest_first(client, site):
    newest = factories.make_comment(post=site.link_post, author_name="Linus")

    parsed = feedparser.parse(fetch(client, reverse("comments:feed")).content)

    assert [entry.title for entry in parsed.entries] == [
        "Comment on Worth reading by Linus",
        "Comment on An ordinary article by Grace",
        "Comment on Worth reading by Ada",
    ]
    assert parsed.entries[0].link == f"http://testserver{newest.get_absolute_url()}"
    assert parsed.entries[0].content[0].value == newest.body_html


@pytest.mark.django_db
def test_a_posts_comment_feed_lives_under_the_posts_address(client, site):
    parsed = feedparser.parse(fetch(client, permalink_feed(site.link_post)).content)

    assert [entry.id for entry in parsed.entries] == [
        f"http://testserver{site.first.get_absolute_url()}"
    ]
    assert parsed.feed.title == "Comments on “Worth reading”"
    assert parsed.feed.link == f"http://testserver{site.link_post.get_absolute_url()}"


@pytest.mark.django_db
def test_the_older_comment_feed_address_serves_the_same_feed_and_names_the_new_one(client, site):
    older = fetch(client, reverse("comments:post-feed", args=[site.link_post.pk]))
    newer = fetch(client, permalink_feed(site.link_post))

    for response in (older, newer):
        self_link = ET.fromstring(response.content).find(f"{ATOM}link[@rel='self']")
        assert self_link.get("href") == f"http://testserver{permalink_feed(site.link_post)}"
    assert older.content == newer.content


@pytest.mark.django_db
def test_the_post_page_advertises_the_comment_feed_under_its_address(client, site):
    page = fetch(client, site.link_post.get_absolute_url()).content.decode()

    link = '<link rel="alternate" type="application/atom+xml" title="Comments on “{}”" href="{}">'
    assert link.format("Worth reading", permalink_feed(site.link_post)) in page


@pytest.mark.django_db
def test_a_posts_comment_feed_follows_the_sites_time_zone(client, settings):
    """Late on the 10th in UTC is the 11th at UTC+14, on the post's page and its feed."""
    settings.TIME_ZONE = "Pacific/Kiritimati"
    post = factories.make_post(published_at=datetime(2024, 3, 10, 23, 30, tzinfo=UTC))
    factories.make_comment(post=post)

    assert permalink_feed(post).startswith("/2024/03/11/")
    assert client.get(post.get_absolute_url()).status_code == 200
    assert len(feedparser.parse(fetch(client, permalink_feed(post)).content).entries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/2024/03/10/no-such-post/feed/",
        "/2026/02/30/x/feed/",
        "/0000/00/00/x/feed/",
        "/9999/12/31/x/feed/",
    ],
)
def test_comment_feeds_of_unknown_posts_and_impossible_dates_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_comment_feeds_of_drafts_and_scheduled_posts_are_404(client):
    draft = factories.make_post(status=Post.Status.DRAFT)
    scheduled = factories.make_post(published_at=timezone.now() + timezone.timedelta(days=1))

    for post in (draft, scheduled):
        assert client.get(permalink_feed(post)).status_code == 404


# WordPress's addresses
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/feed/", "application/rss+xml"),
        ("/feed/atom/", "application/atom+xml"),
        ("/comments/feed/", "application/atom+xml"),
        ("/tags/python/feed/", "application/rss+xml"),
        ("/tags/python/feed/atom/", "application/atom+xml"),
    ],
)
def test_wordpress_feed_addresses_answer_with_their_feed(client, site, path, content_type):
    assert fetch(client, path)["Content-Type"].startswith(content_type)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, location",
    [
        ("/feed/rss/", "/feed/"),
        ("/tag/python/", "/tags/python/"),
        ("/tag/python/feed/", "/tags/python/feed/"),
        ("/tag/python/feed/atom/", "/tags/python/feed/atom/"),
        ("/tags/python/feed/rss/", "/tags/python/feed/"),
        ("/tag/python/?page=1", "/tags/python/?page=1"),
    ],
)
def test_older_and_wordpress_addresses_move_permanently(client, site, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location
    assert client.get(location).status_code == 200


@pytest.mark.django_db
def test_the_wordpress_post_comment_feed_address_answers(client, site):
    assert fetch(client, permalink_feed(site.post))["Content-Type"].startswith(
        "application/atom+xml"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["/feed/", "/comments/feed/", "permalink"])
def test_the_new_feeds_answer_not_modified_to_a_reader_that_has_them(client, site, name):
    path = permalink_feed(site.post) if name == "permalink" else name
    first = fetch(client, path)

    again = client.get(path, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
