"""No page or form answers a 500 to anything a visitor can send.

Every request goes through the whole stack (middleware, resolver, view, templates) with
a client that reports a server error as a status instead of raising it, so a 500 fails
the test with the page that gave it.
"""

import struct
import zlib
from datetime import UTC, datetime
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from blog.models import Post
from comments.admin import MODERATION
from comments.models import Comment
from tests import factories
from tests.comments.conftest import form_data, next_ip

MARKER = "My carefully typed remark 7f3a"
COMMENT_OUTCOMES = {302, 400, 403, 409, 413, 429}
PUBLISHED_AT = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def assert_no_server_error(response, what=""):
    what = what or response.request.get("PATH_INFO", "")
    assert response.status_code < 500, f"{what!r} answered {response.status_code}"


class _ClientWithoutAddress(Client):
    """A client whose requests carry no REMOTE_ADDR at all, as behind a broken proxy."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        environ.pop("REMOTE_ADDR", None)
        return environ


@pytest.fixture
def visitor():
    """A client that answers a server error with a 500 response instead of raising."""
    return Client(raise_request_exception=False)


@pytest.fixture
def site(db):
    """A small site: a tagged post with a thread, another post, a draft, a closed post."""
    author = factories.make_user(username="alice")
    post = factories.make_post(
        title="Hostile input", slug="hostile-input", author=author, tags=["python"]
    )
    post.published_at = PUBLISHED_AT
    post.save()
    other_post = factories.make_post(author=author)
    return SimpleNamespace(
        post=post,
        comment=factories.make_comment(post=post),
        pending=factories.make_comment(post=post, status=Comment.Status.PENDING),
        other_post=other_post,
        other_comment=factories.make_comment(post=other_post),
        draft=factories.make_post(status=Post.Status.DRAFT, author=author),
        scheduled=factories.make_post(
            author=author, published_at=timezone.now() + timezone.timedelta(days=3)
        ),
        closed=factories.make_post(comments_open=False, author=author),
    )


def public_pages(site):
    """Every public page, by name."""
    return {
        "home": reverse("blog:home"),
        "post": site.post.get_absolute_url(),
        "tag": reverse("blog:tag", args=["python"]),
        "year": reverse("blog:archive-year", args=[2025]),
        "month": reverse("blog:archive-month", args=[2025, 6]),
        "author": reverse("blog:author", args=["alice"]),
        "search": reverse("blog:search"),
        "archive": reverse("blog:archive"),
        "feed-atom": reverse("blog:feed-atom"),
        "feed-rss": reverse("blog:feed-rss"),
        "tag-feed-atom": reverse("blog:tag-feed-atom", args=["python"]),
        "tag-feed-rss": reverse("blog:tag-feed-rss", args=["python"]),
        "comment-feed": reverse("comments:post-feed", args=[site.post.pk]),
        "day": reverse("blog:archive-day", args=[2025, 6, 15]),
        "site-comment-feed": reverse("comments:feed"),
        "permalink-comment-feed": f"{site.post.get_absolute_url()}feed/",
        "wordpress-tag": "/tag/python/",
        "sitemap": reverse("blog:sitemap"),
        "robots": reverse("core:robots-txt"),
    }


# Public pages
# ----------------------------------------------------------------------------------------

HOSTILE_QUERIES = {
    "page-negative": "page=-1",
    "page-zero": "page=0",
    "page-float-exponent": "page=1e9",
    "page-huge": "page=" + "9" * 30,
    "page-beyond-int-digit-limit": "page=" + "9" * 5000,
    "page-nul": "page=%00",
    "page-word": "page=last",
    "page-superscript-digit": "page=%C2%B2",
    "page-twice": "page=1&page=2",
    "sitemap-page-junk": "p=abc",
    "sitemap-page-negative": "p=-1",
    "non-utf8-key-and-value": "%ff%fe=%ff%fe",
    "non-utf8-search": "q=%ff%fe%c0%af",
    "truncated-percent": "q=%E0%A4%",
    "bare-percent": "q=%",
    "search-twice": "q=a&q=b",
    "search-like-wildcards": "q=%25_%25",
    "search-backslash": "q=%5C%5C",
    "search-quote": "q=%27",
    "search-sql": "q=%27%20OR%201%3D1--%20",
    "search-regex": "q=.*(a%2B)%2B%24[",
    "search-10k": "q=" + "a" * 10_000,
    "search-many-words": "q=" + "+".join(["w"] * 5000),
    "search-nul": "q=a%00b",
    "search-emoji": "q=%F0%9F%92%A9",
    "search-rtl-override": "q=%E2%80%AEevil",
    "huge-value": "x=" + "A" * 100_000,
    "replytocom-junk": "replytocom=junk",
    "replytocom-negative": "replytocom=-1",
    "replytocom-huge": "replytocom=" + "9" * 40,
    "replytocom-superscript-digit": "replytocom=%C2%B2",
    "replytocom-circled-digit": "replytocom=%E2%91%A0",
    "replytocom-arabic-digits": "replytocom=%D9%A1%D9%A2",
    "replytocom-twice": "replytocom=1&replytocom=2",
    "no-equals": "q",
    "only-separators": "&&&==;;",
}


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_public_pages_never_fail_on_hostile_query_strings(visitor, site, query):
    failures = {}
    for name, path in public_pages(site).items():
        response = visitor.get(f"{path}?{query}")
        if response.status_code >= 500:
            failures[name] = response.status_code

    assert failures == {}


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_post_page_shows_normally_whatever_its_query_string(visitor, site, query):
    response = visitor.get(f"{site.post.get_absolute_url()}?{query}")

    assert response.status_code == 200
    assert "Leave a Reply" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["other_comment", "pending"])
def test_reply_link_to_a_comment_that_cannot_be_answered_shows_a_plain_form(visitor, site, target):
    comment = getattr(site, target)

    response = visitor.get(f"{site.post.get_absolute_url()}?replytocom={comment.pk}")

    assert response.status_code == 200
    assert f'value="{comment.pk}"' not in response.text
    assert f"Reply to {comment.author_name}" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["q=%25", "q=_", "q=%5C", "q=%27", "q=" + "x" * 10_000, "q=%00", "q=%F0%9F%92%A9"],
)
def test_search_with_metacharacters_finds_nothing_rather_than_everything(visitor, site, query):
    response = visitor.get(f"{reverse('blog:search')}?{query}")

    assert response.status_code == 200
    assert site.post.title not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["evil.example", "a" * 300, "[::1", "bad host", "x\x00y", "testserver:", ""]
)
@pytest.mark.parametrize("name", ["core:robots-txt", "blog:sitemap", "blog:home"])
def test_a_forged_host_header_is_a_bad_request(visitor, site, name, host):
    assert visitor.get(reverse(name), HTTP_HOST=host).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["testserver:99999999", "TESTSERVER"])
@pytest.mark.parametrize("name", ["core:robots-txt", "blog:sitemap"])
def test_an_odd_but_allowed_host_header_still_works(visitor, site, name, host):
    assert visitor.get(reverse(name), HTTP_HOST=host).status_code == 200


# # Paths
# ----------------------------------------------------------------------------------------

JUNK_PATHS = [
    "/2026/02/30/x/",
    "/2025/02/29/x/",
    "/0000/00/00/x/",
    "/0001/01/01/x/",
    "/9999/12/31/x/",
    "/99999/01/01/x/",
    "/2025/13/01/x/",
    "/2025/06/00/x/",
    "/2025/06/15/unknown-slug/",
    "/2025/06/15/" + "a" * 5000 + "/",
    "/2025/06/15/hostile-input%00/",
    "/0000/",
    "/0001/",
    "/9999/",
    "/0000/01/",
    "/0001/01/",
    "/2025/00/",
    "/2025/13/",
    "/9999/12/",
    "/tags/unknown/",
    "/tags/" + "t" * 5000 + "/",
    "/tags/%00/",
    "/tags/%ff%fe/",
    "/tags/%C0%AF/",
    "/tags/%F0%9F%92%A9/",
    "/tags/..%2F..%2Fetc%2Fpasswd/",
    "/tags/a%0Ab/",
    "/tags/%25/",
    "/tags/unknown/feed/atom/",
    "/tags/%00/feed/rss/",
    "/tags/%ff/feed/atom/",
    "/authors/nobody/",
    "/authors/%00/",
    "/authors/%ff%fe/",
    "/authors/" + "u" * 5000 + "/",
    "/comments/feed/999999/",
    "/comments/feed/" + "9" * 40 + "/",
    "/comments/feed/-1/",
    "/%ff/",
    "/%00/",
    "/sitemap-posts.xml",
    "/" + "z" * 10_000,
    "/2026/02/30/",
    "/2025/02/29/",
    "/0000/00/00/",
    "/0001/01/01/",
    "/9999/12/31/",
    "/2025/13/01/",
    "/2025/06/00/",
    "/2025/06/14/",
    "/2025/06/15/unknown-slug/feed/",
    "/2026/02/30/x/feed/",
    "/9999/12/31/x/feed/",
    "/0000/00/00/x/feed/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", JUNK_PATHS, ids=lambda path: path[:40])
def test_junk_paths_are_not_found(visitor, site, path):
    assert visitor.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [path for path in JUNK_PATHS if path[1].isdigit()],
    ids=lambda path: path[:40],
)
def test_junk_dates_are_not_found_for_staff_who_may_preview(visitor, site, path):
    """Staff may see future posts, which takes the date views down another code path."""
    visitor.force_login(factories.make_editor())

    assert visitor.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/0001/01/01/x/", "/0001/", "/0001/01/", "/9999/12/31/x/"])
def test_dates_at_the_ends_of_the_calendar_are_not_found_in_any_time_zone(
    visitor, site, settings, path
):
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        settings.TIME_ZONE = zone
        assert visitor.get(path).status_code == 404, zone


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["draft", "scheduled"])
def test_unpublished_posts_and_their_feeds_are_not_found(visitor, site, name):
    post = getattr(site, name)

    assert visitor.get(post.get_absolute_url()).status_code == 404
    assert visitor.get(reverse("comments:post-feed", args=[post.pk])).status_code == 404


# The comment form
# ----------------------------------------------------------------------------------------


def comment_url(post):
    return reverse("comments:post-comment", args=[post.pk])


def comment_data(**fields):
    """Valid form data with MARKER in the body; a field given as None is left out."""
    data = form_data(**{"body": f"{MARKER}.", **fields})
    return {key: value for key, value in data.items() if value is not None}


ODD_FIELDS = {
    "no-name": {"author_name": None},
    "no-email": {"author_email": None},
    "no-body": {"body": None},
    "empty-name": {"author_name": ""},
    "blank-body": {"body": " \r\n\t "},
    "name-as-list": {"author_name": ["First", "Second"]},
    "email-as-list": {"author_email": ["a@example.com", "b@example.com"]},
    "url-as-list": {"author_url": ["https://a.example", "javascript:alert(1)"]},
    "parent-as-list": {"parent": ["1", "abc"]},
    "remember-as-list": {"remember": ["on", "off"]},
    "body-as-list": {"body": ["first", f"{MARKER} last"]},
    "remember-junk": {"remember": "maybe"},
    "body-1mb": {"body": MARKER + " " + "x" * 1_000_000},
    "body-just-too-long": {"body": MARKER + "y" * Comment.BODY_MAX},
    "body-nul": {"body": f"{MARKER} \x00 after a NUL"},
    "name-nul": {"author_name": "Eve\x00"},
    "email-nul": {"author_email": "eve\x00@example.com"},
    "url-nul": {"author_url": "https://example.com/\x00"},
    "parent-nul": {"parent": "\x00"},
    "honeypot-nul": {"fax_number": "\x00"},
    "body-emoji-and-rtl": {"body": f"{MARKER} 💩 \u202eevil \ufeff"},
    "name-10k": {"author_name": "N" * 10_000},
    "parent-word": {"parent": "abc"},
    "parent-negative": {"parent": "-5"},
    "parent-zero": {"parent": "0"},
    "parent-huge": {"parent": "9" * 40},
    "parent-beyond-int-digit-limit": {"parent": "9" * 5000},
    "parent-exponent": {"parent": "1e3"},
    "parent-fraction": {"parent": "1.5"},
    "parent-superscript-digit": {"parent": "²"},
    "parent-padded": {"parent": " 7 "},
    "parent-missing-comment": {"parent": "987654"},
    "url-javascript": {"author_url": "javascript:alert(1)"},
    "url-javascript-uppercase": {"author_url": "JAVASCRIPT:alert(1)"},
    "url-javascript-padded": {"author_url": " \tjavascript:alert(1)"},
    "url-data": {"author_url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
    "url-ftp": {"author_url": "ftp://example.org/file"},
    "url-protocol-relative": {"author_url": "//evil.example/"},
    "url-scheme-only": {"author_url": "http://"},
    "url-broken-ipv6": {"author_url": "http://[::1"},
    "url-huge": {"author_url": "https://" + "a" * 5000 + ".example/"},
    "url-idn": {"author_url": "https://例え.jp/パス"},
    "url-bad-port": {"author_url": "https://example.com:99999999/"},
    "email-no-domain-dot": {"author_email": "a@b"},
    "email-ip-literal": {"author_email": "a@[127.0.0.1]"},
    "email-quoted-local": {"author_email": '"quoted local"@example.com'},
    "email-unicode": {"author_email": "🙂@例え.jp"},
    "email-idn": {"author_email": "user@bücher.example"},
    "email-double-dot": {"author_email": "a@b..com"},
    "email-no-local": {"author_email": "@example.com"},
    "email-huge": {"author_email": "a" * 5000 + "@example.com"},
    "email-header-injection": {"author_email": "a@example.com\r\nBcc: victim@example.com"},
    "email-space": {"author_email": "a b@example.com"},
    "honeypot-filled": {"fax_number": "555-0100"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("fields", ODD_FIELDS.values(), ids=ODD_FIELDS.keys())
def test_comment_with_odd_fields_is_refused_or_taken_and_never_fails(visitor, site, fields):
    response = visitor.post(comment_url(site.post), comment_data(**fields), REMOTE_ADDR=next_ip())

    assert response.status_code in COMMENT_OUTCOMES
    if response.status_code == 400 and MARKER in str(fields.get("body", MARKER)):
        assert MARKER in response.text


@pytest.mark.django_db
def test_comment_with_no_fields_at_all_shows_the_form_again(visitor, site):
    response = visitor.post(comment_url(site.post), {})

    assert response.status_code == 400
    assert 'id="commentform"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["other_comment", "pending"])
def test_reply_to_a_comment_that_cannot_be_answered_keeps_the_visitors_text(visitor, site, target):
    parent = getattr(site, target)

    response = visitor.post(
        comment_url(site.post), comment_data(parent=parent.pk), REMOTE_ADDR=next_ip()
    )

    assert response.status_code == 400
    assert MARKER in response.text
    assert not Comment.objects.filter(body__startswith=MARKER).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.org/"],
)
def test_author_url_that_is_not_a_web_address_is_refused_with_the_text_kept(visitor, site, url):
    response = visitor.post(
        comment_url(site.post), comment_data(author_url=url), REMOTE_ADDR=next_ip()
    )

    assert response.status_code == 400
    assert MARKER in response.text
    assert not Comment.objects.filter(author_url=url).exists()


RAW_BODIES = {
    "non-utf8-everywhere": (
        b"body=%ff%fe" + MARKER.encode().replace(b" ", b"+") + b"&author_name=%c0%af"
        b"&author_email=%ff@example.com&author_url=http://%ff.example/"
    ),
    "raw-high-bytes": b"body=\xff\xfe\xfd&author_name=\xc0\xaf&author_email=a@example.com",
    "encoded-surrogate": b"body=%ED%A0%80&author_name=x&author_email=a@example.com",
    "bytes-without-fields": b"\xff\xfe\x00\x00\x01\x02",
    "only-separators": b"&&&===&&",
    "keys-without-values": b"body&author_name&author_email",
    "nul-bytes": b"body=a%00b&author_name=%00&author_email=%00&parent=%00",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=bogus",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=latin-1",
    ],
)
@pytest.mark.parametrize("body", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_comment_with_undecodable_bytes_is_refused_not_failed(visitor, site, body, content_type):
    response = visitor.generic(
        "POST", comment_url(site.post), body, content_type=content_type, REMOTE_ADDR=next_ip()
    )

    assert response.status_code in COMMENT_OUTCOMES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"body": "hello", "author_name": "J", "author_email": "j@example.com"}', None),
        (b"{not json", "application/json"),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--xyz--", None),
        (b"body=hello", "text/plain"),
        (b"", "application/x-www-form-urlencoded"),
    ],
    ids=[
        "json",
        "broken-json",
        "multipart-no-boundary",
        "multipart-garbage",
        "multipart-no-name",
        "text-plain",
        "empty",
    ],
)
def test_comment_in_another_format_is_refused_not_failed(visitor, site, body, content_type):
    if content_type is None:
        content_type = (
            "application/json" if body.startswith(b"{") else "multipart/form-data; boundary=xyz"
        )

    response = visitor.generic("POST", comment_url(site.post), body, content_type=content_type)

    assert response.status_code in {400, 403}


@pytest.mark.django_db
def test_comment_with_a_file_attached_ignores_the_file(visitor, site):
    upload = SimpleUploadedFile("shell.php", b"<?php system($_GET['c']); ?>", "image/png")

    response = visitor.post(
        comment_url(site.post), {**comment_data(), "file": upload}, REMOTE_ADDR=next_ip()
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_comment_bigger_than_the_upload_limit_is_refused_as_too_long(visitor, site, settings):
    data = comment_data(body="z" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))

    assert visitor.post(comment_url(site.post), data).status_code == 413


@pytest.mark.django_db
def test_comment_with_thousands_of_fields_is_a_bad_request(visitor, site, settings):
    extra = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    assert visitor.post(comment_url(site.post), {**comment_data(), **extra}).status_code == 400


REMOTE_ADDRS = [
    "unknown",
    "",
    " ",
    "::1",
    "2001:db8::1",
    "::ffff:203.0.113.9",
    "fe80::1%eth0",
    "fe80::1%" + "x" * 300,
    "1.2.3.4, 5.6.7.8",
    "999.1.1.1",
    "203.0.113.7:8080",
    "\x00",
    "a" * 5000,
]


@pytest.mark.django_db
@pytest.mark.parametrize("address", REMOTE_ADDRS, ids=repr)
def test_comment_from_an_odd_address_is_taken(visitor, site, fake_akismet, address):
    response = visitor.post(comment_url(site.post), comment_data(), REMOTE_ADDR=address)

    assert response.status_code == 302
    assert Comment.objects.filter(body__startswith=MARKER).exists()


@pytest.mark.django_db
def test_comment_without_any_address_is_taken(site, fake_akismet):
    response = _ClientWithoutAddress(raise_request_exception=False).post(
        comment_url(site.post), comment_data()
    )

    assert response.status_code == 302


ODD_HEADERS = {
    "no-user-agent": {},
    "huge-user-agent": {"HTTP_USER_AGENT": "Mozilla/5.0 " + "A" * 100_000},
    "huge-referer": {"HTTP_REFERER": "https://example.com/" + "r" * 100_000},
    "latin1-user-agent": {"HTTP_USER_AGENT": "Agent \xff\xfe"},
    "latin1-referer": {"HTTP_REFERER": "https://example.com/\xff"},
    "nul-user-agent": {"HTTP_USER_AGENT": "Agent\x00"},
    "nul-referer": {"HTTP_REFERER": "https://example.com/\x00"},
    "forwarded-for-junk": {"HTTP_X_FORWARDED_FOR": "junk, \x00, 999.1.1.1"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", ODD_HEADERS.values(), ids=ODD_HEADERS.keys())
def test_comment_with_odd_headers_is_taken(visitor, site, fake_akismet, headers):
    response = visitor.post(
        comment_url(site.post), comment_data(), REMOTE_ADDR=next_ip(), **headers
    )

    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("post_id", ["987654", "0", "9" * 40])
def test_comment_on_a_post_that_does_not_exist_is_not_found(visitor, site, post_id):
    url = f"/comments/post/{post_id}/"

    assert visitor.post(url, comment_data()).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["draft", "scheduled"])
def test_comment_on_an_unpublished_post_is_not_found(visitor, site, name):
    assert visitor.post(comment_url(getattr(site, name)), comment_data()).status_code == 404


@pytest.mark.django_db
def test_comment_on_a_post_with_comments_closed_is_forbidden_with_the_text_kept(visitor, site):
    response = visitor.post(comment_url(site.closed), comment_data(), REMOTE_ADDR=next_ip())

    assert response.status_code == 403
    assert MARKER in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_comment_url_answers_only_post(visitor, site, method):
    response = visitor.generic(method, comment_url(site.post), b"body=x")

    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_the_comment_url_goes_to_the_form(visitor, site, method):
    response = visitor.generic(method, comment_url(site.post))

    assert response.status_code == 302
    assert response["Location"].endswith("#respond")


@pytest.mark.django_db
def test_comment_without_a_csrf_token_is_forbidden(site):
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = strict.post(comment_url(site.post), comment_data())

    assert response.status_code == 403


# Sessions and cookies
# ----------------------------------------------------------------------------------------

JUNK_COOKIES = {
    "session-garbage": "sessionid=garbage",
    "session-huge": "sessionid=" + "s" * 8000,
    "session-non-utf8": "sessionid=%ff%fe",
    "session-raw-high-bytes": "sessionid=\xff\xfe",
    "messages-garbage": "messages=garbage",
    "messages-fake-signature": 'messages="W1siX19qc29uX21lc3NhZ2UiXV0:1abc:xyz"',
    "csrf-junk": "csrftoken=%00%ff",
    "author-non-utf8": "comment_author=%ff%fe",
    "author-truncated-escape": "comment_author=%E0%A4%",
    "author-bare-percent": "comment_author=%",
    "author-nul": "comment_author=%00",
    "author-raw-high-bytes": "comment_author=\xff\xfe\xc0\xaf",
    "author-quoted": 'comment_author="quoted \\"value\\""',
    "author-huge": "comment_author=" + "%41" * 20_000,
    "author-script": "comment_author=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "email-odd": "comment_author_email=%ff%40%00.example",
    "email-huge": "comment_author_email=" + "e" * 50_000,
    "url-javascript": "comment_author_url=javascript%3Aalert(1)",
    "url-non-utf8": "comment_author_url=http%3A%2F%2F%ff%fe",
    "all-three-junk": "comment_author=%ff; comment_author_email=%; comment_author_url=%00",
    "malformed-header": ";;; =; ==junk; comment_author",
}


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", JUNK_COOKIES.values(), ids=JUNK_COOKIES.keys())
def test_post_page_renders_whatever_the_cookies(visitor, site, cookie):
    response = visitor.get(site.post.get_absolute_url(), HTTP_COOKIE=cookie)

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text


@pytest.mark.django_db
def test_post_page_renders_with_a_tampered_session_cookie(visitor, site):
    session = SessionStore()
    session["comments_pending"] = [site.pending.pk]
    session.create()
    tampered = session.session_key[:-4] + "zzzz"

    response = visitor.get(site.post.get_absolute_url(), HTTP_COOKIE=f"sessionid={tampered}")

    assert response.status_code == 200
    assert site.pending.body not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ['Zoë "Q" O\'Brien; path=/', "名前 💬", "%ff%fe literally", "a" * 245, "semi;colon,comma"],
)
def test_remembered_author_with_odd_characters_fills_in_the_form_next_time(visitor, site, name):
    posted = visitor.post(
        comment_url(site.post),
        comment_data(author_name=name, remember="on"),
        REMOTE_ADDR=next_ip(),
    )

    page = visitor.get(site.post.get_absolute_url())

    assert posted.status_code == 302
    assert page.status_code == 200
    assert escape(" ".join(name.split())) in page.text


# Admin
# ----------------------------------------------------------------------------------------


def png_header(width, height, *, image_data=True):
    """A PNG that claims `width`×`height` pixels, built by hand with valid chunk CRCs."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64)) if image_data else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def real_png(width=40, height=30):
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


