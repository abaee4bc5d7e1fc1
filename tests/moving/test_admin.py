"""Importing and exporting from the admin, as staff with the "can import" permission."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.models import Post
from moving.models import ImportRun
from tests.factories import make_editor, make_post

OLD_BLOG = Path(__file__).parent / "data" / "import" / "old-blog.xml"


@pytest.fixture
def importer(db):
    """An editor who may also import and export."""
    user = make_editor(username="ivy")
    user.user_permissions.add(Permission.objects.get(codename="import_content"))
    return user


@pytest.fixture
def media(tmp_path, settings):
    """An empty media folder for the uploads."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, content: bytes, name="export.xml", **fields):
    return client.post(
        "/admin/moving/importrun/add/",
        {"format": "wordpress", "export_file": SimpleUploadedFile(name, content), **fields},
    )


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_import_or_export(client, editor):
    client.force_login(editor)
    assert client.get("/admin/moving/importrun/").status_code == 403
    assert client.get("/admin/moving/importrun/add/").status_code == 403
    assert client.get("/admin/moving/importrun/export/").status_code == 403
    assert "Moving in and out" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_upload_form_has_labels_and_refuses_an_empty_file(client, importer, media):
    client.force_login(importer)
    page = client.get("/admin/moving/importrun/add/").content.decode()
    # Django draws a file field as a fieldset named by its legend.
    assert '<legend class="required">Export file:</legend>' in page
    assert '<label class="required" for="id_format">Format:</label>' in page
    response = upload(client, b"")
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_the_worker_and_its_page_shows_the_report(
    client, importer, media, run_worker
):
    client.force_login(importer)
    response = upload(client, OLD_BLOG.read_bytes(), name="old-blog.xml")
    run = ImportRun.objects.get()
    assert response["Location"] == run.admin_url
    # The media storage is public: the waiting file's address cannot be guessed.
    assert "old-blog" not in run.export_file.name and len(run.export_file.name) > 40
    waiting = client.get(run.admin_url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "Waiting for the worker" in waiting

    run_worker()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert not run.export_file  # The upload, with commenters' emails, is gone.
    assert Post.objects.filter(title="Gardens, not factories").exists()
    page = client.get(run.admin_url).content.decode()
    assert "http-equiv" not in page
    assert "Import finished" in page
    assert '<th scope="row">Posts</th>\n            <td>8</td>' in page
    assert "password-protected" in page
    listing = client.get("/admin/moving/importrun/").content.decode()
    assert "old-blog.xml" in listing


@pytest.mark.django_db(transaction=True)
def test_a_broken_upload_is_refused_with_its_reason_and_writes_nothing(
    client, importer, media, run_worker
):
    client.force_login(importer)
    upload(client, b"<rss><channel><title>Oops</channel></rss>")
    run_worker()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    page = client.get(run.admin_url).content.decode()
    assert "Nothing was imported" in page
    assert "line 1" in page
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_the_export_button_downloads_the_site_as_a_wordpress_file(client, importer):
    make_post(title="Exported post")
    client.force_login(importer)
    listing = client.get("/admin/moving/importrun/").content.decode()
    assert 'href="/admin/moving/importrun/export/"' in listing
    response = client.get("/admin/moving/importrun/export/")
    assert response["Content-Disposition"].startswith('attachment; filename="marginalia-')
    body = b"".join(response.streaming_content).decode()
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in body
    assert "Exported post" in body


@pytest.mark.django_db
def test_an_odd_run_address_is_a_404_not_a_500(client, importer):
    client.force_login(importer)
    assert client.get("/admin/moving/importrun/99999/change/").status_code in (302, 404)
    assert client.get("/admin/moving/importrun/abc/change/").status_code in (302, 404)
