"""Least privilege: Editors and Moderators can do their job in the admin, and nothing more.

Each test signs in as a member of the group and uses the admin as they would.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains
from taggit.models import Tag

from blog.models import Post
from comments.models import Comment
from tests import factories

POSTS = reverse("admin:blog_post_changelist")
ADD_POST = reverse("admin:blog_post_add")
TAGS = reverse("admin:taggit_tag_changelist")
COMMENTS = reverse("admin:comments_comment_changelist")
# What neither group may reach: accounts, groups, and the login-throttling records.
ACCOUNT_PAGES = [
    reverse("admin:auth_user_changelist"),
    reverse("admin:auth_user_add"),
    reverse("admin:auth_group_changelist"),
    reverse("admin:auth_group_add"),
    reverse("admin:axes_accessattempt_changelist"),
]


@pytest.fixture
def editor_client(client, editor):
    """A client signed in as a member of the Editors group."""
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    """A client signed in as a member of the Moderators group."""
    client.force_login(moderator)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def group_permissions(name):
    return sorted(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def png(width=64, height=48):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def post_form(**fields):
    return {
        "title": "Written by an editor",
        "slug": "written-by-an-editor",
        "body": "Commentary.",
        "summary": "",
        "excerpt": "",
        "source_url": "",
        "source_title": "",
        "source_name": "",
        "status": "draft",
        "published_at_0": "2025-01-15",
        "published_at_1": "10:30:00",
        "author": "",
        "tags": "notes",
        "comments_open": "on",
        "image_alt": "",
        "_save": "Save",
        **fields,
    }


# The groups hold exactly their grants
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editors_hold_post_and_tag_permissions_only():
    assert group_permissions("Editors") == sorted(
        [
            *(
                f"{action}_{model}"
                for action in ("add", "change", "delete", "view")
                for model in ("post", "tag")
            ),
            # Likes: seen, and removed in a burst (blog.likes).
            "delete_like",
            "view_like",
        ]
    )


@pytest.mark.django_db
def test_moderators_hold_comment_and_discussion_rule_view_and_change_only():
    assert group_permissions("Moderators") == [
        "change_comment",
        "change_discussionrule",
        "delete_like",
        "view_comment",
        "view_discussionrule",
        "view_like",
    ]


# Editors
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_sees_posts_and_tags_on_the_admin_index_and_nothing_else(editor_client):
    index = editor_client.get(reverse("admin:index"))

    assertContains(index, f'href="{POSTS}"')
    assertContains(index, f'href="{TAGS}"')
    for hidden in (COMMENTS, reverse("admin:auth_user_changelist"), "accessattempt"):
        assertNotContains(index, hidden)


@pytest.mark.django_db
def test_editor_writes_a_post_with_an_image_and_publishes_it(editor_client, media_root):
    added = editor_client.post(ADD_POST, post_form(image=png(), image_alt="A blue square"))

    assert added.status_code == 302, added.context["adminform"].form.errors
    post = Post.objects.get()
    assert post.image and (media_root / post.image.name).exists()
    assert not post.is_published

    published = editor_client.post(
        POSTS, {"action": "publish", "_selected_action": [post.pk]}, follow=True
    )

    assertContains(published, "1 post")
    post.refresh_from_db()
    assert post.is_published


@pytest.mark.django_db
def test_editor_revises_someone_elses_post(editor_client, post):
    changed = editor_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        post_form(title="Revised by an editor", slug=post.slug, status="published"),
    )

    assert changed.status_code == 302, changed.context["adminform"].form.errors
    post.refresh_from_db()
    assert post.title == "Revised by an editor"


@pytest.mark.django_db
def test_editor_manages_tags(editor_client):
    added = editor_client.post(
        reverse("admin:taggit_tag_add"), {"name": "Essays", "slug": "essays"}
    )

    assert added.status_code == 302
    assert Tag.objects.filter(slug="essays").exists()


@pytest.mark.django_db
def test_editor_cannot_moderate_comments(editor_client, post):
    comment = factories.make_comment(post=post, status=Comment.Status.PENDING)

    queue = editor_client.get(COMMENTS)
    page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    approve = editor_client.post(COMMENTS, {"action": "approve", "_selected_action": [comment.pk]})

    assert (queue.status_code, page.status_code, approve.status_code) == (403, 403, 403)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_editor_cannot_manage_accounts(editor_client, url):
    assert editor_client.get(url).status_code == 403


@pytest.mark.django_db
def test_editor_cannot_give_themselves_more_rights(editor_client, editor):
    response = editor_client.post(
        reverse("admin:auth_user_change", args=[editor.pk]),
        {"username": editor.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )

    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


# Moderators
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moderator_sees_the_comment_queue_and_nothing_else(moderator_client, post):
    factories.make_comment(post=post, status=Comment.Status.PENDING, body="Held for review.")

    index = moderator_client.get(reverse("admin:index"))
    queue = moderator_client.get(COMMENTS)

    assertContains(index, f'href="{COMMENTS}"')
    for hidden in (POSTS, TAGS, reverse("admin:auth_user_changelist"), "accessattempt"):
        assertNotContains(index, hidden)
    assertContains(queue, "Held for review.")


@pytest.mark.django_db
def test_moderator_approves_marks_spam_and_trashes_and_sees_the_history(moderator_client, post):
    to_approve, to_spam, to_trash = (
        factories.make_comment(post=post, status=Comment.Status.PENDING) for _ in range(3)
    )

    for action, comment in (("approve", to_approve), ("mark_spam", to_spam), ("trash", to_trash)):
        moderator_client.post(
            f"{COMMENTS}?status=all", {"action": action, "_selected_action": [comment.pk]}
        )
    history = moderator_client.get(reverse("admin:comments_comment_change", args=[to_approve.pk]))

    statuses = [Comment.objects.get(pk=c.pk).status for c in (to_approve, to_spam, to_trash)]
    assert statuses == ["approved", "spam", "trash"]
    assertContains(history, "Approved")
    assertContains(history, "morgan")


@pytest.mark.django_db
def test_moderator_cannot_delete_comments_for_good(moderator_client, post):
    comment = factories.make_comment(post=post, status=Comment.Status.SPAM)

    queue = moderator_client.get(f"{COMMENTS}?status=all")
    delete_page = moderator_client.get(reverse("admin:comments_comment_delete", args=[comment.pk]))
    delete_action = moderator_client.post(
        f"{COMMENTS}?status=all",
        {"action": "delete_selected", "post": "yes", "_selected_action": [comment.pk]},
    )

    assertNotContains(queue, "delete_selected")
    assert delete_page.status_code == 403
    assert delete_action.status_code in (200, 302)
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.django_db
def test_moderator_cannot_edit_posts_or_tags(moderator_client, post):
    change = reverse("admin:blog_post_change", args=[post.pk])

    assert moderator_client.get(POSTS).status_code == 403
    assert moderator_client.get(ADD_POST).status_code == 403
    assert moderator_client.post(change, post_form(title="Hijacked")).status_code == 403
    assert moderator_client.get(TAGS).status_code == 403
    post.refresh_from_db()
    assert post.title != "Hijacked"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_moderator_cannot_manage_accounts_or_groups(moderator_client, url):
    assert moderator_client.get(url).status_code == 403


@pytest.mark.django_db
def test_moderator_cannot_add_themselves_to_a_group(moderator_client, moderator):
    editors = Group.objects.get(name="Editors")

    response = moderator_client.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": "Editors", "permissions": []},
    )

    assert response.status_code == 403
    assert not moderator.groups.filter(name="Editors").exists()
