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


@pytest.mark.django_db
def test_a_page_rendered_for_one_reader_is_gzipped_with_a_header_of_random_length(client):
    post = factories.make_post(body="A paragraph worth compressing. " * 200)
    url = post.get_absolute_url()
    # A remembered name makes the page this reader's own: rendered for them, not shared.
    client.cookies["comment_author"] = "Ada"
    lengths = set()
    for _ in range(5):
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        assert int(response["Content-Length"]) == len(response.content)
        assert b"A paragraph worth compressing." in gzip.decompress(response.content)
        assert "Accept-Encoding" in response["Vary"]
        lengths.add(len(response.content))
    # The CSRF token is masked afresh, and the header's file name varies, each time.
    assert len(lengths) > 1


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


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(environment: dict[str, str], log_path) -> tuple[subprocess.Popen, str]:
    """gunicorn from gunicorn.conf.py on a free port of 127.0.0.1, answering /robots.txt."""
    import time

    import httpx

    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**environment, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/robots.txt"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(url, timeout=2)
            return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(f"gunicorn did not start:\n{log_path.read_text()}")


def test_two_gunicorns_on_one_host_do_not_share_a_control_socket(tmp_path):
    """Two masters from the same config, as two instances or a new release beside the old
    one: neither takes the per-user default socket, which the other would delete, and
    one given GUNICORN_CONTROL_SOCKET gets that path for itself."""
    import httpx

    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),  # The default socket would be ~/.gunicorn/gunicorn.ctl.
        "DJANGO_SECRET_KEY": "tests-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "1",
    }
    own_socket = tmp_path / "first.ctl"
    servers = []
    try:
        with_socket = {**environment, "GUNICORN_CONTROL_SOCKET": str(own_socket)}
        servers.append(start_gunicorn(with_socket, tmp_path / "first.log"))
        servers.append(start_gunicorn(environment, tmp_path / "second.log"))

        for _, url in servers:
            assert httpx.get(url, timeout=5).status_code == 200
        assert own_socket.is_socket()
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)
