"""Two app servers on one database, one cache and one bucket: nothing a visitor can see
differs between them.

Two gunicorn masters run from gunicorn.conf.py with the production settings (DEBUG off),
each started as a deploy starts them, with no DJANGO_RELEASE: they must agree from the
code alone. The database is a SQLite file here (PostgreSQL under `make test-postgres`),
the cache Redis when REDIS_URL is set and otherwise a folder both servers share, and the
uploads go to moto's S3 server on 127.0.0.1.
"""

import io
import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
from PIL import Image

from tests.s3server import FAKE_AWS_ENVIRONMENT, S3Server, fetch
from tests.test_serving import start_gunicorn
from tests.test_setup import ROOT

PASSWORD = "several-servers-password"


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server for this module."""
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A database of its own, migrated, with an administrator."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"several_servers_{uuid.uuid4().hex[:8]}"
        admin_url = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        name = None
        url = f"sqlite:///{tmp_path_factory.mktemp('servers') / 'db.sqlite3'}"
    yield url
    if name:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(s3, database_url, tmp_path_factory):
    """Servers A and B: their base URLs, and the bucket they share."""
    folder = tmp_path_factory.mktemp("several")
    bucket = s3.create_bucket()
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "DJANGO_SETTINGS_MODULE": "tests.several_servers_settings",
        "DJANGO_SECRET_KEY": "several-servers-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": database_url,
        "SHARED_CACHE_FOLDER": str(folder / "cache"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": str(folder / "access.log"),
        **FAKE_AWS_ENVIRONMENT,
        **s3.environment(bucket),
    }
    if os.environ.get("REDIS_URL"):
        environment["REDIS_URL"] = os.environ["REDIS_URL"]
    manage(environment, "migrate", "--noinput")
    manage(
        {
            **environment,
            "DJANGO_SUPERUSER_USERNAME": "boss",
            "DJANGO_SUPERUSER_EMAIL": "boss@example.com",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
        "createsuperuser",
        "--noinput",
    )
    started, urls = [], {}
    try:
        for name in ("a", "b"):
            server, robots_url = start_gunicorn(environment, folder / f"{name}.log")
            started.append(server)
            urls[name] = robots_url.removesuffix("/robots.txt")
        yield {**urls, "bucket": bucket}
    finally:
        for server in started:
            server.terminate()
            server.wait(timeout=30)


def manage(environment, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


def logged_in(base_url) -> httpx.Client:
    """The administrator's browser, signed in on one server."""
    browser = httpx.Client(base_url=base_url, timeout=20)
    browser.get("/admin/login/")
    response = browser.post(
        "/admin/login/?next=/admin/",
        data={
            "username": "boss",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"referer": f"{base_url}/admin/login/"},
    )
    assert response.status_code == 302, response.text
    return browser


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_two_servers_show_the_same_site(servers, s3):
    a, b = servers["a"], servers["b"]
    editor = logged_in(a)

    # An editor publishes a post with a featured image on server A.
    form = {
        "title": "Shared everywhere",
        "slug": "shared-everywhere",
        "body": "Commentary written on server A.",
        "summary": "",
        "excerpt": "",
        "source_url": "",
        "source_title": "",
        "source_name": "",
        "status": "published",
        "published_at_0": "2025-01-15",
        "published_at_1": "10:30:00",
        "author": "",
        "tags": "servers",
        "comments_open": "on",
        "image_alt": "A blue rectangle",
        "csrfmiddlewaretoken": editor.cookies["csrftoken"],
        "_save": "Save",
    }
    added = editor.post(
        "/admin/blog/post/add/",
        data=form,
        files={"image": ("blue.png", png(), "image/png")},
        headers={"referer": f"{a}/admin/blog/post/add/"},
    )
    assert added.status_code == 302, added.text[:2000]
    path = "/2025/01/15/shared-everywhere/"

    # A reader on server B sees it, with the image and its renditions from the bucket.
    page = httpx.get(f"{b}{path}", timeout=20)
    assert page.status_code == 200
    image_urls = re.findall(rf'{re.escape(s3.url)}/{servers["bucket"]}/[^" ,]+', page.text)
    assert any(url.endswith(".png") for url in image_urls), page.text[:3000]
    assert any(url.endswith(".webp") for url in image_urls)
    for url in set(image_urls):
        assert fetch(url)[0] == 200

    # An ETag from A is good on B: a 304, no body.
    etag = httpx.get(f"{a}{path}", timeout=20).headers["etag"]
    again = httpx.get(f"{b}{path}", headers={"if-none-match": etag}, timeout=20)
    assert again.status_code == 304

    # A reader comments on B; B's page is cached; a moderator approves on A; B shows it.
    reader = httpx.Client(base_url=b, timeout=20)
    post_id = re.search(r'action="/comments/post/(\d+)/"', page.text)[1]
    sent = reader.post(
        f"/comments/post/{post_id}/",
        data={
            "author_name": "Reader on B",
            "author_email": "reader@example.com",
            "body": "Seen from the second server.",
        },
        # A browser's word that the form was sent from the site's own page.
        headers={"sec-fetch-site": "same-origin", "referer": f"{b}{path}"},
    )
    assert sent.status_code == 302, sent.text[:2000]
    assert "Seen from the second server." not in httpx.get(f"{b}{path}", timeout=20).text

    queue = editor.get("/admin/comments/comment/")
    comment_id = re.search(r'name="_selected_action" value="(\d+)"', queue.text)[1]
    approved = editor.post(
        "/admin/comments/comment/",
        data={
            "action": "approve",
            "_selected_action": comment_id,
            "csrfmiddlewaretoken": editor.cookies["csrftoken"],
        },
        headers={"referer": f"{a}/admin/comments/comment/"},
    )
    assert approved.status_code == 302, approved.text[:2000]

    assert "Seen from the second server." in httpx.get(f"{b}{path}", timeout=20).text


def test_the_servers_agree_on_the_release_without_being_told(servers):
    """Same code, same settings, no DJANGO_RELEASE: the same validators on both."""
    a = httpx.get(f"{servers['a']}/", timeout=20).headers["etag"]
    b = httpx.get(f"{servers['b']}/", timeout=20).headers["etag"]
    assert a == b
