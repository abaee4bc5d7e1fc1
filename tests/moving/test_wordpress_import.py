"""Importing a WordPress export: what a blogger moving in finds on the new site."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image
from taggit.models import Tag

from blog import webmentions
from blog.models import Post
from comments.models import Comment, CommentEvent
from core.markup import LineBreaks, render_markdown
from moving.imports import ImportOptions, ImportRefused
from moving.models import Origin
from moving.wordpress_import import WordPressImport
from tests.factories import make_user
from tests.moving.shared import shared_fixture

DATA = Path(__file__).parent / "data" / "import"
OLD_BLOG = DATA / "old-blog.xml"

pytestmark = pytest.mark.django_db


def import_file(path=OLD_BLOG, **options):
    return WordPressImport(path, options=ImportOptions(**options)).run()


@pytest.fixture
def uploads(tmp_path, settings):
    """A copy of the old site's wp-content/uploads, and an empty media folder here."""
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "uploads"
    for name, size in (("2024/05/garden.png", (40, 30)), ("2024/06/bench.png", (30, 20))):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, "green").save(folder / name)
    return folder


def test_a_reblog_becomes_a_link_post_with_its_passage_and_source():
    import_file()
    post = Post.objects.get(title="Gardens, not factories")
    assert post.is_link_post
    assert post.source_url == "https://example.org/essays/gardens"
    assert post.source_title == "Gardens, not factories"
    assert post.source_name == "Example Essays"
    assert "**best** case for small sites" in post.body
    assert post.excerpt_html.count("<p>") == 2
    assert "Tend it daily." in post.excerpt_html
    assert "via" not in post.body
    assert post.summary == "Why small sites win."


def test_a_classic_post_keeps_its_paragraphs_line_breaks_and_unknown_shortcodes():
    report = import_file()
    post = Post.objects.get(title="A long conversation")
    html = render_markdown(post.body, line_breaks=LineBreaks.BREAK)
    assert html.count("<p>") >= 3
    assert "Second paragraph,<br" in html
    assert "A bench in the garden" in html
    assert "[contact-form-7" in post.body
    assert any("[contact-form-7]" in note for note in report.notes)
    assert not post.comments_open


def test_statuses_and_dates_map_as_wordpress_meant_them():
    report = import_file()
    published = Post.objects.get(title="Gardens, not factories")
    assert published.is_published
    assert published.published_at == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)
    assert Post.objects.get(title="Coming soon").is_scheduled
    for title in ("Half an idea", "For reviewers", "Only for me"):
        assert Post.objects.get(title=title).status == Post.Status.DRAFT
    # A draft has no GMT date: its local date is read in the site's time zone (UTC here).
    draft = Post.objects.get(title="Half an idea")
    assert draft.published_at == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert draft.slug == "half-an-idea"
    assert not Post.objects.filter(title__in=["Thrown away", "About", "Home"]).exists()
    assert report.count("posts", "imported") == 8
    assert report.reasons["posts", "skipped", "in the trash"] == 1
    assert report.reasons["posts", "skipped", "page (not a post)"] == 1
    assert report.reasons["posts", "skipped", "attachment (not a post)"] == 1
    assert report.reasons["posts", "skipped", "nav_menu_item (not a post)"] == 1


def test_a_password_protected_post_is_never_made_public():
    report = import_file()
    post = Post.objects.get(title="Members only")
    assert post.status == Post.Status.DRAFT
    assert any("Members only" in note and "password" in note for note in report.notes)


def test_a_taken_slug_is_made_unique():
    import_file()
    slugs = set(Post.objects.filter(title__startswith="Gardens").values_list("slug", flat=True))
    assert slugs == {"gardens-not-factories", "gardens-not-factories-2"}


def test_authors_become_inactive_users_without_a_password_or_match_existing_ones():
    existing = make_user(username="robert", email="bob@old.example.blog")
    report = import_file()
    ada = User.objects.get(username="ada")
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Marsh", "ada@old.example.blog")
    assert not ada.is_active and not ada.has_usable_password()
    assert Post.objects.get(title="A long conversation").author == existing
    assert report.count("authors", "imported") == 1
    assert report.count("authors", "skipped") == 1


def test_every_post_can_go_to_one_user():
    editor = make_user(username="edith")
    import_file(author=editor)
    assert set(Post.objects.values_list("author__username", flat=True)) == {"edith"}
    assert not User.objects.filter(username__in=["ada", "bob"]).exists()


