"""Featured images on object storage, for several app servers: uploads and their
renditions go to an S3 bucket (moto's real server on 127.0.0.1), renditions are made
once between all servers, and a lost original costs a warning, never a page.
"""

import logging
import re
import threading

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.images import renditions
from blog.models import Post
from tests.blog.test_admin import ADD_URL, post_form
from tests.factories import make_post
from tests.s3server import FAKE_AWS_ENVIRONMENT, fetch
from tests.test_deploy import run_python
from tests.test_setup import load_settings, settings_values

WEBP = re.compile(rb"^RIFF....WEBP", re.DOTALL)
PNG_SIGNATURE = b"\x89PNG"


def image_urls(page: str) -> set[str]:
    """Every URL the featured image's <img> may ask the browser to load."""
    (img,) = re.findall(r'<img class="post-image"[^>]*>', page)
    urls = set(re.findall(r' src="([^"]+)"', img))
    srcset = re.search(r'srcset="([^"]+)"', img)
    if srcset:
        urls |= {candidate.split()[0] for candidate in srcset.group(1).split(", ")}
    return urls


def upload_post(editor_client, png_bytes, width=1600, height=900) -> Post:
    """An editor adds a published post with a featured image through the admin."""
    image = SimpleUploadedFile("harbour.png", png_bytes(width, height), content_type="image/png")
    response = editor_client.post(ADD_URL, {**post_form(image_alt="A harbour"), "image": image})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Post.objects.get()


@pytest.mark.django_db
def test_image_uploaded_in_the_admin_lands_in_the_bucket_and_the_page_shows_it_from_there(
    editor_client, client, s3_server, s3_media, png_bytes
):
    post = upload_post(editor_client, png_bytes)

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    urls = image_urls(response.content.decode())
    # The 720 and 1440 pixel renditions, and the original at its own width.
    assert len(urls) == 3
    for url in urls:
        assert url.startswith(f"{s3_server.url}/{s3_media}/posts/"), url
        status, body = fetch(url)
        assert status == 200
        assert WEBP.match(body) or body.startswith(PNG_SIGNATURE)
    keys = {item["Key"] for item in s3_server.client().list_objects_v2(Bucket=s3_media)["Contents"]}
    assert post.image.name in keys
    assert {name for name in keys if name.endswith(".webp")} == {
        post.image.name.replace(".png", "-png-720w.webp"),
        post.image.name.replace(".png", "-png-1440w.webp"),
    }


@pytest.mark.django_db
def test_renditions_are_uploaded_once_however_often_the_page_is_rendered(
    editor_client, client, s3_server, s3_media, png_bytes
):
    post = upload_post(editor_client, png_bytes)
    url = post.get_absolute_url()

    client.get(url)
    editor_client.get(url)  # Rendered again: staff never get the cached page.
    cache.clear()  # A server that has never seen this post, or a cache that was lost.
    client.get(url)
    editor_client.get(url)

    assert s3_server.writes(s3_media, "-720w") == 1
    assert s3_server.writes(s3_media, "-1440w") == 1


