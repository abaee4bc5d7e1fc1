"""Webmentions received at /webmention/: the answer at once (202, or 400 with what is
wrong), the check by the worker against real pages on 127.0.0.1 written in the h-entry
shapes of the microformats test suite, the comments' pipeline (Akismet, the queue), the
post page after approval, likes in "N people like this", updates, 410 and duplicates."""

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from comments import services
from comments.models import Comment, CommentEvent, Webmention
from tests import factories
from tests.browser import checkers
from tests.comments.conftest import next_ip, tasks_waiting
from tests.fake_akismet import SPAM_AUTHOR

Kind = CommentEvent.Kind
ENDPOINT = reverse("comments:webmention")
# The worker commits as it goes: these tests are transactional, as a server is.
WORKER_DB = pytest.mark.django_db(transaction=True)


def target_of(post) -> str:
    return "http://testserver" + post.get_absolute_url()


def send(source, target, *, ip=None, client=None, **extra):
    """POST a webmention as another site's server would."""
    client = client or Client(enforce_csrf_checks=True)
    return client.post(
        ENDPOINT, {"source": source, "target": target}, REMOTE_ADDR=ip or next_ip(), **extra
    )


# Source pages, in the shapes of the microformats test suite's h-entry cases
# (microformats/tests: h-entry/u-property, impliedname, h-card author, nested h-cite).


def author_card(name="Alice Example", url="https://alice.example/", photo=None):
    photo_html = f'<img class="u-photo" src="{photo}" alt="">' if photo else ""
    return (
        f'<div class="p-author h-card"><a class="p-name u-url" href="{url}">{name}</a>'
        f"{photo_html}</div>"
    )


def reply_page(target, *, text="Great post, <strong>I agree</strong>.", **author):
    return (
        '<html><body><article class="h-entry">'
        f'<a class="u-in-reply-to" href="{target}">In reply to</a>'
        f"{author_card(**author)}"
        f'<div class="e-content"><p>{text}</p><script>alert("x")</script></div>'
        "</article></body></html>"
    )


def like_page(target, *, prop="u-like-of", **author):
    return (
        f'<div class="h-entry"><a class="{prop}" href="{target}">this post</a>'
        f"{author_card(**author)}</div>"
    )


def cited_reply_page(target):
    """A reply inside an h-feed, naming its target as an h-cite (nested properties)."""
    return (
        '<div class="h-feed"><div class="h-entry">'
        f'<div class="u-in-reply-to h-cite"><a class="u-url p-name" href="{target}">It</a></div>'
        f"{author_card(name='Cited Carol', url='https://carol.example/')}"
        '<div class="e-content">Nested <em>reply</em>.</div></div></div>'
    )


def mention_page(target):
    """A plain mention: no reply or like property, the author from the page's h-card."""
    return (
        '<div class="h-card"><a class="p-name u-url" href="https://dave.example/">Dave</a></div>'
        f'<article class="h-entry"><div class="e-content">I read <a href="{target}">this</a> '
        "today.</div></article>"
    )


@pytest.fixture
def sites(local_site, allow_private_addresses):
    """Another site on 127.0.0.1, which the site's fetcher may reach."""
    return local_site


def received(post) -> list[Comment]:
    return list(Comment.objects.filter(post=post, kind=Comment.Kind.WEBMENTION))


# The endpoint's answer
# ----------------------------------------------------------------------------------------


@WORKER_DB
def test_a_reply_is_accepted_at_once_then_verified_by_the_worker(post, sites, run_worker):
    target = target_of(post)
    source = sites.page("/reply", reply_page(target, photo="https://alice.example/me.jpg"))

    response = send(source, target)

    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/plain")
    assert "checked" in response.content.decode()
    assert received(post) == []  # Nothing fetched in the sender's request.
    assert sites.requests_to("/reply") == []
    run_worker()

    [comment] = received(post)
    assert comment.status == Comment.Status.PENDING
    assert comment.author_name == "Alice Example"
    assert comment.author_url == "https://alice.example/"
    assert comment.body.startswith("Great post, I agree.")
    assert "<script" not in comment.body_html and "<strong>" not in comment.body_html
    webmention = comment.webmention
    assert webmention.type == Webmention.Type.REPLY
    assert webmention.source == source
    assert webmention.author_photo == "https://alice.example/me.jpg"
    kinds = list(comment.events.values_list("kind", flat=True))
    assert kinds[0] == Kind.SUBMITTED and Kind.CHECK_SKIPPED in kinds


