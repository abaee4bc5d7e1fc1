"""The two-command setup: settings read from the environment, demo content, local accounts."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from blog.models import Post
from comments.models import Comment

ROOT = Path(__file__).resolve().parents[1]


def load_settings(env, *expressions):
    """Import config.settings in a fresh interpreter with only `env`, and evaluate `expressions`."""
    code = (
        "import json, config.settings as s\n"
        f"print(json.dumps([eval(e, vars(s)) for e in {list(expressions)!r}], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def settings_values(env, *expressions):
    result = load_settings(env, *expressions)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_command(*args):
    """Call a management command and return what it printed."""
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_media(settings, tmp_path):
    """Uploaded demo images go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = load_settings({}, "SECRET_KEY")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    assert settings_values({"DJANGO_SECRET_KEY": "x"}, "DEBUG") == [False]
    assert settings_values({"DJANGO_DEBUG": "1"}, "DEBUG") == [True]


def test_sqlite_file_database_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_postgres_database_url_is_accepted():
    engine, name, options = settings_values(
        {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": "postgres://blog:pw@db.internal:5432/blog"},
        "DATABASES['default']['ENGINE']",
        "DATABASES['default']['NAME']",
        "DATABASES['default'].get('OPTIONS', {})",
    )

    assert engine == "django.db.backends.postgresql"
    assert name == "blog"
    assert "transaction_mode" not in options


def test_redis_cache_turns_on_only_with_redis_url():
    env = {"DJANGO_SECRET_KEY": "x"}
    redis = {**env, "REDIS_URL": "redis://127.0.0.1:6379/1"}
    backend = "CACHES['default']['BACKEND']"

    assert settings_values(env, backend) == ["django.core.cache.backends.locmem.LocMemCache"]
    assert settings_values(redis, backend) == ["django.core.cache.backends.redis.RedisCache"]


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(demo_media):
    run_command("load_demo")
    run_command("load_demo_comments")
    counts = (Post.objects.count(), Comment.objects.count(), User.objects.count())

    run_command("load_demo")
    run_command("load_demo_comments")

    assert (Post.objects.count(), Comment.objects.count(), User.objects.count()) == counts


@pytest.mark.django_db
def test_load_demo_creates_link_posts_articles_a_draft_and_a_scheduled_post(demo_media):
    run_command("load_demo")

    link_posts = Post.objects.published().exclude(source_url="")
    assert link_posts.count() >= 2
    assert all(p.excerpt and p.source_title and p.source_name for p in link_posts)
    assert Post.objects.published().filter(source_url="").exists()
    assert Post.objects.drafts().count() == 1
    assert Post.objects.scheduled().count() == 1
    illustrated = Post.objects.exclude(image="").get()
    assert illustrated.image_alt
    assert (demo_media / illustrated.image.name).exists()


@pytest.mark.django_db
def test_demo_comments_are_a_threaded_discussion_and_a_pending_comment(demo_media):
    run_command("load_demo")
    run_command("load_demo_comments")

    assert Comment.objects.approved().filter(parent__isnull=False).exists()
    held = Comment.objects.pending().get()
    assert [event.kind for event in held.events.all()] == ["submitted", "check-skipped"]


@pytest.mark.django_db
def test_demo_comments_need_the_demo_posts_first():
    with pytest.raises(CommandError, match="load_demo"):
        run_command("load_demo_comments")


@pytest.fixture
def credentials(tmp_path):
    """Where ensure_local_admin keeps the passwords in these tests."""
    return tmp_path / ".local-admin"


def ensure_local_admin(credentials):
    return run_command("ensure_local_admin", "--credentials-file", str(credentials))


@pytest.mark.django_db
def test_local_admin_prints_the_same_working_credentials_every_time(settings, credentials):
    settings.DEBUG = True

    first = ensure_local_admin(credentials)
    second = ensure_local_admin(credentials)

    assert first == second
    password = json.loads(credentials.read_text())["admin"]
    assert f"http://127.0.0.1:8000/admin/  username: admin  password: {password}" in first
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


@pytest.mark.django_db
def test_local_admin_restores_the_stored_password(settings, credentials):
    settings.DEBUG = True
    ensure_local_admin(credentials)
    admin = User.objects.get(username="admin")
    admin.set_password("something else")
    admin.save()

    ensure_local_admin(credentials)

    admin.refresh_from_db()
    assert admin.check_password(json.loads(credentials.read_text())["admin"])


@pytest.mark.django_db
def test_local_accounts_cover_each_staff_role(settings, credentials):
    settings.DEBUG = True

    output = ensure_local_admin(credentials)

    editor = User.objects.get(username="editor")
    moderator = User.objects.get(username="moderator")
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert list(moderator.groups.values_list("name", flat=True)) == ["Moderators"]
    assert "username: editor" in output and "username: moderator" in output


@pytest.mark.django_db
def test_local_admin_refuses_to_run_with_debug_off(settings, credentials):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        ensure_local_admin(credentials)

    assert not credentials.exists()
    assert not User.objects.filter(username="admin").exists()


def test_make_run_points_the_site_url_at_its_port():
    """With PORT=8300, canonical links, feeds and emails must not say 8000. Each step of
    `make run` is replaced by a command that prints the SITE_URL it was given."""
    result = subprocess.run(
        ["make", "--no-print-directory", "run", "PORT=8300", "MANAGE=sh -c 'echo $$SITE_URL' -"],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key != "SITE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    printed = set(result.stdout.split())
    assert printed == {"http://127.0.0.1:8300"}
