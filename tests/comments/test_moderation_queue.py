"""The queue's tabs, rows, row actions and quick reply, through the admin's views."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments import services
from comments.admin_queue import hold_reason, undo_move
from comments.models import Comment, CommentEvent
from tests import factories

CHANGELIST = reverse("admin:comments_comment_changelist")
Kind = CommentEvent.Kind
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def moderator_client(client, moderator):
    """A browser session signed in as a moderator."""
    client.force_login(moderator)
    return client


def moderate_url(comment, move):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, move])


def reply_url(comment):
    return reverse("admin:comments_comment_reply", args=[comment.pk])


def held_comments(post, count):
    for number in range(count):
        comment = factories.make_comment(post=post, status="pending", body=f"Held {number}")
        CommentEvent.objects.create(comment=comment, kind=Kind.CHECK_SKIPPED)


@pytest.mark.django_db
def test_check_failed_tab_appears_while_a_check_has_failed(moderator_client, post):
    factories.make_comment(post=post, status="pending", body="Checked fine")
    factories.make_comment(post=post, status="pending", akismet_verdict="error", body="Unsure")

    page = moderator_client.get(CHANGELIST)
    failed = moderator_client.get(CHANGELIST, {"status": "failed"})

    assertContains(page, "Pending (2)")
    assertContains(page, "Check failed (1)")
    assertContains(page, "Checked fine")
    assertContains(failed, "Unsure")
    assertNotContains(failed, "Checked fine")


@pytest.mark.django_db
def test_each_row_shows_the_whole_comment_its_author_post_parent_and_why_it_is_held(
    moderator_client, post
):
    parent = factories.make_comment(post=post, author_name="Ann", body="The first word.")
    comment = factories.make_comment(
        post=post,
        parent=parent,
        status="pending",
        author_name="Bob",
        author_email="bob@example.com",
        author_url="https://bob.example.org/",
        ip_address="203.0.113.9",
        body="Long. " * 200 + "The very end.",
    )
    CommentEvent.objects.create(comment=comment, kind=Kind.RULE_HELD, detail="“casino” in the text")
    CommentEvent.objects.create(comment=comment, kind=Kind.CHECK_HAM)
    CommentEvent.objects.create(comment=comment, kind=Kind.NOTIFIED)

    page = moderator_client.get(CHANGELIST)

    for text in [
        "The very end.",
        "Show more",
        "bob@example.com",
        "bob.example.org/",
        "203.0.113.9",
        "In reply to",
        "The first word.",
        parent.admin_url,
        post.get_absolute_url(),
        "Held for moderation by a discussion rule",
        "“casino” in the text",
    ]:
        assertContains(page, text)


@pytest.mark.parametrize(
    ("kinds", "reason"),
    [
        ([Kind.SUBMITTED, Kind.HONEYPOT, Kind.NOTIFIED], Kind.HONEYPOT),
        ([Kind.CHECK_ERROR, Kind.CHECK_HAM], Kind.CHECK_HAM),
        ([Kind.CHECK_HAM, Kind.CHECK_ERROR, Kind.REPORT_ERROR], Kind.CHECK_ERROR),
        ([Kind.RULE_HELD, Kind.CHECK_HAM], Kind.RULE_HELD),
        ([Kind.CHECK_SPAM, Kind.MARKED_HAM, Kind.REPORTED_HAM], Kind.MARKED_HAM),
        ([Kind.SUBMITTED], None),
    ],
)
def test_why_it_is_held_is_the_latest_line_of_history_that_explains_it(kinds, reason):
    events = [CommentEvent(kind=kind) for kind in kinds]

    found = hold_reason(events)

    assert (found.kind if found else None) == reason


@pytest.mark.parametrize(
    ("before", "after", "undo"),
    [
        ("pending", "approved", "unapprove"),
        ("approved", "pending", "approve"),
        ("pending", "spam", "mark_ham"),
        ("pending", "trash", "restore"),
        ("trash", "pending", "trash"),
        # Restore and Not spam lead to pending; the Undo goes back to approved.
        ("approved", "trash", "untrash_to_approved"),
        ("approved", "spam", "unspam_to_approved"),
    ],
)
def test_undo_is_the_move_of_the_table_that_leads_back(before, after, undo):
    move = undo_move(before=before, after=after)

    assert (move.name if move else None) == undo


@pytest.mark.django_db
def test_rows_offer_only_the_moves_their_status_allows(moderator_client, post):
    spam = factories.make_comment(post=post, status="spam")

    page = moderator_client.get(CHANGELIST, {"status": "spam"})

    assertContains(page, f'formaction="{moderate_url(spam, "mark_ham")}"')
    assertContains(page, f'formaction="{moderate_url(spam, "trash")}"')
    assertNotContains(page, f'formaction="{moderate_url(spam, "approve")}"')
    assertNotContains(page, f'formaction="{reply_url(spam)}"')


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "mentions"), [("", False), ("test-key", True)])
def test_row_actions_mention_akismet_only_while_spam_checking_is_on(
    moderator_client, post, settings, key, mentions
):
    settings.AKISMET_API_KEY = key
    comment = factories.make_comment(post=post, status="pending")

    page = moderator_client.get(CHANGELIST).content.decode()
    state = moderator_client.post(moderate_url(comment, "approve"), **JSON).json()

    actions = re.findall(r'<span class="queue-moves">.*?</span>', page)
    assert actions
    assert ("Akismet" in "".join(actions)) is mentions
    assert ("Akismet" in str(state["moves"])) is mentions


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_queue_makes_the_same_queries_for_10_or_200_held_comments(
    moderator_client, post, django_assert_num_queries, count
):
    """Intended to prevent an n+1 issue: each row's post, parent, author count and history
    (for why it is held) come with the page, so a long queue costs what a short one does."""
    held_comments(post, 1)
    with CaptureQueriesContext(connection) as one:
        moderator_client.get(CHANGELIST)
    held_comments(post, count - 1)

    with django_assert_num_queries(len(one.captured_queries)):
        page = moderator_client.get(CHANGELIST)

    assertContains(page, f"Pending ({count})")


@pytest.mark.django_db
def test_row_action_answers_json_with_the_new_status_moves_and_undo(moderator_client, post):
    comment = factories.make_comment(post=post, status="pending")

    response = moderator_client.post(moderate_url(comment, "trash"), **JSON)

    state = response.json()
    assert (state["status"], state["undo"]["name"]) == ("trash", "restore")
    assert [move["name"] for move in state["moves"]] == ["restore"]
    assert state["reason"] == "Moved to trash by morgan"
    comment.refresh_from_db()
    assert comment.status == "trash"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("move", "undo"), [("trash", "untrash_to_approved"), ("mark_spam", "unspam_to_approved")]
)
def test_undo_puts_a_published_comment_back_on_the_post(moderator_client, client, post, move, undo):
    comment = factories.make_comment(post=post, status="approved", body="Worth keeping")

    state = moderator_client.post(moderate_url(comment, move), **JSON).json()
    assert state["undo"]["name"] == undo
    assert undo not in [action["name"] for action in state["moves"]]  # Only as the Undo.
    back = moderator_client.post(state["undo"]["url"], **JSON).json()

    assert back["status"] == "approved"
    assertContains(client.get(post.get_absolute_url()), "Worth keeping")
    moves = comment.events.filter(actor__isnull=False).values_list("actor__username", flat=True)
    assert list(moves) == ["morgan", "morgan"]


@pytest.mark.django_db
def test_one_row_action_is_one_request_of_a_bounded_number_of_queries(
    moderator_client, post, django_assert_max_num_queries
):
    """A decision must stay cheap whatever the queue holds: session, user, the comment,
    its locked row, the update, the history line, the page-cache note, the answer."""
    comment = factories.make_comment(post=post, status="pending")
    held_comments(post, 50)

    with django_assert_max_num_queries(14):
        response = moderator_client.post(moderate_url(comment, "approve"), **JSON)

    assert response.status_code == 200


@pytest.mark.django_db
def test_row_action_without_script_comes_back_to_the_queue_where_it_was(moderator_client, post):
    first, second = (factories.make_comment(post=post, status="pending") for _ in range(2))

    response = moderator_client.post(
        moderate_url(first, "approve"),
        {"_changelist_filters": "status=pending&q=Reader", "following": str(second.pk)},
    )

    # The comment left the tab, so the queue opens at the next row.
    assert response.url == f"{CHANGELIST}?status=pending&q=Reader#comment-row-{second.pk}"
    page = moderator_client.get(response.url)
    assertContains(page, "Approved: ")
    assertContains(page, f'action="{moderate_url(first, "unapprove")}"')  # Undo


@pytest.mark.django_db
def test_row_action_refuses_get_other_moves_and_moves_that_do_not_apply(moderator_client, post):
    spam = factories.make_comment(post=post, status="spam")

    assert moderator_client.get(moderate_url(spam, "mark_ham")).status_code == 405
    assert moderator_client.post(moderate_url(spam, "honeypot")).status_code == 404
    assert moderator_client.post(moderate_url(spam, "approve"), **JSON).status_code == 409
    spam.refresh_from_db()
    assert spam.status == "spam"


@pytest.mark.django_db
def test_row_actions_need_the_change_permission_and_a_csrf_token(client, post):
    comment = factories.make_comment(post=post, status="pending")
    viewer = factories.make_user(is_staff=True)
    viewer.user_permissions.add(*_perms("view_comment"))
    client.force_login(viewer)

    assert client.post(moderate_url(comment, "approve")).status_code == 403

    from django.test import Client

    checked = Client(enforce_csrf_checks=True)
    checked.force_login(factories.make_moderator())
    assert checked.post(moderate_url(comment, "approve")).status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=codenames)


@pytest.mark.django_db
def test_quick_reply_approves_the_parent_and_publishes_the_reply(
    moderator_client, moderator, post, fake_akismet
):
    parent = factories.make_comment(post=post, status="pending", author_name="Asker")

    state = moderator_client.post(reply_url(parent), {"body": "Here is the answer."}, **JSON).json()

    parent.refresh_from_db()
    reply = Comment.objects.get(parent=parent)
    assert (parent.status, reply.status, reply.user) == ("approved", "approved", moderator)
    assert state["message"] == "Replied to Asker, and approved their comment."
    assert state["reply_label"] == "Reply"
    assert list(reply.events.values_list("kind", flat=True)) == [Kind.SUBMITTED, Kind.APPROVED]
    assert parent.events.get().kind == Kind.APPROVED
    assert fake_akismet.requests == []  # Never sent to Akismet.
    assertContains(moderator_client.get(post.get_absolute_url()), "Here is the answer.")


@pytest.mark.django_db
def test_quick_reply_button_says_it_approves_a_pending_comment(moderator_client, post):
    factories.make_comment(post=post, status="pending")

    assertContains(moderator_client.get(CHANGELIST), "Approve and reply")


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["spam", "trash"])
def test_quick_reply_to_spam_or_trash_is_refused(moderator, post, status):
    parent = factories.make_comment(post=post, status=status)

    with pytest.raises(services.IllegalTransition):
        services.comment_reply_by_moderator(parent=parent, moderator=moderator, body="Hi")

    assert not Comment.objects.filter(parent=parent).exists()


@pytest.mark.django_db
def test_empty_quick_reply_is_refused(moderator_client, post):
    parent = factories.make_comment(post=post, status="pending")

    response = moderator_client.post(reply_url(parent), {"body": "  "}, **JSON)

    assert response.status_code == 409
    parent.refresh_from_db()
    assert parent.status == "pending"


@pytest.mark.django_db
def test_history_button_shows_the_comments_own_history(moderator_client, moderator, post):
    comment = factories.make_comment(post=post, status="pending")
    services.comment_trash(comment=comment, actor=moderator)

    page = moderator_client.get(reverse("admin:comments_comment_history", args=[comment.pk]))

    assertContains(page, "Moved to trash")
    assertContains(page, moderator.username)
    assertNotContains(page, "doesn’t have a change history")


@pytest.mark.django_db
def test_comment_page_has_its_moderation_buttons_at_the_top(moderator_client, post):
    comment = factories.make_comment(post=post, status="pending")

    page = moderator_client.get(comment.admin_url).content.decode()

    assert page.index('name="_approve"') < page.index('name="author_name"')