@WORKER_DB
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (like_page, Webmention.Type.LIKE),
        (lambda target: like_page(target, prop="u-repost-of"), Webmention.Type.REPOST),
        (cited_reply_page, Webmention.Type.REPLY),
        (mention_page, Webmention.Type.MENTION),
    ],
    ids=["like", "repost", "nested-h-cite-reply", "mention"],
)
def test_the_type_comes_from_the_h_entry(post, sites, run_worker, page, expected):
    target = target_of(post)
    source = sites.page("/entry", page(target))

    assert send(source, target).status_code == 202
    run_worker()

    [comment] = received(post)
    assert comment.webmention.type == expected
    if expected == Webmention.Type.MENTION:
        assert comment.author_name == "Dave"
        assert comment.body == "I read this today."


def test_the_endpoint_answers_a_get_with_what_it_is(client, db):
    response = client.get(ENDPOINT)
    assert response.status_code == 200
    assert "Webmention endpoint" in response.content.decode()
    assert client.put(ENDPOINT).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "{target}"}, "source field is missing"),
        ({"source": "https://elsewhere.example/a"}, "target field is missing"),
        ({}, "source and target fields are missing"),
        ({"source": "ftp://elsewhere.example/a", "target": "{target}"}, "http or https"),
        ({"source": "javascript:alert(1)", "target": "{target}"}, "http or https"),
        ({"source": "https://elsewhere.example/a", "target": "mailto:a@b.c"}, "http or https"),
        ({"source": "{target}", "target": "{target}#comments"}, "the same page"),
        ({"source": "https://elsewhere.example/a", "target": "http://testserver/archive/"},
         "not a post of this site"),
        ({"source": "https://elsewhere.example/a", "target": "https://other.example/{path}"},
         "not a post of this site"),
        ({"source": "https://elsewhere.example/a", "target": "{draft}"},
         "not a post of this site"),
        ({"source": "https://elsewhere.example/a", "target": "http://testserver/2026/02/30/x/"},
         "not a post of this site"),
        ({"source": "https://elsewhere.example/" + "a" * 3000, "target": "{target}"},
         "http or https"),
    ],
)  # fmt: skip
def test_a_bad_request_is_refused_with_a_clear_message(
    post, data, message, django_capture_on_commit_callbacks
):
    draft = factories.make_post(status=Post.Status.DRAFT)
    values = {
        "target": target_of(post),
        "path": post.get_absolute_url().lstrip("/"),
        "draft": target_of(draft),
    }
    form = {name: value.format(**values) for name, value in data.items()}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = Client(enforce_csrf_checks=True).post(ENDPOINT, form, REMOTE_ADDR=next_ip())

    assert response.status_code == 400
    assert message in response.content.decode()
    assert callbacks == []  # No check enqueued.


@pytest.mark.django_db
def test_the_target_may_carry_a_query_or_fragment(post, django_capture_on_commit_callbacks):
    for target in (target_of(post) + "#comments", target_of(post) + "?ref=feed"):
        with django_capture_on_commit_callbacks(execute=True):
            assert send("https://elsewhere.example/a", target).status_code == 202
    assert len(tasks_waiting("webmention_verify")) == 2


@pytest.mark.django_db
def test_hostile_bodies_are_refused_never_a_500(post):
    client = Client(enforce_csrf_checks=True)
    huge = client.post(
        ENDPOINT, {"source": "https://a.example/" + "x" * 40_000, "target": target_of(post)}
    )
    assert huge.status_code == 413
    not_a_form = client.post(ENDPOINT, b"\xff\xfe{", content_type="application/json")
    assert not_a_form.status_code == 400
    nul = client.post(ENDPOINT, {"source": "https://a.example/\x00", "target": target_of(post)})
    assert nul.status_code == 400


@pytest.mark.django_db
def test_each_address_is_rate_limited_like_comments(post, settings):
    settings.COMMENTS_RATE_LIMIT = (2, 600)
    ip = next_ip()
    answers = [send("https://a.example/x", target_of(post), ip=ip).status_code for _ in range(3)]
    assert answers == [202, 202, 429]
    assert send("https://a.example/x", target_of(post)).status_code == 202  # Another address.


# Verification
# ----------------------------------------------------------------------------------------


