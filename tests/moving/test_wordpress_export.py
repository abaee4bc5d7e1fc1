"""Exporting to WordPress: a file WordPress reads, which also brings the site back here."""

import xml.dom.minidom
from datetime import timedelta
from io import StringIO

import feedparser
import pytest
from django.core.management import call_command
from taggit.models import Tag

from blog.models import Post
from comments.models import Comment
from moving.imports import ImportOptions
from moving.models import Origin
from moving.wordpress_export import export_wordpress
from moving.wordpress_import import WordPressImport
from tests.factories import make_comment, make_link_post, make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    """A link post with a thread and a pingback, an article, a draft and a scheduled post."""
    ada = make_user(username="ada", first_name="Ada", last_name="Marsh")
    link_post = make_link_post(
        title="Worth reading: “gardens” & <factories>",
        body="My **commentary**.\nA second line.\n\nA second paragraph with ]]> in it.",
        excerpt="First quoted paragraph.\nSecond quoted paragraph.",
        source_name="Example Essays",
        summary="Why gardens win.",
        author=ada,
        tags=["small web", "gardening"],
    )
    first = make_comment(post=link_post, body="First!\n\nWith <b>angle</b> brackets & more.")
    reply = make_comment(post=link_post, parent=first, ip_address="192.0.2.5")
    make_comment(post=link_post, parent=reply, status=Comment.Status.PENDING)
    make_comment(post=link_post, status=Comment.Status.TRASH)
    make_comment(post=link_post, status=Comment.Status.SPAM, author_name="Spammer")
    make_comment(
        post=link_post,
        kind=Comment.Kind.PINGBACK,
        author_name="Another Blog",
        author_url="https://another.example.net/post/",
    )
    make_post(title="An article", body="Just words.", author=ada, comments_open=False)
    make_post(title="Unfinished", status=Post.Status.DRAFT, author=ada)
    make_post(
        title="Later",
        author=ada,
        published_at=link_post.published_at + timedelta(days=10),
    )
    return link_post


def exported(**options) -> str:
    return "".join(export_wordpress(**options))


def to_the_second(moment):
    return moment.replace(microsecond=0)


def snapshot():
    """Everything a reader or moderator could notice, without database ids (and times to
    the second, as WordPress keeps them)."""
    posts = {
        post.slug: (
            post.title,
            post.body,
            post.excerpt,
            post.source_url,
            post.source_title,
            post.source_name,
            post.summary,
            post.status,
            to_the_second(post.published_at),
            post.comments_open,
            post.author.username,
            sorted(post.tags.values_list("name", flat=True)),
        )
        for post in Post.objects.all()
    }
    comments = sorted(
        (
            comment.post.slug,
            comment.author_name,
            comment.author_email,
            comment.author_url,
            comment.ip_address,
            comment.body,
            comment.status,
            comment.kind,
            to_the_second(comment.created_at),
            comment.parent.body if comment.parent else None,
        )
        for comment in Comment.objects.select_related("post", "parent")
    )
    return posts, comments


def test_the_export_is_well_formed_and_an_independent_reader_finds_every_post(site):
    text = exported()
    xml.dom.minidom.parseString(text.encode())
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.get("bozo_exception")
    titles = {entry.title for entry in feed.entries}
    assert {site.title, "An article", "Unfinished", "Later"} <= titles
    entry = next(entry for entry in feed.entries if entry.title == site.title)
    assert entry.link.endswith(site.get_absolute_url())
    assert {tag.term for tag in entry.tags} == {"small web", "gardening"}


def test_a_link_post_reads_in_wordpress_as_its_page_shows_it(site):
    feed = feedparser.parse(exported())
    entry = next(entry for entry in feed.entries if entry.title == site.title)
    html = entry.content[0].value
    assert "<strong>commentary</strong>" in html
    assert '<blockquote class="excerpt"><p>First quoted paragraph.</p>' in html
    assert 'via <a href="https://example.org/articles/quoted">The Quoted Article</a>' in html
    assert "| Example Essays" in html


def test_spam_is_left_out_unless_asked_for(site):
    assert "Spammer" not in exported()
    assert "Spammer" in exported(include_spam=True)


def test_the_export_imports_back_into_a_fresh_site_with_nothing_lost(site, tmp_path):
    before = snapshot()
    export = tmp_path / "site.xml"
    call_command("export_wordpress", "--include-spam", "--output", str(export), stderr=StringIO())

    # A fresh copy of the site: the same users, nothing else.
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Tag.objects.all().delete()
    report = WordPressImport(export, options=ImportOptions()).run()

    assert not report.failures
    assert report.count("posts", "imported") == 4
    assert snapshot() == before
    assert Origin.objects.filter(kind=Origin.Kind.POST).count() == 4


def test_the_command_writes_the_export_to_stdout(site):
    out = StringIO()
    call_command("export_wordpress", stdout=out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8" ?>')
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in out.getvalue()
