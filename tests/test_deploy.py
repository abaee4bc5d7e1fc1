"""Production hardening: the deploy check, the HTTPS defaults with DEBUG off, and the
security headers on real responses.

The settings are read in a subprocess with a minimal environment (DEBUG off, a key, the
host names and nothing else), exactly as a fresh production machine would read them.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.comments.conftest import form_data

BASE_DIR = Path(__file__).resolve().parents[1]
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]
ONE_YEAR = 31_536_000


def run_python(*args, **environment):
    """Run Python in the project with only PATH and `environment` set."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**overrides):
    """The environment of a production machine: DEBUG off, a strong key, the host names."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "blog.example.com",
        **overrides,
    }


def read_settings(**environment):
    script = (
        "import json; from config import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = run_python("-c", script, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production_settings():
    """The security settings a production machine gets by default."""
    return read_settings(**production())


@pytest.fixture
def served_over_https(settings, production_settings):
    """This process's settings set to the production ones, for requests through the stack."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, tuple(value) if isinstance(value, list) else value)


# The deploy check and the defaults
# ----------------------------------------------------------------------------------------


def test_the_deploy_check_passes_with_only_debug_off_a_key_and_the_hosts():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_https_settings_are_on_whenever_debug_is_off(production_settings):
    assert production_settings == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": ONE_YEAR,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_each_https_setting_can_be_switched_off_on_its_own():
    values = read_settings(
        **production(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_HSTS_SECONDS="3600")
    )

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]


def test_plain_http_serving_turns_them_all_off():
    """`make serve` on http://127.0.0.1 sets DJANGO_HTTPS=0."""
    values = read_settings(**production(DJANGO_HTTPS="0"))

    assert not any(
        values[name]
        for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    )
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_debug_mode_for_make_run_serves_plain_http():
    values = read_settings(DJANGO_DEBUG="1")

    assert values["DEBUG"] is True
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted():
    values = read_settings(**production(DJANGO_TLS_PROXY="1"))

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True


def test_the_old_opt_in_variable_is_a_clear_error():
    result = run_python("manage.py", "check", **production(DJANGO_SECURE="1"))

    assert result.returncode != 0
    assert "DJANGO_SECURE is no longer read" in result.stderr
    assert "DJANGO_TLS_PROXY=1" in result.stderr


# Headers on real responses
# ----------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, post, served_over_https):
    response = client.get(post.get_absolute_url())

    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{post.get_absolute_url()}"


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, post, served_over_https):
    response = client.get(post.get_absolute_url(), secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]


@pytest.mark.django_db
def test_scripts_run_only_with_the_nonce_of_their_own_response(client, post, served_over_https):
    """On a visitor's own page (here a returning commenter's). The page shared by
    anonymous readers has no nonce at all: tests/core/test_page_cache.py."""
    client.cookies["comment_author"] = "Ada"
    nonces = []
    for _ in range(2):
        response = client.get(post.get_absolute_url(), secure=True)
        [header_nonce] = [
            value[len("'nonce-") : -1]
            for value in csp_directives(response)["script-src"]
            if value.startswith("'nonce-")
        ]
        scripts = re.findall(r"<script[^>]*>", response.content.decode())
        assert scripts, "the post page loads the reply script"
        for tag in scripts:
            assert f'nonce="{header_nonce}"' in tag
        nonces.append(header_nonce)

    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_cookies_are_sent_over_https_only(client, post, served_over_https):
    client.get(post.get_absolute_url(), secure=True)
    posted = client.post(
        reverse("comments:post-comment", args=[post.pk]),
        form_data(remember="on"),
        REMOTE_ADDR="203.0.113.200",
        secure=True,
    )
    # Their own page now (their held comment shows), whose form carries a token: the page
    # any anonymous reader could share sets no CSRF cookie (core.pagecache).
    own_page = client.get(post.get_absolute_url(), secure=True)

    assert own_page.cookies["csrftoken"]["secure"]
    assert posted.status_code == 302
    for name in ("sessionid", "comment_author", "comment_author_email"):
        assert posted.cookies[name]["secure"], name
        assert posted.cookies[name]["httponly"], name


@pytest.mark.django_db
def test_behind_the_proxy_forwarded_https_is_not_redirected(
    client, post, served_over_https, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    forwarded = client.get(post.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https")
    plain = client.get(post.get_absolute_url(), HTTP_X_FORWARDED_PROTO="http")

    assert forwarded.status_code == 200
    assert "Strict-Transport-Security" in forwarded
    assert plain.status_code == 301


@pytest.mark.django_db
def test_the_privacy_page_and_admin_login_carry_the_policy_too(client, served_over_https):
    for url in (reverse("comments:privacy"), reverse("admin:login")):
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in csp_directives(response)["script-src"], url