@WORKER_DB
def test_a_source_that_does_not_link_the_target_is_rejected(post, sites, run_worker):
    source = sites.page("/nolink", '<div class="h-entry"><a href="/elsewhere">no</a></div>')
    assert send(source, target_of(post)).status_code == 202
    run_worker()
    assert sites.requests_to("/nolink")  # It was fetched...
    assert received(post) == []  # ...and turned down.


@WORKER_DB
def test_a_link_in_a_comment_or_text_is_no_link(post, sites, run_worker):
    target = target_of(post)
    source = sites.page("/hidden", f"<!-- <a href='{target}'>x</a> --><p>{target}</p>")
    send(source, target)
    run_worker()
    assert received(post) == []


@WORKER_DB
def test_a_private_address_is_refused_by_default(post, local_site, run_worker, settings):
    settings.WEBMENTION_ALLOW_PRIVATE_ADDRESSES = False
    source = local_site.page("/reply", reply_page(target_of(post)))
    assert send(source, target_of(post)).status_code == 202
    run_worker()
    assert local_site.requests_to("/reply") == []
    assert received(post) == []


@WORKER_DB
def test_a_huge_or_slow_source_is_read_only_so_far(post, sites, run_worker, settings):
    settings.WEBMENTION_MAX_BYTES = 64 * 1024
    settings.WEBMENTION_TIMEOUT = 0.5
    target = target_of(post)
    # The link past the bytes read, and a page slower than the time allowed.
    huge = sites.page("/huge", "<p>" + "x" * 200_000 + f'</p><a href="{target}">it</a>')
    slow = sites.page("/slow", reply_page(target), delay=2)
    send(huge, target)
    send(slow, target)
    run_worker()
    assert received(post) == []


@WORKER_DB
def test_a_second_webmention_updates_the_first_never_a_duplicate(post, sites, run_worker):
    target = target_of(post)
    source = sites.page("/reply", reply_page(target, text="First thoughts."))
    send(source, target)
    send(source, target + "#comments")  # The same pair again before the worker ran.
    run_worker()
    [comment] = received(post)
    assert comment.body == "First thoughts."

    sites.page("/reply", reply_page(target, text="Second thoughts.", name="Alice E."))
    send(source, target)
    run_worker()

    [comment] = received(post)
    assert comment.body == "Second thoughts."
    assert comment.author_name == "Alice E."
    assert Webmention.objects.count() == 1
    assert comment.events.filter(kind=Kind.WEBMENTION_UPDATED).count() == 1


@WORKER_DB
def test_a_source_that_answers_410_takes_its_mention_down(post, sites, run_worker, moderator):
    target = target_of(post)
    source = sites.page("/reply", reply_page(target, text="Soon gone."))
    send(source, target)
    run_worker()
    [comment] = received(post)
    services.comment_approve(comment=comment, actor=moderator)
    assertContains(Client().get(post.get_absolute_url()), "Soon gone.")

    sites.page("/reply", "Gone", status=410)
    send(source, target)
    run_worker()

    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    assert comment.events.filter(kind=Kind.WEBMENTION_GONE).exists()
    assertNotContains(Client().get(post.get_absolute_url()), "Soon gone.")


@WORKER_DB
def test_a_source_that_drops_its_link_takes_it_down_and_back(post, sites, run_worker):
    target = target_of(post)
    source = sites.page("/reply", reply_page(target))
    send(source, target)
    run_worker()

    sites.page("/reply", "<p>I changed my mind.</p>")
    send(source, target)
    run_worker()
    [comment] = received(post)
    assert comment.status == Comment.Status.TRASH

    sites.page("/reply", reply_page(target))
    send(source, target)
    run_worker()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.events.filter(kind=Kind.WEBMENTION_BACK).exists()


# The same pipeline as comments
# ----------------------------------------------------------------------------------------


@WORKER_DB
def test_akismet_is_asked_with_comment_type_webmention(post, sites, run_worker, fake_akismet):
    target = target_of(post)
    send(sites.page("/reply", reply_page(target)), target)
    run_worker()

    [check] = fake_akismet.requests_to("comment-check")
    assert check.params["comment_type"] == "webmention"
    assert check.params["comment_author"] == "Alice Example"
    assert check.params["comment_author_url"] == "https://alice.example/"
    [comment] = received(post)
    assert comment.akismet_verdict == Comment.Verdict.HAM
    assert comment.status == Comment.Status.PENDING  # Never approved without a moderator.


