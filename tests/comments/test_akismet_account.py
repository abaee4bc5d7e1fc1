"""Akismet, measurable: what comment-check is sent, what its headers said, the account's
alert, and the admin's card of this month's usage and this site's counts."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments import services, spam
from comments.models import AkismetAccount, Comment, CommentEvent
from tests import factories
from tests.comments.conftest import failing_akismet_client, post_comment
from tests.fake_akismet import DISCARD_MARKER, VALID_KEY

Kind = CommentEvent.Kind
INDEX = reverse("admin:index")


@pytest.fixture
def moderator_client(client, moderator, settings):
    """A moderator signed in, with the card's "Refresh now" registered."""
    client.force_login(moderator)
    return client


def gmt(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.django_db
def test_comment_check_gets_exactly_this_body(client, fake_akismet):
    post = factories.make_post(tags=["python", "web"])
    post_comment(
        client,
        post,
        ip="203.0.113.200",
        author_name="Hannah",
        author_email="hannah@example.com",
        body="Pleasant remark.",
    )

    comment = Comment.objects.get()
    [request] = fake_akismet.requests_to("comment-check")
    assert request.form == {
        "api_key": [VALID_KEY],
        "blog": ["http://127.0.0.1:8000"],
        "user_ip": ["203.0.113.200"],
        "user_agent": ["Mozilla/5.0 (comment tests)"],
        "referrer": [f"http://testserver{post.get_absolute_url()}"],
        "permalink": [f"http://127.0.0.1:8000{post.get_absolute_url()}"],
        "comment_type": ["comment"],
        "comment_author": ["Hannah"],
        "comment_author_email": ["hannah@example.com"],
        "comment_author_url": [""],
        "comment_content": ["Pleasant remark."],
        "comment_date_gmt": [gmt(comment.created_at)],
        "comment_post_modified_gmt": [gmt(post.updated_at)],
        "blog_lang": ["en"],
        "blog_charset": ["utf-8"],
        "honeypot_field_name": ["fax_number"],
        "fax_number": [""],
        "comment_context[]": ["python", "web"],
    }


def test_the_honeypot_goes_under_its_own_name_with_its_value():
    calls = []
    client = failing_akismet_client(status=200, text="false", calls=calls)
    params = {
        "user_ip": "203.0.113.5",
        "comment_content": "Hello",
        "honeypot_field_name": "fax_number",
        "fax_number": "555-0100",
        "comment_context": ["cooking", "bread"],
    }

    answer = spam.check(params, client=client)

    assert answer.verdict == spam.HAM
    form = parse_qs(calls[0].content.decode(), keep_blank_values=True)
    assert form["honeypot_field_name"] == ["fax_number"]
    assert form["fax_number"] == ["555-0100"]
    assert form["comment_context[]"] == ["cooking", "bread"]


@pytest.mark.django_db
def test_check_again_sends_recheck_reason_recheck_queue(moderator_client, post, fake_akismet):
    comment = factories.make_comment(
        post=post,
        status="pending",
        akismet_verdict="error",
        akismet_params={"user_ip": "203.0.113.5", "comment_content": "Hello again"},
    )

    moderator_client.post(
        reverse("admin:comments_comment_changelist") + "?status=all",
        {"action": "check_again", "_selected_action": [comment.pk]},
    )

    [request] = fake_akismet.requests_to("comment-check")
    assert request.form == {
        "api_key": [VALID_KEY],
        "blog": ["http://127.0.0.1:8000"],
        "user_ip": ["203.0.113.5"],
        "comment_content": ["Hello again"],
        "recheck_reason": ["recheck_queue"],
    }


@pytest.mark.django_db
def test_the_answers_headers_are_kept_in_the_history(client, post, fake_akismet):
    post_comment(client, post, body=f"Buy now {DISCARD_MARKER}")

    comment = Comment.objects.get()
    [event] = comment.events.filter(kind=Kind.CHECK_DISCARD)
    assert event.detail.splitlines() == ["Check id: fake-check-1", "Pro tip: discard"]


@pytest.mark.django_db
def test_an_account_alert_is_kept_shown_to_staff_and_cleared(
    client, moderator_client, post, fake_akismet
):
    fake_akismet.alert = ("10003", "Your site is over its usage limit.")
    post_comment(client, post, body="First remark.")

    [event] = Comment.objects.get().events.filter(kind=Kind.CHECK_HAM)
    assert "Alert: 10003 Your site is over its usage limit." in event.detail.splitlines()
    page = moderator_client.get(INDEX)
    assertContains(page, 'id="akismet-alert"')
    assertContains(page, "Akismet says: Your site is over its usage limit. (code 10003")
    queue = moderator_client.get(reverse("admin:comments_comment_changelist"))
    assertContains(queue, "Your site is over its usage limit.")

    fake_akismet.alert = None
    post_comment(client, post, body="Second remark.")

    assert AkismetAccount.objects.get().alert_code == ""
    assertNotContains(moderator_client.get(INDEX), 'id="akismet-alert"')


@pytest.mark.django_db
def test_the_card_shows_usage_and_this_sites_counts_from_akismet(moderator_client, fake_akismet):
    assertContains(moderator_client.get(INDEX), "Not fetched yet: the task worker")

    response = moderator_client.post(reverse("admin:comments_akismetaccount_refresh"), follow=True)

    assertContains(response, "Akismet’s figures are up to date.")
    assertContains(response, "7463 of 350000 (2.13%)")
    assertContains(response, '<th scope="row">Spam caught</th><td>2069</td>', html=True)
    assertContains(response, '<th scope="row">Ham (not spam)</th><td>3</td>', html=True)
    assertContains(response, '<th scope="row">Missed spam</th><td>1</td>', html=True)
    assertContains(response, '<th scope="row">False positives</th><td>4</td>', html=True)
    account = AkismetAccount.objects.get()
    assertContains(response, f'datetime="{account.fetched_at.isoformat()}"')
    [sites] = fake_akismet.requests_to_v12("key-sites")
    assert sites.params == {
        "api_key": VALID_KEY,
        "month": f"{account.fetched_at:%Y-%m}",
        "filter": "127.0.0.1",
        "format": "json",
    }
    [usage] = fake_akismet.requests_to_v12("usage-limit")
    assert usage.params == {"api_key": VALID_KEY}


@pytest.mark.django_db
def test_a_failed_refresh_keeps_the_figures_and_says_why(moderator_client, fake_akismet):
    services.akismet_stats_refresh()
    fake_akismet.set_fault("503")

    response = moderator_client.post(reverse("admin:comments_akismetaccount_refresh"), follow=True)

    assertContains(response, "The last refresh failed: Akismet responded with error status: 503")
    assertContains(response, "7463 of 350000")


@pytest.mark.django_db
def test_the_card_says_plainly_when_spam_checking_is_off(moderator_client):
    page = moderator_client.get(INDEX)

    assertContains(page, "Spam checking is off")
    assertNotContains(page, "Refresh now")


@pytest.mark.django_db
def test_refresh_is_a_post_for_those_who_see_comments(client, fake_akismet, settings):
    url = reverse("admin:comments_akismetaccount_refresh")
    client.force_login(factories.make_user(username="stan", is_staff=True))

    assert client.post(url).status_code == 403
    assert fake_akismet.requests == []
