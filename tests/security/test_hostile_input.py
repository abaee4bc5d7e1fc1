"""A catalogue of hostile and broken requests. For each, what the visitor is told (a clear
message, or a friendly error page in the site's layout; never a server error), and what
is stored: nothing already kept is lost or changed, a refused comment stores nothing, and
an accepted one stores exactly one row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments.models import Comment, CommentEvent
from tests import factories
from tests.comments.conftest import next_ip
from tests.security.test_no_server_errors import png_header, post_form

MARKER = "A remark typed with care 5c1e"
AWAITING = "Your comment is awaiting moderation."
NOT_AVAILABLE = "The comment you are replying to is not available."
FORM_EXPIRED = "This form has expired"
SEND_ONCE_MORE = "once more to send your comment"
WEB_ADDRESS_WANTED = "Enter a web address starting with http:// or https://"
NOT_FOUND = "Page not found"
NOT_AN_IMAGE = "Upload a valid image."


@dataclass(frozen=True)
class Case:
    send: Callable[[SimpleNamespace], object]
    status: int
    says: str
    stored: int = 0  # New comment rows.
    check: Callable[[SimpleNamespace, Comment], None] | None = None


def visitor(**options) -> Client:
    """A client that shows a server error as a 500 response instead of raising it."""
    return Client(raise_request_exception=False, **options)


def comment_form(**fields) -> dict:
    data = {
        "author_name": "Careful Reader",
        "author_email": f"reader{next_ip().replace('.', '-')}@example.com",
        "author_url": "",
        "body": MARKER,
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def comment_url(post, query="") -> str:
    return reverse("comments:post-comment", args=[post.pk]) + query


def comment(on="post", query="", **fields):
    """Post the comment form on `site.<on>`; a field given as a function of the site is
    worked out from it, and a field given as None is left out."""

    def send(site):
        data = {key: value(site) if callable(value) else value for key, value in fields.items()}
        post = getattr(site, on)
        return visitor().post(comment_url(post, query), comment_form(**data), REMOTE_ADDR=next_ip())

    return send


def raw_comment(body: bytes, content_type="application/x-www-form-urlencoded"):
    """Post bytes as they come, not as a browser would encode them."""

    def send(site):
        return visitor().generic(
            "POST", comment_url(site.post), body, content_type=content_type, REMOTE_ADDR=next_ip()
        )

    return send


def get(path_of):
    return lambda site: visitor().get(path_of(site))


def with_csrf_checks(token=None, *, cookie=True, origin=None, **fields):
    """Post with CSRF checks on, as from a browser: `token` None sends the right one."""

    def send(site):
        client = visitor(enforce_csrf_checks=True)
        if cookie:
            # The post page any reader could share carries no token and sets no cookie;
            # a browser that says nothing of where its post comes from gets both from the
            # form page its first, refused press shows (comments.views.csrf_failure).
            client.post(comment_url(site.post), comment_form(), REMOTE_ADDR=next_ip())
        data = comment_form(**fields)
        right = client.cookies["csrftoken"].value if cookie else ""
        data["csrfmiddlewaretoken"] = right if token is None else token
        headers = {"origin": origin} if origin else {}
        return client.post(comment_url(site.post), data, REMOTE_ADDR=next_ip(), headers=headers)

    return send


def twice(site):
    """A double submit: the same form sent again at once."""
    data, address = comment_form(), next_ip()
    visitor().post(comment_url(site.post), data, REMOTE_ADDR=address)
    return visitor().post(comment_url(site.post), data, REMOTE_ADDR=address)


def forwarded_for(header, *, proxies=0, then_again=False):
    """A comment carrying X-Forwarded-For, with TRUSTED_PROXIES set to `proxies`;
    `then_again` sends a second one from the same connection, claiming another address."""

    def send(site):
        site.settings.TRUSTED_PROXIES = proxies
        response = visitor().post(
            comment_url(site.post),
            comment_form(),
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=header,
        )
        if then_again:
            response = visitor().post(
                comment_url(site.post),
                comment_form(body="A second thought"),
                REMOTE_ADDR="192.0.2.10",
                HTTP_X_FORWARDED_FOR="198.51.100.99",
            )
        return response

    return send


def upload(content: bytes, *, change=False):
    """An editor adds a post, or changes the existing one, with this file as its image."""

    def send(site):
        client = visitor()
        client.force_login(site.editor)
        image = SimpleUploadedFile("picture.png", content, content_type="image/png")
        if change:
            url = reverse("admin:blog_post_change", args=[site.post.pk])
            form = post_form(title="Renamed", slug=site.post.slug)
        else:
            url = reverse("admin:blog_post_add")
            form = post_form()
        return client.post(url, {**form, "image": image})

    return send


def stored_as(**expected):
    def check(site, comment):
        for field, value in expected.items():
            value = value(site) if callable(value) else value
            assert getattr(comment, field) == value, field

    return check


def urlencoded(**fields) -> bytes:
    return "&".join(f"{key}={value}" for key, value in fields.items()).encode("latin-1")


CASES = {
    # Oversized or odd values.
    "body-1mb": Case(comment(body=MARKER + "x" * 1_000_000), 413, "too long to post"),
    "body-3mb-past-the-upload-limit": Case(comment(body="x" * 3_000_000), 413, "too long to post"),
    "body-1mb-with-a-valid-csrf-token": Case(
        with_csrf_checks(body="x" * 1_000_000), 413, "too long to post"
    ),
    "body-3mb-with-a-valid-csrf-token": Case(
        with_csrf_checks(body="x" * 3_000_000), 413, "too long to post"
    ),
    "body-one-over-the-limit": Case(
        comment(body=MARKER + "y" * Comment.BODY_MAX), 400, "at most 65525 characters"
    ),
    "body-at-the-limit": Case(comment(body="z" * Comment.BODY_MAX), 302, AWAITING, stored=1),
    "body-nul": Case(comment(body=f"{MARKER}\x00"), 400, "Null characters are not allowed."),
    "name-nul": Case(comment(author_name="Eve\x00"), 400, "Null characters are not allowed."),
    "body-control-characters": Case(
        comment(body=f"Bell\x07 escape\x1b[31m form feed\x0c {MARKER}"),
        302,
        AWAITING,
        stored=1,
        check=stored_as(body=f"Bell escape[31m form feed {MARKER}"),
    ),
    "name-control-characters": Case(
        comment(author_name="Ctrl\x01 Reader\x1b"),
        302,
        AWAITING,
        stored=1,
        check=stored_as(author_name="Ctrl Reader"),
    ),
    "name-only-control-characters": Case(
        comment(author_name="\x01\x02"), 400, "Please type your name."
    ),
    "body-only-control-characters": Case(
        comment(body="\x01\x02"), 400, "Please type your comment."
    ),
    "body-invalid-utf8": Case(
        raw_comment(urlencoded(author_name="Latin", author_email="l@example.com", body="%ff%fe")),
        302,
        AWAITING,
        stored=1,
        check=stored_as(body="\ufffd\ufffd"),
    ),
    "email-invalid-utf8": Case(
        raw_comment(urlencoded(author_name="Latin", author_email="%ff@example.com", body="Hi")),
        400,
        "Enter a valid email address.",
    ),
    "raw-high-bytes-in-the-form": Case(
        raw_comment(b"author_name=\xc0\xaf&author_email=a@example.com&body=\xff\xfe"),
        302,
        AWAITING,
        stored=1,
    ),
    "query-string-invalid-utf8": Case(comment(query="?%ff%fe=%c0%af"), 302, AWAITING, stored=1),
    "name-too-long": Case(comment(author_name="n" * 246), 400, "at most 245 characters"),
    "email-too-long": Case(
        comment(author_email="e" * 95 + "@example.com"), 400, "at most 100 characters"
    ),
    "url-too-long": Case(
        comment(author_url="https://example.com/" + "u" * 190), 400, "at most 200 characters"
    ),
    "url-javascript": Case(comment(author_url="javascript:alert(1)"), 400, WEB_ADDRESS_WANTED),
    "url-data": Case(
        comment(author_url="data:text/html,<script>alert(1)</script>"), 400, WEB_ADDRESS_WANTED
    ),
    "email-header-injection": Case(
        comment(author_email="a@example.com\r\nBcc: victim@example.com"),
        400,
        "Enter a valid email address.",
    ),
    "honeypot-filled": Case(
        comment(fax_number="555-0100"),
        302,
        AWAITING,
        stored=1,
        check=stored_as(status=Comment.Status.SPAM),
    ),
    # Forged references.
    "parent-on-another-post": Case(
        comment(parent=lambda site: site.other_comment.pk), 400, NOT_AVAILABLE
    ),
    "parent-pending": Case(comment(parent=lambda site: site.pending.pk), 400, NOT_AVAILABLE),
    "parent-spam": Case(comment(parent=lambda site: site.spam.pk), 400, NOT_AVAILABLE),
    "parent-in-trash": Case(comment(parent=lambda site: site.trash.pk), 400, NOT_AVAILABLE),
    "parent-not-a-number": Case(comment(parent="abc"), 400, "Enter a whole number."),
    "parent-that-never-existed": Case(comment(parent="987654"), 400, NOT_AVAILABLE),
    "parent-absent": Case(
        comment(parent=None), 302, AWAITING, stored=1, check=stored_as(parent=None)
    ),
    "post-draft": Case(comment(on="draft"), 404, NOT_FOUND),
    "post-scheduled": Case(comment(on="scheduled"), 404, NOT_FOUND),
    "post-comments-closed": Case(comment(on="closed"), 403, "Comments are closed on this post."),
    "post-that-does-not-exist": Case(
        lambda site: visitor().post("/comments/post/987654/", comment_form()), 404, NOT_FOUND
    ),
    # Protocol abuse.
    # The comment form comes back filled in, with a token, to send once more (a page from
    # the shared cache has no token for a browser without JavaScript to send).
    "csrf-token-missing": Case(with_csrf_checks(token=""), 403, SEND_ONCE_MORE),
    "csrf-token-stale": Case(with_csrf_checks(token="s" * 32), 403, SEND_ONCE_MORE),
    "csrf-cookie-missing": Case(
        with_csrf_checks(token="s" * 32, cookie=False), 403, SEND_ONCE_MORE
    ),
    "csrf-from-another-site": Case(
        with_csrf_checks(origin="https://elsewhere.example"), 403, FORM_EXPIRED
    ),
    "csrf-token-valid": Case(with_csrf_checks(), 302, AWAITING, stored=1),
    "double-submit": Case(twice, 409, "already said that", stored=1),
    "repeated-fields": Case(
        raw_comment(
            urlencoded(author_name="First", author_email="rep@example.com", body="first").replace(
                b"body=first", b"body=first&body=last&author_name=Second"
            )
        ),
        302,
        AWAITING,
        stored=1,
        check=stored_as(body="last", author_name="Second"),
    ),
    "thousands-of-fields": Case(
        raw_comment(b"&".join(b"f%d=x" % n for n in range(1500))), 400, "Request not understood"
    ),
    "form-sent-as-json": Case(
        raw_comment(b'{"body": "hello"}', content_type="application/json"),
        400,
        "This field is required.",
    ),
    "post-page-query-invalid-utf8": Case(
        get(lambda site: site.post.get_absolute_url() + "?%ff%fe=%c0%af&replytocom=%ff"),
        200,
        "Leave a Reply",
    ),
    "search-invalid-utf8": Case(get(lambda site: "/search/?q=%ff%fe%c0%af"), 200, "Search"),
    "home-page-huge": Case(get(lambda site: "/?page=99999999"), 404, NOT_FOUND),
    "home-page-negative": Case(get(lambda site: "/?page=-1"), 404, NOT_FOUND),
    "home-page-beyond-int-digits": Case(get(lambda site: "/?page=" + "9" * 5000), 404, NOT_FOUND),
    "tag-page-huge": Case(get(lambda site: "/tags/python/?page=" + "9" * 40), 404, NOT_FOUND),
    "reply-ten-levels-deep": Case(
        comment(parent=lambda site: site.chain[-1].pk),
        302,
        AWAITING,
        stored=1,
        check=stored_as(parent=lambda site: site.chain[-1]),
    ),
    # Headers.
    "forwarded-for-ignored-without-a-proxy": Case(
        forwarded_for("198.51.100.1"),
        302,
        AWAITING,
        stored=1,
        check=stored_as(ip_address="192.0.2.10"),
    ),
    "forwarded-for-read-behind-one-proxy": Case(
        forwarded_for("198.51.100.1, 203.0.113.77", proxies=1),
        302,
        AWAITING,
        stored=1,
        check=stored_as(ip_address="203.0.113.77"),
    ),
    "forwarded-for-junk-behind-one-proxy": Case(
        forwarded_for("not-an-address", proxies=1),
        302,
        AWAITING,
        stored=1,
        check=stored_as(ip_address=None),
    ),
    "forwarded-for-cannot-dodge-flood-control": Case(
        forwarded_for("198.51.100.1", then_again=True), 429, "too quickly", stored=1
    ),
    # Image uploads in the admin.
    "image-that-is-text": Case(upload(b"<?php echo 'hi'; ?>"), 200, NOT_AN_IMAGE),
    "image-svg-with-script": Case(
        upload(b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
        200,
        NOT_AN_IMAGE,
    ),
    "image-decompression-bomb": Case(upload(png_header(100_000, 100_000)), 200, NOT_AN_IMAGE),
    "image-with-too-many-pixels": Case(
        upload(png_header(8_000, 8_000)), 200, "images may have at most 40,000,000 pixels"
    ),
    "image-bomb-on-an-existing-post": Case(
        upload(png_header(8_000, 8_000), change=True), 200, "images may have at most"
    ),
}


@pytest.fixture
def site(db, settings):
    """A post with approved, pending, spam and trashed comments and a ten-deep reply chain;
    another post; a draft, a scheduled post and one closed to comments; an editor."""
    settings.COMMENTS_THREAD_DEPTH = 5
    post = factories.make_post(title="Hostile input", tags=["python"])
    other_post = factories.make_post()
    chain = [factories.make_comment(post=post)]
    for _ in range(9):
        chain.append(factories.make_comment(post=post, parent=chain[-1]))
    return SimpleNamespace(
        settings=settings,
        post=post,
        chain=chain,
        pending=factories.make_comment(post=post, status=Comment.Status.PENDING),
        spam=factories.make_comment(post=post, status=Comment.Status.SPAM),
        trash=factories.make_comment(post=post, status=Comment.Status.TRASH),
        other_comment=factories.make_comment(post=other_post),
        draft=factories.make_post(status=Post.Status.DRAFT),
        scheduled=factories.make_post(published_at=timezone.now() + timedelta(days=3)),
        closed=factories.make_post(comments_open=False),
        editor=factories.make_editor(),
    )


def stored() -> dict[str, set]:
    """What the database holds that a hostile request must not lose or change."""
    return {
        "comments": set(
            Comment.objects.values_list(
                "pk",
                "post_id",
                "parent_id",
                "status",
                "author_name",
                "author_email",
                "author_url",
                "body",
            )
        ),
        "events": set(CommentEvent.objects.values_list("pk", "comment_id", "kind")),
        "posts": set(
            Post.objects.values_list(
                "pk", "status", "title", "slug", "body", "excerpt", "comments_open", "image"
            )
        ),
    }


def what_the_visitor_reads(response) -> str:
    """The page, or for a redirect the notices the next page shows."""
    if response.status_code == 302:
        return " ".join(str(message) for message in get_messages(response.wsgi_request))
    return response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_request_gets_a_clear_answer_and_loses_nothing(site, media_root, case):
    before = stored()

    response = case.send(site)

    after = stored()
    assert response.status_code == case.status
    page = what_the_visitor_reads(response)
    assert case.says in page
    if response.status_code >= 400:
        assert 'class="site-header"' in page, "an error page in the site's layout"
    assert after["posts"] == before["posts"]
    assert before["comments"] <= after["comments"], "a stored comment was lost or changed"
    new = after["comments"] - before["comments"]
    assert len(new) == case.stored
    new_ids = {row[0] for row in new}
    assert before["events"] <= after["events"]
    assert {row[1] for row in after["events"] - before["events"]} <= new_ids
    if case.check:
        [new_id] = new_ids
        case.check(site, Comment.objects.get(pk=new_id))


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