@WORKER_DB
def test_a_spam_verdict_holds_it_for_a_moderator(
    post, sites, run_worker, fake_akismet, admin_client
):
    target = target_of(post)
    send(sites.page("/reply", reply_page(target, name=SPAM_AUTHOR)), target)
    run_worker()

    [comment] = received(post)
    assert comment.akismet_verdict == Comment.Verdict.SPAM
    assert comment.status == Comment.Status.PENDING
    assert comment.events.filter(kind=Kind.CHECK_SPAM_HELD).exists()
    queue = admin_client.get(reverse("admin:comments_comment_changelist"), {"kind": "webmention"})
    assertContains(queue, SPAM_AUTHOR)


@WORKER_DB
def test_a_recheck_that_says_spam_holds_it_too(post, sites, run_worker, fake_akismet):
    """A check that failed is asked again later (comment_check_spam): spam still holds."""
    fake_akismet.set_fault("503")
    target = target_of(post)
    send(sites.page("/reply", reply_page(target, name=SPAM_AUTHOR)), target)
    run_worker()
    [comment] = received(post)
    assert comment.akismet_verdict == Comment.Verdict.ERROR
    fake_akismet.set_fault(None)

    services.comment_check_spam(comment=comment)

    comment.refresh_from_db()
    assert comment.akismet_verdict == Comment.Verdict.SPAM
    assert comment.status == Comment.Status.PENDING
    assert comment.events.filter(kind=Kind.CHECK_SPAM_HELD).exists()


@WORKER_DB
def test_changed_text_akismet_calls_spam_goes_back_to_the_queue(
    post, sites, run_worker, fake_akismet, moderator
):
    target = target_of(post)
    source = sites.page("/reply", reply_page(target, text="Nice post."))
    send(source, target)
    run_worker()
    [comment] = received(post)
    services.comment_approve(comment=comment, actor=moderator)

    sites.page("/reply", reply_page(target, text="Cheap pills.", name=SPAM_AUTHOR))
    send(source, target)
    run_worker()

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.SPAM
    checks = fake_akismet.requests_to("comment-check")
    assert checks[-1].params["recheck_reason"] == "edit"
    assert checks[-1].params["comment_content"] == "Cheap pills."
    assertNotContains(Client().get(post.get_absolute_url()), "Cheap pills.")


@WORKER_DB
def test_moderators_hear_of_a_held_webmention(post, sites, run_worker, moderator, mailoutbox):
    target = target_of(post)
    send(sites.page("/reply", reply_page(target, text="Tell the moderators.")), target)
    run_worker()

    [message] = mailoutbox
    assert message.to == [moderator.email]
    assert "Tell the moderators." in message.body


@WORKER_DB
def test_the_queue_filters_by_kind(post, sites, run_worker, admin_client):
    factories.make_comment(post=post, author_name="Reader Rosa", status=Comment.Status.PENDING)
    target = target_of(post)
    send(sites.page("/reply", reply_page(target)), target)
    run_worker()

    changelist = reverse("admin:comments_comment_changelist")
    webmentions = admin_client.get(changelist, {"kind": "webmention"})
    assertContains(webmentions, "Alice Example")
    # Each row says what it is and where it comes from.
    assertContains(webmentions, "Webmention, a reply from <a href=")
    assertContains(webmentions, f'href="{sites.url("/reply")}"')
    assertNotContains(webmentions, "Reader Rosa")
    comments = admin_client.get(changelist, {"kind": "comment"})
    assertContains(comments, "Reader Rosa")
    assertNotContains(comments, "Alice Example")
    [comment] = received(post)
    page = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assertContains(page, "Reply from")


# The post page
# ----------------------------------------------------------------------------------------


@WORKER_DB
def test_approved_replies_and_mentions_show_with_the_pingbacks(post, sites, run_worker, moderator):
    factories.make_comment(
        post=post, kind=Comment.Kind.PINGBACK, author_name="Old Blog",
        author_url="https://old.example/", body="[...] a pingback [...]",
        status=Comment.Status.APPROVED,
    )  # fmt: skip
    target = target_of(post)
    send(sites.page("/reply", reply_page(target, text="A reply from afar.")), target)
    run_worker()
    page = Client().get(post.get_absolute_url())
    assertNotContains(page, "A reply from afar.")  # Held until a moderator approves it.

    [comment] = received(post)
    services.comment_approve(comment=comment, actor=moderator)

    page = Client().get(post.get_absolute_url())
    assertContains(page, "Elsewhere on the web")
    assertContains(page, "Old Blog")
    assertContains(page, "A reply from afar.")
    assertContains(page, "replied")
    assertNotContains(page, 'alert("x")')


