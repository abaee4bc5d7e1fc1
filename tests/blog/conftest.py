import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image

from tests import factories


@pytest.fixture
def draft(db):
    """An unpublished draft."""
    return factories.make_post(title="A secret draft", slug="a-secret-draft", status="draft")


@pytest.fixture
def scheduled_post(db):
    """A published post whose date is tomorrow."""
    return factories.make_post(
        title="Tomorrow's news",
        slug="tomorrows-news",
        published_at=timezone.now() + timezone.timedelta(days=1),
    )


@pytest.fixture
def staff_client(client, db):
    """A client signed in as a superuser."""
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-pw-pw-pw"))
    return client


@pytest.fixture
def editor_client(client, editor):
    """A client signed in as a member of the Editors group."""
    client.force_login(editor)
    return client


@pytest.fixture
def png_bytes():
    """A PNG of the given size: png_bytes(width, height)."""

    def make(width=40, height=30):
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
        return buffer.getvalue()

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 for the session, with fake AWS credentials only."""
    from tests.s3server import FAKE_AWS_ENVIRONMENT, S3Server

    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENVIRONMENT.items():
            patch.setenv(name, value)
        server = S3Server().start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def s3_storage_settings(s3_server):
    """STORAGES["default"] as config/settings.py builds it from the environment for the
    local S3 server (read once, in a fresh interpreter)."""
    from tests.s3server import FAKE_AWS_ENVIRONMENT
    from tests.test_setup import settings_values

    environment = {
        **FAKE_AWS_ENVIRONMENT,
        **s3_server.environment("to-be-replaced"),
        "DJANGO_SECRET_KEY": "tests-only-not-a-secret",
    }
    (storage,) = settings_values(environment, "STORAGES['default']")
    return storage


@pytest.fixture
def s3_media(s3_server, s3_storage_settings, settings):
    """Uploads go to a new bucket on the local S3 server; returns the bucket's name."""
    bucket = s3_server.create_bucket()
    options = {**s3_storage_settings["OPTIONS"], "bucket_name": bucket}
    # Setting STORAGES makes Django drop its storages and default_storage, so the
    # ImageField and blog/images.py use the bucket from here on, and the disk again after.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**s3_storage_settings, "OPTIONS": options},
    }
    return bucket
