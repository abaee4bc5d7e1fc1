"""Admin logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures in a row from
one address, even the right password is refused for a while, with a page that says why."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests import factories

LOGIN = reverse("admin:login")
PASSWORD = "correct-horse-battery"
ADDRESS = "192.0.2.10"


@pytest.fixture
def staff(db):
    """A staff account that can sign in to the admin."""
    return factories.make_editor(username="edith")


def log_in(client, password, *, ip=ADDRESS, **headers):
    return client.post(
        LOGIN,
        {"username": "edith", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **headers,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_after_five_failures_the_right_password_is_refused_with_a_clear_page(client, staff):
    for attempt in range(4):
        failed = log_in(client, "wrong-guess")
        assert failed.status_code == 200, attempt
        assertContains(failed, "Please enter the correct username and password")
    fifth = log_in(client, "wrong-guess")
    assertContains(fifth, "Too many failed logins", status_code=429)

    refused = log_in(client, PASSWORD)

    assertContains(refused, "Too many failed logins", status_code=429)
    assertContains(refused, "After 5 failed attempts", status_code=429)
    assertContains(refused, "15 minutes", status_code=429)
    assertContains(refused, "Marginalia administration", status_code=429)  # The admin's look.
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_success_before_the_limit_signs_in_and_starts_the_count_again(client, staff):
    for _ in range(4):
        log_in(client, "wrong-guess")

    success = log_in(client, PASSWORD)

    assert success.status_code == 302
    assert signed_in(client)
    client.logout()
    for _ in range(4):
        log_in(client, "wrong-guess")
    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_another_address_is_not_locked_out(client, staff):
    for _ in range(5):
        log_in(client, "wrong-guess")

    assert log_in(client, PASSWORD).status_code == 429
    assert log_in(client, PASSWORD, ip="192.0.2.77").status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client, staff):
    for _ in range(5):
        log_in(client, "wrong-guess")
    assert log_in(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_visitor_is_locked_out_not_the_proxy(client, staff, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        log_in(client, "wrong-guess", ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")

    stranger = log_in(client, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    colleague = log_in(client, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.67")

    assert stranger.status_code == 429
    assert colleague.status_code == 302
