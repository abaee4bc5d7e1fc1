import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post

ADD_URL = reverse("admin:blog_post_add")


def post_form(**fields):
    data = {
        "title": "A link worth following",
        "slug": "a-link-worth-following",
        "body": "My commentary.",
        "summary": "",
        "excerpt": "The quoted passage.",
        "source_url": "https://example.org/article",
        "source_title": "The Article",
        "source_name": "Example",
        "status": "published",
        "published_at_0": "2025-01-15",
        "published_at_1": "10:30:00",
        "author": "",
        "tags": "python, web",
        "comments_open": "on",
        "image_alt": "",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.mark.django_db
def test_editor_can_add_a_link_post_signed_as_themselves(editor_client, editor):
    response = editor_client.post(ADD_URL, post_form())

    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get()
    assert post.author == editor
    assert post.source_title == "The Article"
    assert sorted(post.tags.names()) == ["python", "web"]
    assert post.is_published


@pytest.mark.django_db
def test_editor_cannot_see_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
def test_source_title_without_url_is_refused_in_the_admin(editor_client):
    response = editor_client.post(ADD_URL, post_form(source_url=""))

    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_post_changelist_shows_scheduled_status_and_tags(editor_client, link_post, scheduled_post):
    response = editor_client.get(reverse("admin:blog_post_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Scheduled" in page
    assert "python, web" in page


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "scheduled", "published"])
def test_post_changelist_filters_by_visible_status(
    editor_client, post, draft, scheduled_post, state
):
    response = editor_client.get(reverse("admin:blog_post_changelist"), {"state": state})

    expected = {"draft": draft, "scheduled": scheduled_post, "published": post}[state]
    assert list(response.context["cl"].result_list) == [expected]


@pytest.mark.django_db
def test_post_changelist_search_finds_excerpt_text(editor_client, link_post, post):
    response = editor_client.get(reverse("admin:blog_post_changelist"), {"q": "passage quoted"})

    assert list(response.context["cl"].result_list) == [link_post]


@pytest.mark.django_db
def test_publish_action_publishes_drafts(editor_client, draft, post):
    response = editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, post.pk]},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert "1 post published." in response.content.decode()


@pytest.mark.django_db
def test_unpublish_action_returns_posts_to_draft(editor_client, post, link_post):
    response = editor_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "unpublish", "_selected_action": [post.pk, link_post.pk]},
        follow=True,
    )

    assert set(Post.objects.drafts()) == {post, link_post}
    assert "2 posts unpublished." in response.content.decode()


@pytest.mark.django_db
def test_change_form_offers_a_preview_of_a_draft(editor_client, draft):
    response = editor_client.get(reverse("admin:blog_post_change", args=[draft.pk]))

    page = response.content.decode()
    assert "Preview (only staff can see it)" in page
    assert draft.get_absolute_url() in page


@pytest.mark.django_db
def test_view_on_site_redirects_to_the_post(editor_client, post):
    response = editor_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    view_on_site = response.context["original"]
    assert view_on_site == post
    assert 'class="viewsitelink"' in response.content.decode()


@pytest.mark.django_db
def test_image_field_rejects_a_file_that_is_not_an_image(editor_client, media_root):
    fake = SimpleUploadedFile("evil.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = editor_client.post(ADD_URL, {**post_form(image_alt="An image"), "image": fake})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "image" in errors
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_image_field_rejects_an_image_with_too_many_pixels(
    editor_client, media_root, settings, png_bytes
):
    settings.BLOG_IMAGE_MAX_PIXELS = 100 * 100
    big = SimpleUploadedFile("big.png", png_bytes(200, 200), content_type="image/png")

    response = editor_client.post(ADD_URL, {**post_form(image_alt="A big image"), "image": big})

    assert response.status_code == 200
    assert "images may have at most 10,000 pixels" in str(response.context["adminform"].form.errors)
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_image_field_rejects_a_file_that_is_too_large(
    editor_client, media_root, settings, png_bytes
):
    settings.BLOG_IMAGE_MAX_BYTES = 100
    image = SimpleUploadedFile("heavy.png", png_bytes(300, 300), content_type="image/png")

    response = editor_client.post(ADD_URL, {**post_form(image_alt="Heavy"), "image": image})

    assert response.status_code == 200
    assert "images may be at most 100" in str(response.context["adminform"].form.errors)


@pytest.mark.django_db
def test_image_field_accepts_a_small_image_and_the_page_shows_it(
    editor_client, client, media_root, png_bytes
):
    image = SimpleUploadedFile("small.png", png_bytes(1000, 500), content_type="image/png")

    response = editor_client.post(ADD_URL, {**post_form(image_alt="Orange"), "image": image})

    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.image_width, post.image_height) == (1000, 500)
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'alt="Orange"' in page
    assert "small-png-720w.webp 720w" in page
    assert f"{post.image.url} 1000w" in page
    assert (media_root / post.image.name).with_name("small-png-720w.webp").exists()


@pytest.mark.django_db
def test_editing_a_post_keeps_its_image_without_uploading_it_again(
    editor_client, media_root, png_bytes
):
    image = SimpleUploadedFile("kept.png", png_bytes(400, 200), content_type="image/png")
    editor_client.post(ADD_URL, {**post_form(image_alt="Kept"), "image": image})
    post = Post.objects.get()

    response = editor_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        post_form(image_alt="Kept", title="A new title"),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "A new title"
    assert post.image.name.endswith("kept.png")
    assert (post.image_width, post.image_height) == (400, 200)


@pytest.mark.django_db
def test_a_post_whose_image_file_is_lost_shows_without_it(client, media_root, caplog):
    post = make_post(
        image="posts/missing.png", image_alt="Gone", image_width=2000, image_height=1000
    )

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "posts/missing.png" not in response.content.decode().split("<body", 1)[1]
    assert "missing" in caplog.text


@pytest.mark.django_db
def test_saving_a_post_keeps_an_author_who_is_not_staff(editor_client, post):
    response = editor_client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        post_form(
            title=post.title,
            slug=post.slug,
            author=str(post.author_id),
            published_at_0=post.published_at.strftime("%Y-%m-%d"),
            published_at_1=post.published_at.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302
    original_author = post.author
    post.refresh_from_db()
    assert post.author == original_author