def test_categories_and_tags_become_tags():
    import_file()
    post = Post.objects.get(title="Gardens, not factories")
    assert set(post.tags.values_list("slug", flat=True)) == {"django", "small-web"}
    assert Tag.objects.get(slug="small-web").name == "small web"


def test_comments_keep_their_status_author_and_date_without_akismet_or_email(mailoutbox):
    report = import_file()
    post = Post.objects.get(title="Gardens, not factories")
    comments = {c.author_name: c for c in post.comments.all()}
    assert comments["Reader One"].status == Comment.Status.APPROVED
    assert comments["Held Back"].status == Comment.Status.PENDING
    assert comments["Cheap Pills"].status == Comment.Status.SPAM
    assert comments["Binned"].status == Comment.Status.TRASH
    assert comments["Gone With Post"].status == Comment.Status.TRASH
    first = comments["Reader One"]
    assert first.author_email == "one@example.com"
    assert first.author_url == "https://one.example.com/"
    assert first.ip_address == "192.0.2.10"
    assert first.created_at == datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
    assert first.body == "Lovely piece. See my reply (https://two.example.com/post)."
    assert first.akismet_verdict == Comment.Verdict.UNCHECKED
    assert list(first.events.values_list("kind", flat=True)) == [CommentEvent.Kind.IMPORTED]
    assert "WordPress" in first.events.get().detail
    # No date: dated as the comment it replies to; a broken IP address is left out.
    undated = comments["No Date"]
    assert undated.created_at == first.created_at
    assert undated.ip_address is None
    assert undated.parent == first
    assert mailoutbox == []
    assert report.count("comments", "imported") == 13  # Six here, seven on the long conversation.


def test_pingbacks_and_trackbacks_are_kept_apart_and_notes_are_skipped(client):
    report = import_file()
    post = Post.objects.get(title="Gardens, not factories")
    kinds = dict(post.comments.values_list("author_name", "kind"))
    assert kinds["Another Blog"] == Comment.Kind.PINGBACK
    assert kinds["Track Site"] == Comment.Kind.TRACKBACK
    assert "ada" not in kinds  # The editor's note.
    assert report.count("pingbacks", "imported") == 2
    assert report.reasons["comments", "skipped", "note (not a reader's comment)"] == 1

    page = client.get(post.get_absolute_url()).content.decode()
    assert "2 comments on" in page
    mentions = page.split('class="mentions"', 1)[1]
    assert 'href="https://another.example.net/2024/05/07/on-gardens/"' in mentions
    assert "Track Site" in mentions
    thread = page.split('class="comment-list"', 1)[1].split('class="mentions"', 1)[0]
    assert "Another Blog" not in thread


def test_a_chain_deeper_than_the_limit_keeps_its_order_under_the_deepest_allowed_reply(
    settings, client
):
    settings.COMMENTS_THREAD_DEPTH = 5
    import_file()
    post = Post.objects.get(title="A long conversation")
    parents = dict(post.comments.values_list("author_name", "parent__author_name"))
    assert parents["Level 1"] is None
    assert parents["Level 5"] == "Level 4"
    # Level 6 and 7 are deeper than five levels: they hang under level 4, in order.
    assert parents["Level 6"] == "Level 4"
    assert parents["Level 7"] == "Level 4"
    page = client.get(post.get_absolute_url()).content.decode()
    order = [page.index(f"Reply at level {n}") for n in range(1, 8)]
    assert order == sorted(order)


def test_importing_again_adds_nothing_and_a_newer_export_adds_only_what_is_new(tmp_path):
    import_file()
    counts = Post.objects.count(), Comment.objects.count(), Origin.objects.count()
    again = import_file()
    assert (Post.objects.count(), Comment.objects.count(), Origin.objects.count()) == counts
    assert again.count("posts", "imported") == 0
    assert again.reasons["posts", "skipped", "already imported"] == 8

    newer = tmp_path / "newer.xml"
    new_comment = OLD_BLOG.read_text().replace(
        "<wp:comment><wp:comment_id>9</wp:comment_id>",
        "<wp:comment><wp:comment_id>10</wp:comment_id><wp:comment_author>Late Reader"
        "</wp:comment_author><wp:comment_content>Only now.</wp:comment_content>"
        "<wp:comment_date_gmt>2024-09-01 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
        "</wp:comment><wp:comment><wp:comment_id>9</wp:comment_id>",
    )
    newer.write_text(new_comment)
    report = import_file(newer)
    assert Comment.objects.count() == counts[1] + 1
    assert Comment.objects.get(author_name="Late Reader").status == Comment.Status.APPROVED
    assert report.count("posts", "updated") == 1