@pytest.mark.django_db
def test_servers_asking_for_a_new_image_at_the_same_moment_make_its_renditions_once(
    s3_server, s3_media, png_bytes
):
    name = default_storage.save("posts/crowd.png", ContentFile(png_bytes(1600, 900)))
    start = threading.Barrier(8)
    results = []

    def render_page():
        start.wait()
        results.append(renditions(name, 1600))

    threads = [threading.Thread(target=render_page) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 8
    assert all(result == results[0] and len(result) == 2 for result in results)
    assert s3_server.writes(s3_media, "-720w") == 1
    assert s3_server.writes(s3_media, "-1440w") == 1


@pytest.mark.django_db
def test_an_image_that_is_not_one_is_refused_before_it_reaches_the_bucket(
    editor_client, s3_server, s3_media
):
    fake = SimpleUploadedFile("evil.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = editor_client.post(ADD_URL, {**post_form(image_alt="An image"), "image": fake})

    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert s3_server.client().list_objects_v2(Bucket=s3_media).get("KeyCount") == 0


def assert_pages_show_the_post_without_its_image(client, post, caplog):
    with caplog.at_level(logging.WARNING):
        page = client.get(post.get_absolute_url())
        home = client.get(reverse("blog:home"))
        tag = client.get(reverse("blog:tag", kwargs={"slug": "python"}))

    assert page.status_code == 200
    assert post.title in page.content.decode()
    assert 'class="post-image"' not in page.content.decode()
    for listing in (home, tag):
        assert listing.status_code == 200
        assert post.title in listing.content.decode()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(post.image.name in r.getMessage() for r in warnings), caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


@pytest.mark.django_db
def test_post_whose_image_was_lost_from_the_bucket_is_shown_without_it(
    editor_client, client, s3_server, s3_media, png_bytes, caplog
):
    post = upload_post(editor_client, png_bytes)
    s3_server.client().delete_object(Bucket=s3_media, Key=post.image.name)

    assert_pages_show_the_post_without_its_image(client, post, caplog)


@pytest.mark.django_db
def test_post_whose_image_is_missing_from_the_disk_is_shown_without_it(client, media_root, caplog):
    post = make_post(
        title="Lost on disk",
        image="posts/lost.png",
        image_alt="Gone",
        image_width=2000,
        image_height=1000,
        tags=["python"],
    )

    assert_pages_show_the_post_without_its_image(client, post, caplog)


@pytest.mark.django_db
def test_post_page_falls_back_to_the_original_when_its_renditions_cannot_be_made(
    client, media_root, caplog
):
    (media_root / "posts").mkdir()
    (media_root / "posts" / "damaged.png").write_bytes(b"not an image any more")
    post = make_post(
        image="posts/damaged.png", image_alt="Damaged", image_width=2000, image_height=1000
    )

    with caplog.at_level(logging.ERROR):
        response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert 'src="/media/posts/damaged.png"' in response.content.decode()
    assert "Could not make renditions of posts/damaged.png" in caplog.text


def production_with_s3(**overrides) -> dict[str, str]:
    """A production machine's environment with uploads on a bucket."""
    return {
        **FAKE_AWS_ENVIRONMENT,
        "DJANGO_SECRET_KEY": "tests-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "blog.example.com",
        "DJANGO_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "marginalia-media",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        "AWS_S3_REGION_NAME": "eu-west-1",
        **overrides,
    }


def test_s3_media_storage_is_read_from_the_environment():
    (storage,) = settings_values(production_with_s3(), "STORAGES['default']")

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "marginalia-media",
        "endpoint_url": "https://s3.example.net",
        "access_key": FAKE_AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        "secret_key": FAKE_AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        "region_name": "eu-west-1",
        "custom_domain": None,
        "file_overwrite": False,
        "querystring_auth": False,
        "default_acl": None,
    }


def test_media_stays_on_the_local_disk_by_default():
    (storage,) = settings_values(
        {"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "blog.example.com"},
        "STORAGES['default']",
    )

    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_image_urls_point_at_the_cdn_when_a_custom_domain_is_set():
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import default_storage;"
        "print(default_storage.url('posts/2025/01/harbour-720w.webp'))"
    )
    environment = {
        **production_with_s3(AWS_S3_CUSTOM_DOMAIN="media.example.com"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = run_python("-c", code, **environment)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://media.example.com/posts/2025/01/harbour-720w.webp"


def test_unknown_media_storage_is_refused_with_the_choices():
    result = load_settings(production_with_s3(DJANGO_MEDIA_STORAGE="gcs"), "STORAGES")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_MEDIA_STORAGE must be local or s3, not 'gcs'" in result.stderr


def test_s3_media_storage_without_a_bucket_is_refused():
    result = load_settings(production_with_s3(AWS_STORAGE_BUCKET_NAME=""), "STORAGES")

    assert result.returncode != 0
    assert "DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_two_originals_with_one_name_but_different_types_keep_their_own_renditions():
    """photo.png and photo.jpg uploaded in the same month must not show each other."""
    from blog.images import rendition_name

    png = rendition_name("posts/2026/12/photo.png", 720)
    jpeg = rendition_name("posts/2026/12/photo.jpg", 720)

    assert png != jpeg
    assert png.endswith("720w.webp") and jpeg.endswith("720w.webp")
