"""Sending webmentions (blog.webmentions): endpoint discovery as webmention.rocks tests it,
and the sends that publishing and editing a post make, retried, shown in the admin.

The pages linked to are served on 127.0.0.1 (tests/local_sites.py), which the site may
reach only with WEBMENTION_ALLOW_PRIVATE_ADDRESSES on.
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog import webmentions
from blog.models import Post, WebmentionSent
from core.tasks import MAX_ATTEMPTS, retry_delay
from tests.factories import make_link_post, make_post

from .test_admin import post_form

SOURCE = "http://127.0.0.1:8000/2026/12/01/a-post/"
ACCEPTED = {"status": 202, "content_type": "text/plain"}


@dataclass(frozen=True)
class Case:
    """A discovery test of webmention.rocks, rebuilt from its description: the page at
    /test/<number> (its headers and HTML, "{origin}" standing for the site's address),
    and the endpoint a sender must post to."""

    description: str
    endpoint: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    html: str = ""
    # Addresses that answer as endpoints too, where a wrong sender would post.
    decoys: tuple[str, ...] = ()


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>Test</title></head><body>{body}</body></html>"


DISCOVERY = {
    1: Case(
        "HTTP Link header, unquoted rel, relative URL",
        "/test/1/webmention?head=true",
        headers=[("Link", "</test/1/webmention?head=true>; rel=webmention")],
    ),
    2: Case(
        "HTTP Link header, unquoted rel, absolute URL",
        "/test/2/webmention?head=true",
        headers=[("Link", "<{origin}/test/2/webmention?head=true>; rel=webmention")],
    ),
    3: Case(
        "HTML <link> tag, relative URL",
        "/test/3/webmention",
        html='<html><head><link rel="webmention" href="/test/3/webmention"></head></html>',
    ),
    4: Case(
        "HTML <link> tag, absolute URL",
        "/test/4/webmention",
        html='<html><head><link rel="webmention" href="{origin}/test/4/webmention"></head>',
    ),
    5: Case(
        "HTML <a> tag, relative URL",
        "/test/5/webmention",
        html=page('<a rel="webmention" href="/test/5/webmention">endpoint</a>'),
    ),
    6: Case(
        "HTML <a> tag, absolute URL",
        "/test/6/webmention",
        html=page('<a rel="webmention" href="{origin}/test/6/webmention">endpoint</a>'),
    ),
    7: Case(
        "HTTP Link header with strange casing",
        "/test/7/webmention?head=true",
        headers=[("LinK", "<{origin}/test/7/webmention?head=true>; rel=webmention")],
    ),
    8: Case(
        "HTTP Link header, quoted rel",
        "/test/8/webmention?head=true",
        headers=[("Link", '<{origin}/test/8/webmention?head=true>; rel="webmention"')],
    ),
    9: Case(
        "Multiple rel values on a <link> tag",
        "/test/9/webmention",
        html=page('<link rel="webmention somethingelse" href="/test/9/webmention">'),
    ),
    10: Case(
        "Multiple rel values on a Link header",
        "/test/10/webmention?head=true",
        headers=[
            ("Link", '<{origin}/test/10/webmention?head=true>; rel="webmention somethingelse"')
        ],
    ),
    11: Case(
        "Multiple Webmention endpoints advertised: Link, <link>, <a>",
        "/test/11/webmention",
        headers=[("Link", "<{origin}/test/11/webmention>; rel=webmention")],
        html=page(
            '<link rel="webmention" href="/test/11/webmention/error">'
            '<a rel="webmention" href="/test/11/webmention/error">a decoy</a>'
        ),
        decoys=("/test/11/webmention/error",),
    ),
    12: Case(
        "Checking for exact match of rel=webmention",
        "/test/12/webmention",
        html=page(
            '<link rel="not-webmention" href="/test/12/webmention/error">'
            '<link rel="webmention" href="/test/12/webmention">'
        ),
        decoys=("/test/12/webmention/error",),
    ),
    13: Case(
        "False endpoint inside an HTML comment",
        "/test/13/webmention",
        html=page(
            '<!-- <a rel="webmention" href="/test/13/webmention/error"></a> -->'
            '<a rel="webmention" href="/test/13/webmention">the real one</a>'
        ),
        decoys=("/test/13/webmention/error",),
    ),
    14: Case(
        "False endpoint in escaped HTML",
        "/test/14/webmention",
        html=page(
            "<code>&lt;a href=&quot;/test/14/webmention/error&quot; "
            "rel=&quot;webmention&quot;&gt;&lt;/a&gt;</code>"
            '<a rel="webmention" href="/test/14/webmention">the real one</a>'
        ),
        decoys=("/test/14/webmention/error",),
    ),
    15: Case(
        "Webmention href is an empty string",
        "/test/15",
        html=page('<link rel="webmention" href="">'),
    ),
    16: Case(
        "Multiple Webmention endpoints advertised: <a>, <link>",
        "/test/16/webmention",
        html=page(
            '<a rel="webmention" href="/test/16/webmention">first</a>'
            '<link rel="webmention" href="/test/16/webmention/error">'
        ),
        decoys=("/test/16/webmention/error",),
    ),
    17: Case(
        "Multiple Webmention endpoints advertised: <link>, <a>",
        "/test/17/webmention",
        html=page(
            '<link rel="webmention" href="/test/17/webmention">'
            '<a rel="webmention" href="/test/17/webmention/error">second</a>'
        ),
        decoys=("/test/17/webmention/error",),
    ),
    18: Case(
        "Multiple HTTP Link headers",
        "/test/18/webmention?head=true",
        headers=[
            ("Link", "<{origin}/test/18/webmention/error>; rel=other"),
            ("Link", "<{origin}/test/18/webmention?head=true>; rel=webmention"),
        ],
        decoys=("/test/18/webmention/error",),
    ),
    19: Case(
        "Single HTTP Link header with multiple values",
        "/test/19/webmention?head=true",
        headers=[
            (
                "Link",
                '<{origin}/test/19/webmention/error>; rel="other", '
                '<{origin}/test/19/webmention?head=true>; rel="webmention"',
            )
        ],
        decoys=("/test/19/webmention/error",),
    ),
    20: Case(
        "Link tag with no href attribute",
        "/test/20/webmention",
        html=page('<link rel="webmention"><a rel="webmention" href="/test/20/webmention">a</a>'),
        decoys=("/test/20",),
    ),
    21: Case(
        "Webmention endpoint has query string parameters",
        "/test/21/webmention?query=yes",
        html=page('<link rel="webmention" href="/test/21/webmention?query=yes">'),
        decoys=("/test/21/webmention",),
    ),
    22: Case(
        "Webmention endpoint is relative to the path",
        "/test/22/webmention",
        html=page('<link rel="webmention" href="22/webmention">'),
        decoys=("/22/webmention",),
    ),
}


def serve(site, number: int, case: Case) -> str:
    """Put the case's page and endpoints on `site`; the page's URL."""
    site.page(case.endpoint.partition("?")[0], "Accepted", **ACCEPTED)
    for decoy in case.decoys:
        site.page(decoy, "Accepted", **ACCEPTED)
    headers = [(name, value.format(origin=site.origin)) for name, value in case.headers]
    html = case.html.replace("{origin}", site.origin)
    return site.page(f"/test/{number}", html or page("No endpoint here."), headers=headers)


def posts_to(site) -> list[tuple[str, dict]]:
    return [(request.path, request.form) for request in site.requests if request.method == "POST"]


@pytest.mark.parametrize("number", DISCOVERY, ids=lambda number: f"test-{number}")
def test_discovery_finds_exactly_the_right_endpoint(number, local_site, allow_private_addresses):
    case = DISCOVERY[number]
    target = serve(local_site, number, case)

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.SENT, case.description
    assert attempt.endpoint == local_site.url(case.endpoint)
    assert posts_to(local_site) == [(case.endpoint, {"source": [SOURCE], "target": [target]})]


@pytest.mark.parametrize("number", DISCOVERY, ids=lambda number: f"test-{number}")
@pytest.mark.django_db(transaction=True)
def test_publishing_a_link_post_sends_to_the_endpoint_each_rule_finds(
    number, local_site, sending, run_worker
):
    target = serve(local_site, number, DISCOVERY[number])

    post = make_link_post(source_url=target)
    run_worker()

    expected = {"source": [source_of(post)], "target": [target]}
    assert posts_to(local_site) == [(DISCOVERY[number].endpoint, expected)]
    assert post.webmentions_sent.get().state == WebmentionSent.State.SENT


def test_discovery_resolves_a_relative_endpoint_against_the_page_after_redirects(
    local_site, allow_private_addresses
):
    """webmention.rocks test 23: the target redirects; its endpoint is relative to where
    it ends up, not to the address asked for."""
    target = local_site.redirect("/test/23/page", "/test/23/page/final/")
    local_site.page("/test/23/page/final/", page('<link rel="webmention" href="endpoint">'))
    local_site.page("/test/23/page/final/endpoint", "Accepted", **ACCEPTED)
    local_site.page("/test/23/endpoint", "Accepted", **ACCEPTED)

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.SENT
    # The target sent is the address the post links to, not where it redirected.
    expected = {"source": [SOURCE], "target": [target]}
    assert posts_to(local_site) == [("/test/23/page/final/endpoint", expected)]


def test_page_without_an_endpoint_is_recorded_as_such(local_site, allow_private_addresses):
    target = local_site.page("/plain", page('<a href="/elsewhere">no endpoint</a>'))

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.NO_ENDPOINT
    assert posts_to(local_site) == []


def test_endpoint_in_a_page_that_is_not_html_is_not_looked_for(local_site, allow_private_addresses):
    target = local_site.page(
        "/data.txt", '<link rel="webmention" href="/endpoint">', content_type="text/plain"
    )
    local_site.page("/endpoint", "Accepted", **ACCEPTED)

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.NO_ENDPOINT


def test_target_on_a_private_address_is_not_sent_by_default(local_site):
    target = serve(local_site, 3, DISCOVERY[3])

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.NOT_ALLOWED
    assert "loopback" in attempt.error
    assert local_site.requests == []


def test_endpoint_on_a_link_local_address_is_not_posted_to(local_site, allow_private_addresses):
    target = local_site.page(
        "/", page('<link rel="webmention" href="http://169.254.169.254/latest/">')
    )

    attempt = webmentions.webmention_send(source=SOURCE, target=target)

    assert attempt.state == WebmentionSent.State.NOT_ALLOWED
    assert attempt.endpoint == "http://169.254.169.254/latest/"


def test_post_links_are_its_source_and_the_links_of_its_text_once_each(settings):
    settings.SITE_URL = "https://blog.example.com"
    post = Post(
        title="Links",
        slug="links",
        published_at=timezone.now(),
        source_url="https://a.example/article",
        body=(
            "See [the article](https://a.example/article), [another](http://b.example/x?y=1), "
            "[my older post](/2020/01/01/older/), [the same, absolute]"
            "(https://blog.example.com/about/), [mail](mailto:me@example.com), "
            "[a fragment](#top) and [plain http of mine](http://blog.example.com/x/)."
        ),
        excerpt="Quoting [c](https://c.example/) and [b again](http://b.example/x?y=1).",
    )
    post.render_html()

    assert webmentions.post_links(post) == [
        "https://a.example/article",
        "http://b.example/x?y=1",
        "https://c.example/",
    ]


def test_a_site_on_a_loopback_address_sends_nothing(settings):
    """No one else could fetch its pages to check the webmention."""
    settings.WEBMENTION_ALLOW_PRIVATE_ADDRESSES = False
    for site_url, reachable in [
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://192.168.1.5", False),
        ("https://blog.example.com", True),
    ]:
        settings.SITE_URL = site_url
        assert webmentions.site_is_reachable() is reachable, site_url


# The sends that publishing makes, through the task worker.


@pytest.fixture
def sending(settings, allow_private_addresses):
    """Webmentions on, as on a live site (the tests' settings turn them off)."""
    settings.WEBMENTION_SEND = True


def article_with_endpoint(site, path="/article") -> str:
    """A page on `site` that advertises its endpoint; its URL."""
    site.page(f"{path}/webmention", "Accepted", **ACCEPTED)
    return site.page(path, page(f'<link rel="webmention" href="{path}/webmention">'))


def source_of(post) -> str:
    return f"http://127.0.0.1:8000{post.get_absolute_url()}"


@pytest.mark.django_db(transaction=True)
def test_publishing_a_link_post_sends_to_its_source(local_site, sending, run_worker, editor_client):
    article = article_with_endpoint(local_site)
    now = timezone.localtime()
    data = post_form(
        source_url=article,
        body=f"A second view: [this one]({local_site.url('/other')}).",
        _publish="",
        published_at_0=f"{now:%Y-%m-%d}",
        published_at_1=f"{now:%H:%M:%S}",
    )
    del data["_save"]
    local_site.page("/other", page("Nothing to see."))

    response = editor_client.post(reverse("admin:blog_post_add"), data)
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.is_published
    run_worker()

    expected = {"source": [source_of(post)], "target": [article]}
    assert posts_to(local_site) == [("/article/webmention", expected)]
    sent = {row.target: row for row in post.webmentions_sent.all()}
    assert sent[article].state == WebmentionSent.State.SENT
    assert (sent[article].status_code, sent[article].attempts) == (202, 1)
    assert sent[article].endpoint == local_site.url("/article/webmention")
    assert sent[local_site.url("/other")].state == WebmentionSent.State.NO_ENDPOINT


@pytest.mark.django_db(transaction=True)
def test_publishing_drafts_from_the_post_list_sends_too(
    local_site, sending, run_worker, editor_client
):
    article = article_with_endpoint(local_site)
    draft = make_link_post(source_url=article, status=Post.Status.DRAFT)

    editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    run_worker()

    draft.refresh_from_db()
    assert draft.is_published
    assert posts_to(local_site) == [
        ("/article/webmention", {"source": [source_of(draft)], "target": [article]})
    ]


@pytest.mark.django_db(transaction=True)
def test_unpublishing_from_the_post_list_tells_the_pages_too(
    local_site, sending, run_worker, editor_client
):
    article = article_with_endpoint(local_site)
    post = make_link_post(source_url=article)
    run_worker()

    editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "unpublish", "_selected_action": [post.pk]},
    )
    run_worker()

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert [path for path, _ in posts_to(local_site)] == ["/article/webmention"] * 2