def test_a_dry_run_reports_everything_and_writes_nothing():
    report = import_file(dry_run=True)
    assert report.count("posts", "imported") == 8
    assert report.count("comments", "imported") == 13
    assert not Post.objects.exists()
    assert not Comment.objects.exists()
    assert not User.objects.exists()
    assert report.lines()[0] == "Dry run: nothing was written."


def test_a_post_that_fails_is_rolled_back_and_listed_while_the_rest_go_in(monkeypatch):
    from moving import wordpress_import

    real = wordpress_import.record_revision

    def failing_for_one(post, *, by):
        if post.title == "A long conversation":
            raise ValueError("the disk is full")
        return real(post, by=by)

    monkeypatch.setattr(wordpress_import, "record_revision", failing_for_one)
    report = import_file()
    assert not Post.objects.filter(title="A long conversation").exists()
    assert not Comment.objects.filter(author_name__startswith="Level").exists()
    assert Post.objects.filter(title="Gardens, not factories").exists()
    assert report.count("posts", "failed") == 1
    assert "A long conversation" in report.failures[0] and "the disk is full" in report.failures[0]


def test_featured_and_content_images_are_copied_from_the_uploads_folder(uploads):
    report = import_file(media_dir=uploads)
    post = Post.objects.get(title="Gardens, not factories")
    assert post.image.name.startswith("posts/")
    assert (post.image_width, post.image_height) == (40, 30)
    assert post.image_alt == "Raised beds in morning light"
    classic = Post.objects.get(title="A long conversation")
    assert "old.example.blog" not in classic.body
    assert "/media/imported/2024/06/bench.png" in classic.body
    assert report.count("images", "imported") == 2


def test_without_the_uploads_folder_images_keep_their_addresses_and_are_listed():
    report = import_file()
    assert not Post.objects.get(title="Gardens, not factories").image
    classic = Post.objects.get(title="A long conversation")
    assert "https://old.example.blog/wp-content/uploads/2024/06/bench.png" in classic.body
    assert any("bench.png" in note for note in report.notes)
    assert any("garden.png" in note for note in report.notes)


@pytest.mark.parametrize(
    ("old_address", "expected"),
    [
        ("/2024/05/06/gardens-not-factories/", "post"),
        ("/2024/05/gardens-not-factories/", "post"),
        ("/gardens-not-factories/", "post"),
        ("/?p=101", "post"),
        ("/gardens-not-factories/feed/", "feed"),
        ("/category/notes/django/", "/tags/django/"),
        ("/category/notes/", "/tags/notes/"),
        ("/tag/small-web/", "/tags/small-web/"),
        ("/author/ada/", "/authors/ada/"),
        ("/?s=small+gardens", "/search/?q=small+gardens"),
    ],
)
def test_the_old_sites_addresses_lead_to_the_new_pages(client, old_address, expected):
    import_file()
    post = Post.objects.get(title="Gardens, not factories")
    targets = {"post": post.get_absolute_url(), "feed": f"{post.get_absolute_url()}feed/"}
    response = client.get(old_address)
    if old_address == post.get_absolute_url():  # The same shape of address as here.
        assert response.status_code == 200
        return
    assert response.status_code == 301
    assert response["Location"] == targets.get(expected, expected)


def test_wordpress_feed_addresses_are_this_sites_own(client):
    import_file()
    for address in ("/feed/", "/comments/feed/"):
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))
    assert "Gardens, not factories" in client.get("/feed/").content.decode()


def test_a_moved_post_keeps_its_old_addresses_pointing_at_it(client):
    import_file()
    post = Post.objects.get(title="A long conversation")
    post.slug = "the-long-conversation"
    post.save()
    response = client.get("/a-long-conversation/")
    assert response["Location"] == post.get_absolute_url()


