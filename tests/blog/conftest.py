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