@pytest.mark.django_db(transaction=True)
def test_a_draft_sends_nothing(local_site, sending, run_worker):
    article = article_with_endpoint(local_site)

    post = make_link_post(source_url=article, status=Post.Status.DRAFT)
    run_worker()

    assert local_site.requests == []
    assert not post.webmentions_sent.exists()


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_with_webmentions_off(local_site, allow_private_addresses, run_worker):
    make_link_post(source_url=article_with_endpoint(local_site))
    run_worker()

    assert local_site.requests == []


@pytest.mark.django_db(transaction=True)
def test_an_edit_of_a_published_post_sends_again_and_a_save_without_change_does_not(
    local_site, sending, run_worker
):
    article = article_with_endpoint(local_site)
    post = make_link_post(source_url=article)
    run_worker()
    assert len(posts_to(local_site)) == 1

    post.comments_open = False
    post.save()
    run_worker()
    assert len(posts_to(local_site)) == 1

    post.body = "Rethought, and rewritten."
    post.save()
    run_worker()

    assert posts_to(local_site)[1:] == [
        ("/article/webmention", {"source": [source_of(post)], "target": [article]})
    ]
    row = post.webmentions_sent.get()
    assert (row.state, row.attempts) == (WebmentionSent.State.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_a_link_removed_by_an_edit_is_told_so(local_site, sending, run_worker):
    """Its page can see that the post no longer links to it (the spec's §3.1.4)."""
    other = article_with_endpoint(local_site, "/other")
    post = make_post(body=f"See [this]({other}).")
    run_worker()

    post.body = "No link any more."
    post.save()
    run_worker()

    assert [path for path, _ in posts_to(local_site)] == ["/other/webmention"] * 2


@pytest.mark.django_db(transaction=True)
def test_unpublishing_tells_the_pages_that_accepted_one_and_republishing_sends_again(
    local_site, sending, run_worker, client
):
    article = article_with_endpoint(local_site)
    local_site.page("/plain", page("No endpoint."))
    post = make_link_post(source_url=article, body=f"And [this]({local_site.url('/plain')}).")
    run_worker()
    assert len(posts_to(local_site)) == 1

    post.status = Post.Status.DRAFT
    post.save()
    run_worker()

    # The endpoint is told again; checking, it finds the post gone.
    assert posts_to(local_site)[1:] == [
        ("/article/webmention", {"source": [source_of(post)], "target": [article]})
    ]
    assert client.get(post.get_absolute_url()).status_code == 404
    assert len(local_site.requests_to("/plain")) == 1
    post.status = Post.Status.PUBLISHED
    post.save()
    run_worker()
    assert len(posts_to(local_site)) == 3


@pytest.mark.django_db(transaction=True)
def test_scheduled_post_sends_when_its_time_comes(local_site, sending, run_worker):
    article = article_with_endpoint(local_site)
    soon = timezone.now() + timedelta(seconds=1)
    post = make_link_post(source_url=article, published_at=soon)
    run_worker()
    assert local_site.requests == []

    time.sleep((soon - timezone.now()).total_seconds() + 0.05)
    run_worker()

    assert posts_to(local_site) == [
        ("/article/webmention", {"source": [source_of(post)], "target": [article]})
    ]


@pytest.mark.django_db(transaction=True)
def test_scheduled_post_unpublished_before_its_time_sends_nothing(local_site, sending, run_worker):
    soon = timezone.now() + timedelta(seconds=1)
    post = make_link_post(source_url=article_with_endpoint(local_site), published_at=soon)
    post.status = Post.Status.DRAFT
    post.save()

    time.sleep((soon - timezone.now()).total_seconds() + 0.05)
    run_worker()

    assert local_site.requests == []


@pytest.mark.django_db(transaction=True)
def test_failure_is_retried_with_back_off_until_the_endpoint_accepts(
    local_site, sending, run_worker
):
    article = local_site.page("/article", page('<link rel="webmention" href="/endpoint">'))
    local_site.page("/endpoint", "Down for maintenance", status=503)
    post = make_link_post(source_url=article)
    run_worker()

    row = post.webmentions_sent.get()
    assert (row.state, row.attempts, row.status_code) == ("failed", 1, 503)
    assert row.next_attempt_at - row.attempted_at == retry_delay(1)
    run_worker()  # Not yet due.
    assert len(posts_to(local_site)) == 1

    local_site.page("/endpoint", "Accepted", **ACCEPTED)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    WebmentionSent.objects.update(next_attempt_at=timezone.now())
    run_worker()

    row.refresh_from_db()
    assert (row.state, row.attempts, row.status_code) == ("sent", 2, 202)
    assert row.next_attempt_at is None
    assert len(posts_to(local_site)) == 2


@pytest.mark.django_db
def test_sending_gives_up_after_the_last_attempt(local_site, allow_private_addresses):
    article = local_site.page("/article", page('<link rel="webmention" href="/endpoint">'))
    local_site.page("/endpoint", "Down", status=500)
    post = make_link_post(source_url=article)
    version = webmentions.post_version(post)
    WebmentionSent.objects.create(
        post=post, target=article, version=version, attempts=MAX_ATTEMPTS - 1
    )

    webmentions.webmentions_send(post_id=post.pk, version=version)

    row = post.webmentions_sent.get()
    assert (row.state, row.attempts, row.next_attempt_at) == ("gave-up", 10, None)


@pytest.mark.django_db
def test_endpoint_refusing_is_not_retried(local_site, allow_private_addresses):
    article = local_site.page("/article", page('<link rel="webmention" href="/endpoint">'))
    local_site.page("/endpoint", "Target does not accept webmentions", status=400)
    post = make_link_post(source_url=article)

    webmentions.webmentions_send(post_id=post.pk, version=webmentions.post_version(post))

    row = post.webmentions_sent.get()
    assert (row.state, row.status_code, row.next_attempt_at) == ("rejected", 400, None)
    assert row.error == "Target does not accept webmentions"


@pytest.mark.django_db
def test_attempts_are_shown_on_the_posts_admin_page(
    local_site, allow_private_addresses, editor_client
):
    article = local_site.page("/article", page('<link rel="webmention" href="/endpoint">'))
    local_site.page("/endpoint", "Down", status=503)
    post = make_link_post(source_url=article)
    webmentions.webmentions_send(post_id=post.pk, version=webmentions.post_version(post))

    response = editor_client.get(reverse("admin:blog_post_change", args=[post.pk]))

    content = response.content.decode()
    assert "Webmentions sent" in content
    assert article in content
    assert "Failed, will try again" in content
    assert "503" in content