def test_the_command_prints_the_report():
    out = StringIO()
    call_command("import_wordpress", str(OLD_BLOG), stdout=out)
    text = out.getvalue()
    assert text.startswith("Import finished.")
    assert "Posts: 8 imported" in text
    assert "Pingbacks: 2 imported" in text


def test_the_command_refuses_a_broken_file_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(OLD_BLOG.read_text().replace("</item>", "</itme>", 3))
    with pytest.raises(CommandError, match=r"Nothing was imported.*line \d+"):
        call_command("import_wordpress", str(broken))
    assert not Post.objects.exists()


def test_the_command_refuses_an_unknown_author():
    with pytest.raises(CommandError, match="no user “nobody”"):
        call_command("import_wordpress", str(OLD_BLOG), "--author", "nobody")


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>A</title></item></channel></rss>"
    )
    with pytest.raises(ImportRefused, match="wxr_version"):
        import_file(feed)
    missing = tmp_path / "nowhere.xml"
    with pytest.raises(ImportRefused, match="cannot be read"):
        import_file(missing)
    assert not Post.objects.exists()


def test_the_http_namespace_of_wxr_1_0_imports_too(tmp_path):
    old = tmp_path / "old.xml"
    old.write_text(
        OLD_BLOG.read_text()
        .replace("https://wordpress.org/export/1.2/", "http://wordpress.org/export/1.0/")
        .replace("<wp:wxr_version>1.2</wp:wxr_version>", "<wp:wxr_version>1.0</wp:wxr_version>")
    )
    report = import_file(old)
    assert report.count("posts", "imported") == 8
    assert Post.objects.get(title="Gardens, not factories").is_link_post


def test_a_comment_with_html_stays_readable():
    import_file()
    trackback = Comment.objects.get(author_name="Track Site")
    assert trackback.body == "Gardens linked here."


def test_imported_comments_fall_under_the_retention_rules():
    from comments.services import personal_data_purge

    import_file()
    assert Comment.objects.filter(ip_address__isnull=False).exists()
    personal_data_purge()
    # Every imported comment is years old: past COMMENTS_PERSONAL_DATA_RETENTION_DAYS.
    assert not Comment.objects.filter(ip_address__isnull=False).exists()


# The files WordPress's importer tests itself with, and Isso's: each imports, or is
# refused with its reason and writes nothing.
@pytest.mark.parametrize(
    ("name", "posts", "in_body"),
    [
        ("wxr-simple.xml", 1, "Two roads diverged in a yellow wood,"),
        ("valid-wxr-1.0.xml", 3, "Tagged in roar, news"),
        ("valid-wxr-1.1.xml", 1, "Welcome to WordPress."),
        ("small-export.xml", 6, "This post has a lot of categories."),
        ("wxr-utf-8-challenges.xml", 1, "𝓣𝓮𝓼𝓽 𝓜𝓾𝓵𝓽𝓲-𝓑𝔂𝓽𝓮"),
        ("crazy-cdata-escaped.xml", 1, "Content with nested"),
        ("cdata-edge.xml", 1, "ends with sequence ]] >"),
        ("blank-lines.xml", 1, "first paragraph\n\nsecond paragraph"),
        ("backslashes.xml", 1, "C:\\xampp\\htdocs\\wp-content"),
        ("slashes.xml", 1, "Slashes aren\\\\'t"),
        ("missing-tags.xml", 1, "text"),
        ("test-serialized-comment-meta.xml", 1, "This is my content"),
        ("namespace-edge-cases.xml", 5, "Content with namespace conflicts"),
    ],
)
def test_wordpress_test_files_import(name, posts, in_body):
    report = import_file(shared_fixture("wxr", name))
    assert report.count("posts", "imported") == posts
    assert not report.failures
    assert any(in_body in body for body in Post.objects.values_list("body", flat=True))


def test_wordpress_test_files_keep_their_comments_tags_and_authors():
    import_file(shared_fixture("wxr", "small-export.xml"))
    many = Post.objects.get(slug="many-categories")
    assert many.tags.count() > 10
    assert User.objects.filter(username="editor", is_active=False).exists()
    assert Post.objects.get(slug="private-post").status == Post.Status.DRAFT
    # The hijacked namespace's item has no WordPress id: it is left out, and said so.
    report = import_file(shared_fixture("wxr", "namespace-edge-cases.xml"))
    assert report.reasons["posts", "skipped", "no WordPress id"] == 1
    import_file(shared_fixture("wxr", "wxr-utf-8-challenges.xml"))
    assert User.objects.filter(username="admin").exists()  # Its invisible characters gone.