BAD_IMAGES = {
    "text-as-png": lambda: b"<?php echo 'hi'; ?>",
    "empty-file": lambda: b"",
    "truncated-png": lambda: real_png(400, 300)[:80],
    "png-signature-only": lambda: b"\x89PNG\r\n\x1a\n",
    "forged-100000x100000": lambda: png_header(100_000, 100_000),
    "forged-10000x10000": lambda: png_header(10_000, 10_000),
    "forged-7000x7000-no-data": lambda: png_header(7_000, 7_000, image_data=False),
    "forged-zero-size": lambda: png_header(0, 0),
    "forged-max-uint32": lambda: png_header(2**32 - 1, 1),
    "gif-header-only": lambda: b"GIF89a\xff\xff\xff\xff",
    "svg-with-script": lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
    "bmp-not-allowed": lambda: _image_bytes("BMP"),
    "tiff-not-allowed": lambda: _image_bytes("TIFF"),
}


def _image_bytes(image_format):
    buffer = BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format=image_format)
    return buffer.getvalue()


def post_form(**fields):
    data = {
        "title": "A link worth following",
        "slug": "a-link-worth-following",
        "body": "My commentary.",
        "summary": "",
        "excerpt": "",
        "source_url": "",
        "source_title": "",
        "source_name": "",
        "status": "published",
        "published_at_0": "2025-01-15",
        "published_at_1": "10:30:00",
        "author": "",
        "tags": "python",
        "comments_open": "on",
        "image_alt": "An image",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(params=["editor", "moderator"])
def staff(request, db):
    """A client signed in as an Editor, then as a Moderator."""
    client = Client(raise_request_exception=False)
    make = factories.make_editor if request.param == "editor" else factories.make_moderator
    client.force_login(make())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("content", BAD_IMAGES.values(), ids=BAD_IMAGES.keys())
def test_editor_uploading_a_bad_image_sees_the_form_again(visitor, media_root, content):
    visitor.force_login(factories.make_editor())
    upload = SimpleUploadedFile("picture.png", content(), content_type="image/png")

    response = visitor.post(reverse("admin:blog_post_add"), {**post_form(), "image": upload})

    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not Post.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"source_url": "", "source_title": "The Article"},
        {"source_url": "javascript:alert(1)"},
        {"published_at_0": "2025-02-30", "published_at_1": "25:61:00"},
        {"published_at_0": "99999-01-01"},
        {"published_at_0": "0001-01-01", "published_at_1": "00:00:00"},
        {"status": "bogus", "author": "abc", "tags": '"unclosed, ,,'},
        {"title": "\x00", "slug": "\x00", "body": "\x00"},
        {"slug": "s" * 300, "title": "t" * 300},
        {"image": "not-a-file"},
    ],
    ids=repr,
)
def test_post_add_form_with_bad_fields_never_fails(staff, media_root, fields):
    response = staff.post(reverse("admin:blog_post_add"), post_form(**fields))

    assert response.status_code in {200, 302, 403}


