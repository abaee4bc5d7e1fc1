"""Importing a Disqus export: its comments land on the posts they were written on."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from blog.models import Post
from comments.models import Comment, CommentEvent
from core.redirects import add_redirect
from moving.disqus_import import DELETED_BODY, DisqusImport
from moving.imports import ImportOptions, ImportRefused
from moving.wordpress_import import WordPressImport
from tests.factories import make_post
from tests.moving.shared import shared_fixture

DATA = Path(__file__).parent / "data" / "import"
DISQUS = DATA / "old-blog-disqus.xml"

pytestmark = pytest.mark.django_db


def import_disqus(path=DISQUS, **options):
    return DisqusImport(path, options=ImportOptions(**options)).run()


@pytest.fixture
def old_blog():
    """The WordPress site the Disqus comments were on, imported first."""
    WordPressImport(DATA / "old-blog.xml").run()
    return {post.title: post for post in Post.objects.all()}


def comments_of(post):
    return {comment.author_name: comment for comment in post.comments.all()}


def test_threads_are_matched_by_identifier_and_by_old_address(old_blog):
    report = import_disqus()
    gardens = comments_of(old_blog["Gardens, not factories"])
    assert {"Dana Disqus", "Replier", "Third Voice", "Still Here"} <= set(gardens)
    conversation = comments_of(old_blog["A long conversation"])
    assert {"Watch Seller", "Regretful", "Onlooker"} <= set(conversation)
    assert report.count("comments", "imported") == 7
    assert report.reasons["comments", "skipped", "its thread matches no post"] == 1
    assert any("Contact" in note and "matches no post" in note for note in report.notes)


def test_comments_keep_author_date_status_and_replies(old_blog, mailoutbox):
    import_disqus()
    gardens = comments_of(old_blog["Gardens, not factories"])
    first = gardens["Dana Disqus"]
    assert first.status == Comment.Status.APPROVED
    assert first.author_email == "dana@example.com"
    assert first.ip_address == "192.0.2.50"
    assert first.created_at == datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    assert first.body == "First on Disqus, with my notes (https://reader.example/notes)."
    assert first.akismet_verdict == Comment.Verdict.UNCHECKED
    assert list(first.events.values_list("kind", flat=True)) == [CommentEvent.Kind.IMPORTED]
    assert "Disqus" in first.events.get().detail
    # A reply listed before its parent still finds it; a bad email or IP is left out.
    assert gardens["Replier"].parent == first
    assert gardens["Third Voice"].parent == gardens["Replier"]
    assert (gardens["Replier"].author_email, gardens["Replier"].ip_address) == ("", None)
    conversation = comments_of(old_blog["A long conversation"])
    assert conversation["Watch Seller"].status == Comment.Status.SPAM
    deleted = conversation["Regretful"]
    assert (deleted.status, deleted.body) == (Comment.Status.TRASH, DELETED_BODY)
    assert conversation["Onlooker"].parent == deleted
    assert mailoutbox == []


def test_malformed_entries_are_listed_and_the_rest_go_in(old_blog):
    report = import_disqus()
    assert report.count("comments", "failed") == 2
    assert any("507" in failure and "yesterday" in failure for failure in report.failures)
    assert any("not well-formed" in failure for failure in report.failures)
    assert Comment.objects.filter(author_name="Still Here").exists()


def test_importing_again_adds_nothing(old_blog):
    import_disqus()
    count = Comment.objects.count()
    again = import_disqus()
    assert Comment.objects.count() == count
    assert again.count("comments", "imported") == 0
    assert again.reasons["comments", "skipped", "already imported"] == 7


def test_a_dry_run_writes_nothing(old_blog):
    count = Comment.objects.count()
    report = import_disqus(dry_run=True)
    assert report.count("comments", "imported") == 7
    assert Comment.objects.count() == count


def test_a_thread_is_found_at_this_sites_own_address(tmp_path):
    post = make_post(title="Here now")
    path = tmp_path / "disqus.xml"
    path.write_text(
        DISQUS.read_text().replace(
            "https://old.example.blog/a-long-conversation/",
            f"https://new.example.org{post.get_absolute_url()}",
        )
    )
    import_disqus(path)
    assert set(comments_of(post)) == {"Watch Seller", "Regretful", "Onlooker"}


def test_isso_fixture_orphans_empty_threads_and_deleted_parents():
    post = make_post(title="Hello, World!")
    # The site's old address for the post was its Disqus identifier.
    add_redirect("/some-id/", post.get_absolute_url())
    report = import_disqus(shared_fixture("disqus", "isso-disqus.xml"))
    comments = comments_of(post)
    assert set(comments) == {"peter", "user"}
    replies = list(post.comments.filter(author_name="user").order_by("created_at"))
    assert [reply.parent.author_name for reply in replies] == ["peter", "peter"]
    assert {reply.parent.status for reply in replies} == {
        Comment.Status.APPROVED,
        Comment.Status.TRASH,
    }
    assert report.reasons["comments", "skipped", "its thread is not in the file"] == 1
    assert report.reasons["comments", "skipped", "its thread matches no post"] == 1


@pytest.mark.parametrize("name", ["remark42-disqus.xml", "remark42-disqus-deleted-post.xml"])
def test_remark42_fixtures_with_broken_entries_and_non_latin_text(name):
    post = make_post(title="Podcast 229")
    add_redirect("/p/2011/03/05/podcast-229/", post.get_absolute_url())
    report = import_disqus(shared_fixture("disqus", name))
    comments = comments_of(post)
    assert set(comments) == {"Alexander Blah", "mikhail", "Spam Noname"}
    assert comments["mikhail"].body.startswith("Microsoft показал проводник Windows 8")
    assert comments["Spam Noname"].status == Comment.Status.SPAM
    deleted = name == "remark42-disqus-deleted-post.xml"
    expected = Comment.Status.TRASH if deleted else Comment.Status.APPROVED
    assert comments["Alexander Blah"].status == expected
    # The comment without an id and the one with broken XML are listed, not fatal.
    assert report.count("comments", "failed") == 2
    assert any("without a Disqus id" in failure for failure in report.failures)
    assert any("radio-t.umputun.com" in note for note in report.notes)


def test_a_file_that_is_not_a_disqus_export_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match="not a Disqus export"):
        import_disqus(DATA / "old-blog.xml")
    laughs = tmp_path / "laughs.xml"
    laughs.write_text(
        '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY lol "lol">]>'
        '<disqus xmlns="http://disqus.com"><post>&lol;</post></disqus>'
    )
    with pytest.raises(ImportRefused, match="refused as unsafe"):
        import_disqus(laughs)
    with pytest.raises(ImportRefused, match="cannot be read"):
        import_disqus(tmp_path / "missing.xml")


def test_the_command_prints_the_report_and_refuses_what_it_cannot_read(old_blog):
    out = StringIO()
    call_command("import_disqus", str(DISQUS), stdout=out)
    assert "Comments: 7 imported" in out.getvalue()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_disqus", str(DATA / "old-blog.xml"))
