"""Revisions of posts: kept by every save in the admin, shown, restored, pruned."""

from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog import revisions
from blog.models import Post, PostRevision
from blog.tasks import next_prune_at, revisions_prune, revisions_prune_schedule
from tests import factories


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


def revision_url(revision):
    return reverse("admin:blog_post_revision", args=[revision.post_id, revision.pk])


def restore_url(revision):
    return reverse("admin:blog_post_revision_restore", args=[revision.post_id, revision.pk])


class FormReader(HTMLParser):
    """What a browser sends for the post form as it stands: its inputs (a checkbox only
    when ticked, no files, no buttons), text areas and the chosen options."""

    def __init__(self):
        super().__init__()
        self.data, self._in_form, self._textarea, self._select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "post_form":
            self._in_form = True
        elif not self._in_form or "name" not in attrs and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.data[attrs["name"]] = attrs.get("value") or ""
            elif "checked" in attrs:
                self.data[attrs["name"]] = attrs.get("value", "on")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # The HTML spec drops one newline right after <textarea>.
            text = self.data[self._textarea] + data
            self.data[self._textarea] = (
                text.removeprefix("\n") if not self.data[self._textarea] else text
            )


def change_form_data(client, post, **changes):
    """What the post's change form sends when saved as it stands, with `changes`: read
    from the page the admin renders, so it follows the form as the form changes."""
    reader = FormReader()
    reader.feed(client.get(change_url(post)).content.decode())
    return {**reader.data, **changes, "_save": "Save"}