@pytest.mark.django_db
def test_post_with_the_earliest_possible_date_still_renders(visitor, media_root):
    """A date the editor may type, at the very edge of what Python can represent."""
    visitor.force_login(factories.make_editor())
    form = post_form(published_at_0="0001-01-01", published_at_1="00:00:00")
    visitor.post(reverse("admin:blog_post_add"), form)

    for path in ["/", reverse("blog:feed-atom"), reverse("blog:sitemap"), reverse("blog:archive")]:
        assert_no_server_error(visitor.get(path))
        assert_no_server_error(Client(raise_request_exception=False).get(path))


CHANGELIST_QUERIES = [
    "status=bogus",
    "status=%00",
    "akismet_verdict=zzz",
    "o=99",
    "o=abc",
    "o=-",
    "o=1.-2.99",
    "q=%25",
    "q=%00",
    "q=_",
    "q=%5C",
    "q=" + "q" * 10_000,
    "q=%ff%fe",
    "p=-1",
    "p=abc",
    "p=" + "9" * 40,
    "all=",
    "e=1",
    "created_at__year=99999",
    "created_at__year=9999&created_at__month=12&created_at__day=31",
    "created_at__year=0",
    "created_at__year=2025&created_at__month=13",
    "created_at__year=2025&created_at__month=2&created_at__day=30",
    "created_at__gte=not-a-date",
    "post__id__exact=abc",
    "id__in=1,abc",
    "ip_address=junk",
    "nonexistent_field=1",
    "_changelist_filters=%ff",
    "state=bogus",
    "tags__id__exact=abc",
    "author__id__exact=-1",
    "published_at__year=99999",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", CHANGELIST_QUERIES, ids=lambda query: query[:40])
@pytest.mark.parametrize("model", ["comments_comment", "blog_post"])
def test_admin_changelists_never_fail_on_odd_filters(staff, site, model, query):
    response = staff.get(f"{reverse(f'admin:{model}_changelist')}?{query}")

    assert response.status_code in {200, 302, 403}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "object_id", ["abc", "-1", "9" * 40, "%00", "%ff", "1%20OR%201=1", "0"], ids=repr
)
@pytest.mark.parametrize("model", ["comments_comment", "blog_post"])
def test_admin_change_pages_for_odd_ids_are_not_errors(staff, site, model, object_id):
    url = reverse(f"admin:{model}_changelist") + f"{object_id}/change/"

    assert staff.get(url).status_code in {302, 403, 404}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "selected", [["abc"], ["-1"], ["9" * 40], ["\x00"], [], ["1", "1", "1"]], ids=repr
)
@pytest.mark.parametrize(
    ("model", "action"),
    [
        ("comments_comment", "approve"),
        ("comments_comment", "mark_spam"),
        ("comments_comment", "check_again"),
        ("comments_comment", "bogus_action"),
        ("comments_comment", ""),
        ("blog_post", "publish"),
        ("blog_post", "delete_selected"),
    ],
)
def test_admin_actions_with_odd_selections_never_fail(staff, site, model, action, selected):
    response = staff.post(
        reverse(f"admin:{model}_changelist") + "?status=all",
        {"action": action, "_selected_action": selected, "index": "0"},
    )

    assert response.status_code in {200, 302, 403}


@pytest.mark.django_db
@pytest.mark.parametrize("button", [f"_{name}" for name in MODERATION])
def test_comment_change_page_buttons_that_do_not_apply_never_fail(staff, site, button):
    url = reverse("admin:comments_comment_change", args=[site.comment.pk])

    response = staff.post(url, {button: "1"})

    assert response.status_code in {200, 302, 403}
