"""Production serving: compiled templates kept, connections reused, pages compressed,
static files cached forever under hashed names."""

import gzip
import os
import subprocess
import sys

import pytest

from tests import factories
from tests.test_setup import ROOT, settings_values

PRODUCTION = {"DJANGO_SECRET_KEY": "x", "DJANGO_ALLOWED_HOSTS": "example.com"}


def test_templates_are_compiled_once_per_process():
    (loaders,) = settings_values(PRODUCTION, "TEMPLATES[0]['OPTIONS']['loaders']")
    assert loaders[0][0] == "django.template.loaders.cached.Loader"


def test_database_connections_are_kept_for_a_minute_by_default():
    assert settings_values(PRODUCTION, "DATABASES['default']['CONN_MAX_AGE']") == [60]
    assert settings_values(
        {**PRODUCTION, "DATABASE_CONN_MAX_AGE": "0"}, "DATABASES['default']['CONN_MAX_AGE']"
    ) == [0]


def test_static_files_are_compressed_and_hashed_when_debug_is_off():
    (backend,) = settings_values(PRODUCTION, "STORAGES['staticfiles']['BACKEND']")
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.django_db
def test_pages_are_gzipped_for_browsers_that_accept_it_and_still_revalidate(client):
    post = factories.make_post(body="A paragraph worth compressing. " * 200)
    url = post.get_absolute_url()
    client.get(url)

    response = client.get(url, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert b"A paragraph worth compressing." in gzip.decompress(response.content)
    again = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_gunicorn_config_runs_threaded_workers_from_the_environment():
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py');"
        "print(json.dumps([c['workers'], c['worker_class'], c['threads'], c['bind']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "WEB_CONCURRENCY": "3", "PORT": "9000"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[3, "gthread", 4, "127.0.0.1:9000"]'
