"""The moderation queue in the admin, as a member of the Moderators group uses it."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment, CommentEvent
from tests import factories

CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def moderator_client(client, moderator):
    """A browser session signed in as a moderator."""
    client.force_login(moderator)
    return client


def run_action(client, action, *comments, status="all"):
    """Tick `comments` in the queue filtered by `status`, choose `action` and press Run."""
    return client.post(
        f"{CHANGELIST}?status={status}",
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


@pytest.mark.django_db
def test_moderators_group_may_moderate_comments_discussion_rules_and_likes_only():
    group = Group.objects.get(name="Moderators")

    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "change_comment",
        "change_discussionrule",
        "delete_like",  # A burst of likes from one address (blog.likes).
        "view_comment",
        "view_discussionrule",
        "view_like",
    ]


@pytest.mark.django_db
def test_queue_opens_on_pending_with_a_tab_and_count_per_status(moderator_client, post):
    factories.make_comment(post=post, body="Held for review", status="pending")
    factories.make_comment(post=post, body="Caught as spam", status="spam")
    factories.make_comment(post=post, body="Already public", status="approved")
    factories.make_comment(post=post, body="Thrown away", status="trash")

    page = moderator_client.get(CHANGELIST)

    assertContains(page, "Held for review")
    assertNotContains(page, "Caught as spam")
    assertNotContains(page, "Already public")
    assertNotContains(page, "Thrown away")
    for label in ("All (4)", "Pending (1)", "Approved (1)", "Spam (1)", "Trash (1)"):
        assertContains(page, label)
    assertNotContains(page, "Check failed (")
    assertContains(moderator_client.get(CHANGELIST, {"status": "all"}), "Already public")
    assertContains(moderator_client.get(CHANGELIST, {"status": "spam"}), "Caught as spam")
    assertContains(moderator_client.get(CHANGELIST, {"status": "trash"}), "Thrown away")


@pytest.mark.django_db
def test_queue_shows_author_with_approved_count_post_verdict_and_age(moderator_client, post):
    # The same commenter by WordPress's rule: the same name and address, in any case.
    factories.make_comment(post=post, author_name="Regular", author_email="reg@example.com")
    factories.make_comment(post=post, author_name="Regular", author_email="REG@example.com")
    factories.make_comment(
        post=post,
        author_name="Regular",
        author_email="reg@example.com",
        status="pending",
        akismet_verdict="error",
        akismet_attempts=3,
        akismet_last_error="Akismet timed out.",
    )

    page = moderator_client.get(CHANGELIST)

    assertContains(page, "2 approved comments")
    assertContains(page, post.title)
    assertContains(page, "Check failed (3 attempts)")
    assertContains(page, "<time datetime=")


@pytest.mark.django_db
def test_queue_counts_only_approved_comments_with_the_same_name_and_address(moderator_client, post):
    factories.make_comment(post=post, author_name="Someone else", author_email="reg@example.com")
    factories.make_comment(post=post, author_name="Regular", author_email="reg@example.com")
    factories.make_comment(
        post=post, author_name="Regular", author_email="reg@example.com", status="spam"
    )

    page = moderator_client.get(CHANGELIST, {"status": "all"})

    assertContains(page, "0 approved comments", count=2)
    assertContains(page, "1 approved comment<", count=1)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "mentions_akismet"), [("", False), ("test-key", True)])
def test_action_labels_mention_akismet_only_while_spam_checking_is_on(
    moderator_client, post, settings, key, mentions_akismet
):
    settings.AKISMET_API_KEY = key
    factories.make_comment(post=post, status="pending")

    page = moderator_client.get(CHANGELIST)

    assertContains(page, ">Approve</option>")
    assert ("Mark as spam (and tell Akismet)" in page.content.decode()) is mentions_akismet
    assert ("Not spam (and tell Akismet)" in page.content.decode()) is mentions_akismet
    assertContains(page, "Check again with Akismet")


@pytest.mark.django_db
def test_queue_queries_do_not_grow_with_its_length(
    moderator_client, post, django_assert_num_queries
):
    """Intended to prevent an n+1 issue: author counts and posts are fetched with the page."""
    factories.make_comment(post=post, status="pending")
    with CaptureQueriesContext(connection) as one:
        moderator_client.get(CHANGELIST)
    for _ in range(30):
        factories.make_comment(post=factories.make_post(), status="pending")

    with django_assert_num_queries(len(one.captured_queries)):
        moderator_client.get(CHANGELIST)


@pytest.mark.django_db
def test_queue_search_finds_comments_by_author_and_text(moderator_client, post):
    factories.make_comment(post=post, status="pending", body="About teapots")
    factories.make_comment(post=post, status="pending", body="About kettles")

    page = moderator_client.get(CHANGELIST, {"q": "teapots"})

    assertContains(page, "About teapots")
    assertNotContains(page, "About kettles")


@pytest.mark.django_db
def test_moderator_approves_from_the_queue_and_history_names_them(
    moderator_client, moderator, post
):
    comment = factories.make_comment(post=post, status="pending")

    page = run_action(moderator_client, "approve", comment)

    assertContains(page, "Approved 1 comment(s).")
    comment.refresh_from_db()
    assert comment.status == "approved"
    event = comment.events.get()
    assert (event.kind, event.actor) == (CommentEvent.Kind.APPROVED, moderator)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("mark_spam", "pending", "spam"),
        ("mark_ham", "spam", "pending"),
        ("trash", "approved", "trash"),
        ("unapprove", "approved", "pending"),
        ("restore", "trash", "pending"),
    ],
)
def test_bulk_actions_move_comments_through_the_services(
    moderator_client, post, action, before, after
):
    comments = [factories.make_comment(post=post, status=before) for _ in range(2)]

    run_action(moderator_client, action, *comments)

    assert {c.status for c in Comment.objects.all()} == {after}
    assert CommentEvent.objects.count() == 2


@pytest.mark.django_db
def test_action_that_does_not_apply_is_skipped_with_a_warning(moderator_client, post):
    spam = factories.make_comment(post=post, status="spam")

    page = run_action(moderator_client, "approve", spam)

    assertContains(page, "Skipped 1 comment(s)")
    spam.refresh_from_db()
    assert spam.status == "spam"


@pytest.mark.django_db
def test_change_page_shows_history_verdict_and_edit_fields(moderator_client, moderator, post):
    comment = factories.make_comment(
        post=post,
        status="pending",
        akismet_verdict="error",
        akismet_attempts=2,
        akismet_last_error="Akismet responded with error status: 503",
    )
    CommentEvent.objects.create(
        comment=comment, kind=CommentEvent.Kind.CHECK_ERROR, detail="503 from Akismet"
    )
    CommentEvent.objects.create(comment=comment, kind=CommentEvent.Kind.TRASHED, actor=moderator)

    page = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))

    assertContains(page, "Akismet could not be reached; will retry")
    assertContains(page, "503 from Akismet")
    assertContains(page, "Moved to trash")
    assertContains(page, moderator.username)
    assertContains(page, "Akismet responded with error status: 503")
    assertContains(page, 'name="body"')
    assertContains(page, 'name="_approve"')


@pytest.mark.django_db
def test_change_page_button_approves_and_keeps_edits(moderator_client, post):
    comment = factories.make_comment(post=post, status="pending", body="Typo teh")
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    moderator_client.post(
        url,
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": "Typo the",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "_approve": "Approve",
        },
    )

    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("approved", "Typo the")


@pytest.mark.django_db
def test_admin_says_when_spam_checking_is_off(moderator_client, settings):
    settings.AKISMET_API_KEY = ""

    assertContains(moderator_client.get(CHANGELIST), "Spam checking is off")


@pytest.mark.django_db
def test_admin_is_quiet_about_spam_checking_when_a_key_is_set(moderator_client, settings):
    settings.AKISMET_API_KEY = "some-key"

    assertNotContains(moderator_client.get(CHANGELIST), "Spam checking is off")


@pytest.mark.django_db
def test_moderators_cannot_reach_posts_users_or_delete_comments(moderator_client, post):
    comment = factories.make_comment(post=post, status="pending")

    assert moderator_client.get(reverse("admin:blog_post_changelist")).status_code == 403
    assert moderator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    delete = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert moderator_client.get(delete).status_code == 403
    assertNotContains(moderator_client.get(CHANGELIST), "delete_selected")


@pytest.mark.django_db
def test_change_page_offers_only_the_moves_that_apply(moderator_client, post):
    caught = factories.make_comment(post=post, status="spam")

    page = moderator_client.get(reverse("admin:comments_comment_change", args=[caught.pk]))

    assertContains(page, 'value="Not spam"')
    assertContains(page, 'value="Move to trash"')
    assertNotContains(page, 'value="Approve"')
    assertNotContains(page, 'value="Mark as spam"')