def test_a_comments_backslashes_are_kept():
    import_file(shared_fixture("wxr", "slashes.xml"))
    assert Comment.objects.get().body == "\\o/ ¯\\_(ツ)_/¯"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing-version-tag.xml", "no wp:wxr_version"),
        ("invalid-version-tag.xml", "“abc”"),
        ("malformed.xml", "line 90, column 3"),
        ("malformed-simple.xml", "line 14"),
        ("crazy-cdata.xml", "line 18"),
        ("isso-wordpress.xml", "no wp:wxr_version"),
    ],
)
def test_wordpress_test_files_that_are_not_valid_exports_are_refused(name, reason):
    with pytest.raises(ImportRefused, match=reason):
        import_file(shared_fixture("wxr", name))
    assert not Post.objects.exists() and not User.objects.exists()


def test_isso_export_once_it_names_its_version(tmp_path):
    """Isso's hand-written file lacks only the version: given one, its edge cases import."""
    text = shared_fixture("wxr", "isso-wordpress.xml").read_text()
    versioned = tmp_path / "isso.xml"
    versioned.write_text(
        text.replace("<channel>", "<channel><wp:wxr_version>1.0</wp:wxr_version>", 1)
    )
    report = import_file(versioned)
    post = Post.objects.get(title="Hello, World…")
    comments = {comment.body: comment for comment in post.comments.all()}
    assert post.comments.count() == 7
    first = comments["Erster!1"]
    assert first.author_email == "test@example.org"  # The line break after it is gone.
    assert first.ip_address == "82.119.20.0"
    assert (
        "multiple lines:\nWordPress exports it like this."
        in comments[
            "When you have a comment with multiple lines:\nWordPress exports it like this."
        ].body
    )
    reply = comments["Drölfter!"]
    assert reply.parent.body == "Zweiter."
    assert reply.created_at == datetime(2014, 4, 29, 15, 21, 35, tzinfo=UTC)
    assert comments["Yet another reply."].parent == reply
    # Repeated comment ids on another post are that post's own; ?p=4 gives its id.
    other = Post.objects.get(title="...")
    assert other.comments.get().author_name == "Anonymous"
    assert Origin.objects.filter(kind=Origin.Kind.POST, source_id="4").exists()
    assert report.count("posts", "imported") == 3


@pytest.fixture
def old_site(uploads):
    """The old site on 127.0.0.1, serving its uploads folder over HTTP."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = uploads.parent / "site"
    (root / "wp-content").mkdir(parents=True)
    (root / "wp-content" / "uploads").symlink_to(uploads)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_media_downloads_the_images_from_the_old_site(old_site, uploads, tmp_path):
    (uploads / "2024/06/bench.png").unlink()  # Not there: answered 404.
    export = tmp_path / "local.xml"
    export.write_text(
        OLD_BLOG.read_text().replace(
            "https://old.example.blog/wp-content", f"{old_site}/wp-content"
        )
    )
    report = import_file(export, fetch_media=True)
    post = Post.objects.get(title="Gardens, not factories")
    assert (post.image_width, post.image_height) == (40, 30)
    classic = Post.objects.get(title="A long conversation")
    assert f"{old_site}/wp-content/uploads/2024/06/bench.png" in classic.body
    assert any("bench.png answered 404" in note for note in report.notes)


def test_imported_posts_send_no_webmentions_to_the_pages_they_link(
    settings, django_capture_on_commit_callbacks
):
    """They were published on the old site, maybe years ago: the pages they link to were
    told then, or never asked to be. A later edit sends, as any edit does."""
    settings.WEBMENTION_SEND = True
    settings.WEBMENTION_ALLOW_PRIVATE_ADDRESSES = True  # As if the site could be reached.

    with django_capture_on_commit_callbacks(execute=True):
        import_file()
    assert not DBTaskResult.objects.filter(task_path=webmentions.SEND_TASK).exists()

    post = Post.objects.get(title="Gardens, not factories")
    post.body += "\n\nA note added here."
    with django_capture_on_commit_callbacks(execute=True):
        post.save()
    assert DBTaskResult.objects.filter(task_path=webmentions.SEND_TASK).count() == 1