def edit(client, post, **changes):
    response = client.post(change_url(post), change_form_data(client, post, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    return response


@pytest.fixture
def edited_twice(admin_client, post):
    """The post, edited twice in the admin: "First text." and then "Second text."."""
    edit(admin_client, post, body="First text.", tags="python")
    edit(admin_client, post, body="Second text.", title="A better title", tags="python, web")
    return post


@pytest.mark.django_db
def test_each_admin_save_keeps_a_revision_with_who_saved_it(admin_client, admin_user, post):
    written_before = post.body
    edit(admin_client, post, body="First text.")
    edit(admin_client, post, body="Second text.")

    newest, first, stored = post.revisions.all()
    assert first.fields["body"] == "First text."
    assert newest.fields["body"] == "Second text."
    assert newest.author == admin_user
    # The post had no revision before its first edit: the version it had is kept too.
    assert stored.fields["body"] == written_before
    assert stored.author is None


@pytest.mark.django_db
def test_a_save_that_changes_nothing_keeps_no_new_revision(admin_client, post):
    edit(admin_client, post, body="First text.")
    edit(admin_client, post)

    assert post.revisions.count() == 2  # the version before the first edit, and that edit


@pytest.mark.django_db
def test_restoring_the_first_revision_brings_its_text_back(admin_client, edited_twice):
    post = edited_twice
    newest, first, stored = post.revisions.all()

    response = admin_client.post(restore_url(first), follow=True)

    assert response.redirect_chain[-1][0] == change_url(post)
    when = f"{timezone.localtime(first.created_at):%Y-%m-%d %H:%M:%S}"
    assert f"Restored the revision of {when} by admin." in response.content.decode()
    post.refresh_from_db()
    assert (post.body, post.title) == ("First text.", "An ordinary article")
    assert list(post.tags.names()) == ["python"]
    assert "First text." in Client().get(post.get_absolute_url()).content.decode()
    # Restoring is a revision of its own, so it can be undone the same way.
    assert post.revisions.count() == 4
    assert post.revisions.first().fields["body"] == "First text."


@pytest.mark.django_db
def test_the_change_page_lists_the_revisions_newest_first(admin_client, edited_twice):
    newest, first, stored = edited_twice.revisions.all()

    response = admin_client.get(change_url(edited_twice))

    page = response.content.decode()
    assert "Revisions" in page
    assert page.index(revision_url(newest)) < page.index(revision_url(first))
    assert "Title, body, tags" in page
    assert "First revision" in page


@pytest.mark.django_db
def test_the_revision_page_shows_what_changed_and_offers_to_restore(admin_client, edited_twice):
    newest = edited_twice.revisions.first()

    response = admin_client.get(revision_url(newest))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<del><span class="visually-hidden">Removed: </span>First text.</del>' in page
    assert '<ins><span class="visually-hidden">Added: </span>Second text.</ins>' in page
    assert "An ordinary article" in page and "A better title" in page
    assert f'action="{restore_url(newest)}"' in page
    assert "css/admin_revisions.css" in page


@pytest.mark.django_db
def test_restore_refuses_a_get(admin_client, edited_twice):
    response = admin_client.get(restore_url(edited_twice.revisions.last()))

    assert response.status_code == 405
    edited_twice.refresh_from_db()
    assert edited_twice.body == "Second text."


@pytest.mark.django_db
def test_staff_who_may_only_view_posts_cannot_restore(client, edited_twice):
    viewer = factories.make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(viewer)
    first = edited_twice.revisions.last()

    assert client.get(revision_url(first)).status_code == 200
    assert client.post(restore_url(first)).status_code == 403
    edited_twice.refresh_from_db()
    assert edited_twice.body == "Second text."


@pytest.mark.django_db
def test_restoring_keeps_the_current_image_when_the_revisions_file_is_gone(
    post, media_root, png_bytes
):
    post.image = SimpleUploadedFile("now.png", png_bytes(), content_type="image/png")
    post.image_alt = "Now"
    post.save()
    first = revisions.record_revision(post, by=None)
    first.fields.update(image="posts/deleted-since.png", body="Before the image went.")
    first.save()

    revisions.restore_revision(first, by=None)

    post.refresh_from_db()
    assert post.body == "Before the image went."
    assert post.image.name.endswith("now.png")
    assert (post.image_width, post.image_height) == (40, 30)


@pytest.mark.django_db
def test_a_long_text_is_compared_line_by_line(post):
    first = revisions.record_revision(post, by=None)
    post.body = "\n".join(["One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven!"])
    post.save()
    first.fields["body"] = post.body.replace("Seven!", "Seven.")
    first.save()
    second = revisions.record_revision(post, by=None)

    (body,) = revisions.revision_diff(second, first)

    assert [(line.kind, line.text) for line in body.lines] == [
        ("gap", "…"),
        ("same", "Five."),
        ("same", "Six."),
        ("removed", "Seven."),
        ("added", "Seven!"),
    ]


# Pruning
# ----------------------------------------------------------------------------------------


def revisions_of(post, ages_in_days):
    """Revisions of `post` made `ages_in_days` ago, oldest first."""
    made = []
    for number, age in enumerate(sorted(ages_in_days, reverse=True)):
        made.append(
            PostRevision.objects.create(
                post=post,
                created_at=timezone.now() - timedelta(days=age),
                fields={"body": f"Version {number}"},
            )
        )
    return made


@pytest.mark.django_db
def test_pruning_by_count_keeps_each_posts_newest(settings, post, link_post):
    settings.BLOG_REVISIONS_KEEP_COUNT, settings.BLOG_REVISIONS_KEEP_DAYS = 2, 0
    kept = revisions_of(post, [5, 4, 3, 2, 1])[-2:]
    alone = revisions_of(link_post, [400])

    assert revisions.prune_revisions() == 3
    assert list(post.revisions.all()) == kept[::-1]
    assert list(link_post.revisions.all()) == alone


@pytest.mark.django_db
def test_pruning_by_age_always_keeps_each_posts_newest(settings, post, link_post):
    settings.BLOG_REVISIONS_KEEP_COUNT, settings.BLOG_REVISIONS_KEEP_DAYS = 0, 30
    kept = revisions_of(post, [90, 60, 10, 1])[2:]
    newest_but_old = revisions_of(link_post, [200, 100])[-1]

    assert revisions.prune_revisions() == 3
    assert list(post.revisions.all()) == kept[::-1]
    assert list(link_post.revisions.all()) == [newest_but_old]


@pytest.mark.django_db
def test_revisions_are_kept_for_ever_when_both_limits_are_off(settings, post):
    settings.BLOG_REVISIONS_KEEP_COUNT, settings.BLOG_REVISIONS_KEEP_DAYS = 0, 0
    revisions_of(post, [900, 800, 700])

    assert revisions.prune_revisions() == 0
    assert post.revisions.count() == 3


@pytest.mark.django_db
def test_the_prune_command_says_what_it_deleted(settings, post, capsys):
    settings.BLOG_REVISIONS_KEEP_COUNT, settings.BLOG_REVISIONS_KEEP_DAYS = 1, 30
    revisions_of(post, [3, 2, 1])

    call_command("prune_revisions")

    assert capsys.readouterr().out.strip() == (
        "Deleted 2 old revision(s) of posts; kept the newest 1 of each post, "
        "none older than 30 days, and each post's newest in any case."
    )


@pytest.mark.django_db
def test_the_nightly_prune_is_waiting_once_and_runs_the_prune(settings, post):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.BLOG_REVISIONS_KEEP_COUNT = 1
    revisions_of(post, [2, 1])
    revisions_prune_schedule()
    revisions_prune_schedule()

    waiting = DBTaskResult.objects.filter(
        task_path="blog.tasks.revisions_prune", status=TaskResultStatus.READY
    )
    assert waiting.count() == 1
    assert waiting.get().run_after == next_prune_at(timezone.now())
    assert revisions_prune.call() == 1
    assert post.revisions.count() == 1


def test_the_prune_runs_at_night_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    evening = timezone.make_aware(datetime(2026, 6, 1, 22, 0))
    night = timezone.make_aware(datetime(2026, 6, 2, 3, 47))

    assert next_prune_at(evening) == night
    assert next_prune_at(night) == night + timedelta(days=1)


@pytest.mark.django_db
def test_restoring_status_and_date_puts_a_published_post_back_as_it_was(admin_client, draft):
    edit(admin_client, draft, body="Written as a draft.")
    first = draft.revisions.first()
    edit(admin_client, draft, status=Post.Status.PUBLISHED)

    admin_client.post(restore_url(first))

    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


@pytest.mark.django_db
def test_a_revision_whose_address_another_post_took_since_is_not_restored(admin_client, post):
    edit(admin_client, post, body="First text.")
    first = post.revisions.first()
    edit(admin_client, post, slug="renamed")
    factories.make_post(slug=first.fields["slug"], published_at=post.published_at)

    response = admin_client.post(restore_url(first), follow=True)

    assert (
        "The revision was not restored: another post is now at its address, "
        f"{Post.objects.exclude(pk=post.pk).get().get_absolute_url()}."
    ) in response.content.decode()
    post.refresh_from_db()
    assert post.slug == "renamed"
    assert post.revisions.count() == 3


@pytest.mark.django_db
def test_a_post_written_before_revisions_were_kept_can_go_back_to_its_first_text(
    admin_client, post
):
    written_before, saved_at = post.body, post.updated_at
    edit(admin_client, post, body="An edit that was a slip.")
    stored = post.revisions.last()
    assert stored.created_at == saved_at

    admin_client.post(restore_url(stored))

    post.refresh_from_db()
    assert post.body == written_before
