"""WordPress's discussion rules: too many links, the hold list and the trash list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from comments import services
from comments.models import Comment, CommentEvent, DiscussionRule
from tests import factories
from tests.comments.conftest import (
    akismet_client,
    failing_akismet_client,
    form_data,
    post_comment,
)

Kind = CommentEvent.Kind
Status = Comment.Status


def submit(post, request_meta, *, client=None, user=None, **fields):
    data = {"parent": None, "fax_number": "", "remember": False, **form_data(**fields)}
    return services.comment_submit(
        post=post, data=data, request_meta=request_meta, user=user, client=client
    )


def set_list(kind, entries):
    DiscussionRule.objects.update_or_create(kind=kind, defaults={"entries": entries})


def rule_events(comment, kind):
    return list(comment.events.filter(kind=kind).values_list("detail", flat=True))


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("No links at all.", 0),
        ("See https://one.example and http://two.example/page.", 2),
        ("Bare www.example.com counts too.", 1),
        ('<a href="https://one.example">https://one.example</a>', 1),
        ('<A title="x" HREF="https://one.example">one</A> and https://two.example', 2),
    ],
)
def test_links_are_counted_as_wordpress_counts_them(text, links):
    assert services.links_count(text) == links


@pytest.mark.django_db
def test_a_comment_with_max_links_or_more_is_held_and_still_checked(
    post, request_meta, akismet_on, settings
):
    settings.COMMENTS_MAX_LINKS = 2
    body = "Read https://one.example and https://two.example"

    comment = submit(post, request_meta, client=akismet_client(), body=body)

    assert (comment.status, comment.akismet_verdict) == (Status.PENDING, "ham")
    assert rule_events(comment, Kind.RULE_HELD) == ["2 links (a comment with 2 or more is held)"]


@pytest.mark.django_db
def test_one_link_and_the_authors_website_are_not_held(post, request_meta, akismet_on, settings):
    settings.COMMENTS_MAX_LINKS = 2
    comment = submit(
        post,
        request_meta,
        client=akismet_client(),
        author_url="https://me.example",
        body="Read https://one.example",
    )

    assert not rule_events(comment, Kind.RULE_HELD)


@pytest.mark.django_db
def test_max_links_zero_never_holds(post, request_meta, settings):
    settings.COMMENTS_MAX_LINKS = 0
    comment = submit(post, request_meta, body=" ".join(f"https://{n}.example" for n in "abcde"))

    assert not rule_events(comment, Kind.RULE_HELD)


FIELDS = {
    "author_name": ("name", {"author_name": "Casino Carl"}),
    "author_email": ("email", {"author_email": "carl@CASINO.example"}),
    "author_url": ("website", {"author_url": "https://www.casino.example/"}),
    "body": ("text", {"body": "Try the cAsInO tonight."}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", FIELDS)
def test_hold_list_matches_each_field_in_any_case(post, request_meta, akismet_on, field):
    set_list("hold", "CaSiNo")
    label, fields = FIELDS[field]

    comment = submit(post, request_meta, client=akismet_client(), **fields)

    assert comment.status == Status.PENDING
    assert comment.akismet_verdict == "ham"  # A held comment is still sent to Akismet.
    assert rule_events(comment, Kind.RULE_HELD) == [f"Comment Moderation: “CaSiNo” in the {label}"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "meta", "label"),
    [
        ("203.0.113.", {"REMOTE_ADDR": "203.0.113.77"}, "IP address"),
        ("evilbot", {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "EvilBot/2.0"}, "browser"),
    ],
)
def test_trash_list_matches_the_address_and_browser_and_is_not_sent_to_akismet(
    post, akismet_on, entry, meta, label
):
    set_list("trash", entry)
    calls = []

    comment = submit(post, meta, client=failing_akismet_client(calls=calls))

    assert comment.status == Status.TRASH
    assert calls == []
    assert comment.akismet_verdict == Comment.Verdict.UNCHECKED
    assert rule_events(comment, Kind.RULE_TRASHED) == [
        f"Disallowed Comment Keys: “{entry}” in the {label}"
    ]
    assert not Comment.objects.awaiting_spam_check().exists()


@pytest.mark.django_db
def test_entries_are_trimmed_and_blank_lines_skipped(post, request_meta):
    set_list("trash", "\n   \n  viagra  \r\n\n")

    kept = submit(post, request_meta, body="An ordinary remark.")
    trashed = submit(post, {"REMOTE_ADDR": "198.51.100.9"}, body="Cheap VIAGRA here")

    assert kept.status == Status.PENDING
    assert not rule_events(kept, Kind.RULE_HELD)
    assert trashed.status == Status.TRASH


@pytest.mark.django_db
def test_trash_wins_over_hold(post, request_meta):
    set_list("hold", "cheap")
    set_list("trash", "pills")

    comment = submit(post, request_meta, body="cheap pills")

    assert comment.status == Status.TRASH
    assert not rule_events(comment, Kind.RULE_HELD)


@pytest.mark.django_db
def test_a_held_known_author_is_not_approved_automatically(
    post, request_meta, akismet_on, settings
):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    factories.make_comment(
        post=post,
        author_name="Kim",
        author_email="kim@example.com",
        created_at=timezone.now() - timedelta(hours=1),
    )
    set_list("hold", "refund")

    comment = submit(
        post,
        request_meta,
        client=akismet_client(),
        author_name="Kim",
        author_email="kim@example.com",
        body="About my refund",
    )

    assert comment.status == Status.PENDING


@pytest.mark.django_db
def test_staff_are_exempt_as_wordpress_exempts_the_admins(post, request_meta, moderator):
    set_list("trash", "moderator")

    comment = submit(post, request_meta, user=moderator, body="A note from the moderator.")

    assert comment.status == Status.PENDING
    assert not rule_events(comment, Kind.RULE_TRASHED)


@pytest.mark.django_db
def test_through_the_fake_akismet_trash_is_not_sent_and_hold_is(client, post, fake_akismet):
    set_list("hold", "hold me")
    set_list("trash", "bin me")

    post_comment(client, post, body="Please bin me.")
    post_comment(client, post, body="Please hold me.")

    trashed, held = Comment.objects.order_by("pk")
    assert trashed.status == Status.TRASH
    assert held.status == Status.PENDING
    [request] = fake_akismet.requests_to("comment-check")
    assert request.params["comment_content"] == "Please hold me."


@pytest.fixture
def moderator_client(client, moderator, settings):
    """A moderator signed in, with the discussion rules' admin registered."""
    client.force_login(moderator)
    return client


@pytest.mark.django_db
def test_moderators_edit_the_two_lists_in_the_admin(moderator_client, post, request_meta):
    DiscussionRule.objects.all().delete()  # The admin makes them again.
    page = moderator_client.get(reverse("admin:comments_discussionrule_changelist"))
    assertContains(page, "Comment Moderation: hold in the queue")
    assertContains(page, "Disallowed Comment Keys: move to the trash")

    response = moderator_client.post(
        reverse("admin:comments_discussionrule_change", args=["trash"]),
        {"entries": "spam-words\nbuy now"},
    )

    assert response.status_code == 302
    assert DiscussionRule.objects.get(kind="trash").entry_list() == ["spam-words", "buy now"]
    assert submit(post, request_meta, body="Buy Now!").status == Status.TRASH
