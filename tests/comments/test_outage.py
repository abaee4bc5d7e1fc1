"""A comment POST during a database outage: a comment already stored is never answered
with an error, and one that could not be stored comes back with its text, with a page that
says what happened (an outage, not load)."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from core import registry
from tests import factories

from .conftest import form_data, post_comment
from .test_faults import AWAITING, told


@contextmanager
def session_table_gone():
    """The session table out of reach, as in a database blip between the comment's
    transaction and the session's save."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_session RENAME TO django_session_away")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE django_session_away RENAME TO django_session")


@contextmanager
def database_unreachable():
    """Django's connection pointed at a database that is not there, as in an outage.

    The test database's own connection is set aside, not closed: SQLite's test database
    lives in memory and would vanish with it."""
    saved = {**connection.settings_dict}
    connection.ensure_connection()
    kept = connection.connection
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.connection = kept


@pytest.mark.django_db
def test_the_comment_view_saves_the_session_once(client, post):
    """Intended to prevent a second, unguarded save by the session middleware: a failure
    there answered a comment already stored with "400 Bad Request"."""
    with CaptureQueriesContext(connection) as queries:
        response = post_comment(client, post)

    assert response.status_code == 302
    session_writes = [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert len(session_writes) == 1


# Transactional: on PostgreSQL a failed statement inside the test's own transaction would
# end it, where a live request runs in autocommit.
@pytest.mark.django_db(transaction=True)
def test_a_stored_comment_is_confirmed_even_when_the_session_cannot_be_saved(client):
    post = factories.make_post()
    with session_table_gone():
        response = post_comment(client, post, body="Kept through the blip.")

    assert response.status_code == 302
    assert told(response) == [AWAITING]
    assert Comment.objects.filter(body="Kept through the blip.").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gives_the_form_back_with_the_text():
    post = factories.make_post()
    url = reverse("comments:post-comment", args=[post.pk])
    data = form_data(body="Words written during an outage.", author_name="Ada")

    with database_unreachable():
        response = Client().post(url, data, REMOTE_ADDR="198.51.100.20")

    page = response.content.decode()
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "could not save your comment just now" in page
    assert "cannot reach its database" in page
    assert "busy" not in page.lower()
    assert "Words written during an outage." in page
    assert 'value="Ada"' in page
    assert f'action="{url}"' in page
    assert not Comment.objects.exists()

    again = Client().post(url, data, REMOTE_ADDR="198.51.100.20")
    assert again.status_code == 302
    assert Comment.objects.get().body == "Words written during an outage."


@pytest.mark.django_db(transaction=True)
def test_other_pages_say_the_site_is_unavailable_not_busy():
    post = factories.make_post()

    with database_unreachable():
        response = Client().get(post.get_absolute_url())

    assert response.status_code == 503
    assert "could not reach its database" in response.content.decode()
    assert "handling a lot" not in response.content.decode()


@pytest.mark.django_db
def test_every_cookie_the_comments_set_makes_the_page_personal(client, post):
    """A cookie that fills in the form, left unregistered, would put one visitor's name
    and email in the page every reader is served."""
    response = post_comment(client, post, author_url="https://ada.example", remember="on")

    djangos_own = {"sessionid", "csrftoken", "messages"}
    set_by_comments = set(response.cookies) - djangos_own
    assert set_by_comments, "The form's remembered-author cookies were not set."
    assert set_by_comments <= registry.personal_cookies
    assert registry.personal_session_keys == {*client.session.keys()} & (
        registry.personal_session_keys
    )
    assert set(client.session.keys()) <= registry.personal_session_keys | {"_messages"}