@WORKER_DB
def test_approved_likes_count_in_people_like_this_and_show_as_faces(
    post, sites, run_worker, moderator
):
    target = target_of(post)
    for number in range(2):
        send(sites.page(f"/like{number}", like_page(target, name=f"Fan Number{number}")), target)
    run_worker()
    assertContains(Client().get(post.get_absolute_url()), "Be the first to like this")

    for comment in received(post):
        services.comment_approve(comment=comment, actor=moderator)

    page = Client().get(post.get_absolute_url())
    assertContains(page, "2 people like this")
    assertContains(page, "liked or reposted this")
    assertContains(page, "Fan Number0, liked")
    assertContains(page, ">FN<")  # Initials, with no photo.

    services.comment_trash(comment=received(post)[0], actor=moderator)
    assertContains(Client().get(post.get_absolute_url()), "1 person likes this")


@WORKER_DB
def test_a_like_deleted_in_the_admin_leaves_the_count(post, sites, run_worker, admin_client):
    target = target_of(post)
    for number in range(3):
        send(sites.page(f"/like{number}", like_page(target, name=f"Fan Number{number}")), target)
    run_worker()
    for comment in received(post):
        services.comment_approve(comment=comment, actor=None)
    first, *others = received(post)

    admin_client.post(reverse("admin:comments_comment_delete", args=[first.pk]), {"post": "yes"})
    assertContains(Client().get(post.get_absolute_url()), "2 people like this")
    admin_client.post(
        reverse("admin:comments_comment_changelist") + "?status=approved",
        {
            "action": "delete_selected",
            "_selected_action": [comment.pk for comment in others],
            "post": "yes",
        },
    )
    assertContains(Client().get(post.get_absolute_url()), "Be the first to like this")


@pytest.mark.django_db
def test_every_post_page_advertises_the_endpoint_cached_or_not(post, settings):
    settings.SITE_URL = "https://blog.example.com"
    expected = '<https://blog.example.com/webmention/>; rel="webmention"'
    for _ in range(2):  # Rendered, then served from the page cache.
        response = Client().get(post.get_absolute_url())
        assert response["Link"] == expected
        assertContains(response, '<link rel="webmention" href="/webmention/">')


@pytest.mark.django_db
def test_comments_closed_still_take_webmentions(post):
    Post.objects.filter(pk=post.pk).update(comments_open=False)
    assert send("https://a.example/x", target_of(post)).status_code == 202


def test_the_worker_result_says_what_came_of_it(db):
    from comments.webmentions import webmention_verify

    assert webmention_verify(source="https://a.example/", target="http://testserver/x/") == (
        "target gone"
    )


# A sender this project did not write
# ----------------------------------------------------------------------------------------

WEBMENTION_CLI = Path(__file__).parents[2] / "node_modules" / ".bin" / "webmention"


@WORKER_DB
def test_a_webmention_from_an_independent_sender_is_received(
    post, sites, run_worker, live_server, settings
):
    """Remy Sharp's `webmention` tool (npm's @remy/webmention, pinned in package-lock.json)
    finds the endpoint from the post page's own Link header and sends it, all its own
    code, to the site served for real by live_server."""
    cli = checkers.require(WEBMENTION_CLI, "The webmention tool", "run `make setup` (npm ci)")
    settings.SITE_URL = live_server.url
    target = live_server.url + post.get_absolute_url()
    # It sends nothing to a page on its source's own host: the source is on 127.0.0.1,
    # the site on localhost.
    assert "//localhost:" in target
    source = sites.page("/their-reply", reply_page(target, text="Sent by someone else's code."))

    sent = subprocess.run(
        [cli, source, "--send"], capture_output=True, text=True, timeout=60, check=False
    )

    assert f"endpoint = {live_server.url}/webmention/" in " ".join(sent.stdout.split()), sent
    assert "status = 202" in " ".join(sent.stdout.split()), sent
    run_worker()
    [comment] = received(post)
    assert comment.webmention.type == Webmention.Type.REPLY
    assert comment.body == "Sent by someone else's code."
