"""The comment form is protected by where the browser says the POST comes from, so a page
from the shared cache, which carries no token, posts in one press (core/cross_origin.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from core.cross_origin import Source, request_source

CSRF_STRICT = {"enforce_csrf_checks": True}


def comment(number):
    return {
        "author_name": f"Reader {number}",
        "author_email": f"origin{number}@example.com",
        "body": f"Sent with a header, {number}.",
    }


def send(post, number, **headers):
    return Client(**CSRF_STRICT).post(
        reverse("comments:post-comment", args=[post.pk]),
        comment(number),
        headers=headers,
        REMOTE_ADDR=f"198.51.100.{number}",
    )


def stored(number):
    return Comment.objects.filter(author_email=f"origin{number}@example.com").count()


@pytest.mark.parametrize(
    ("headers", "source"),
    [
        ({"sec-fetch-site": "same-origin"}, Source.SAME_ORIGIN),
        ({"sec-fetch-site": "none"}, Source.SAME_ORIGIN),
        ({"sec-fetch-site": "same-site"}, Source.CROSS_ORIGIN),
        ({"sec-fetch-site": "cross-site"}, Source.CROSS_ORIGIN),
        # Fetch Metadata wins over Origin: a browser that sends it knows best.
        ({"sec-fetch-site": "cross-site", "origin": "http://testserver"}, Source.CROSS_ORIGIN),
        ({"origin": "http://testserver"}, Source.SAME_ORIGIN),
        ({"origin": "https://testserver"}, Source.CROSS_ORIGIN),  # Another scheme.
        ({"origin": "http://testserver:8080"}, Source.CROSS_ORIGIN),  # Another port.
        ({"origin": "https://elsewhere.example"}, Source.CROSS_ORIGIN),
        ({"origin": "null"}, Source.CROSS_ORIGIN),
        ({}, Source.UNKNOWN),
    ],
)
def test_where_a_request_comes_from(rf, headers, source):
    assert request_source(rf.post("/comments/post/1/", headers=headers)) == source


def test_a_trusted_origin_counts_as_the_sites_own(rf, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://blog.example.com"]
    request = rf.post("/comments/post/1/", headers={"origin": "https://blog.example.com"})
    assert request_source(request) == Source.SAME_ORIGIN


@pytest.mark.django_db
def test_a_same_origin_post_with_no_token_is_taken_in_one_press(post):
    response = send(post, 1, sec_fetch_site="same-origin")

    assert response.status_code == 302
    assert stored(1) == 1


@pytest.mark.django_db
def test_an_older_browser_sending_its_own_origin_is_taken_in_one_press(post):
    response = send(post, 2, origin="http://testserver")

    assert response.status_code == 302
    assert stored(2) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"sec_fetch_site": "cross-site"},
        {"sec_fetch_site": "same-site"},
        {"origin": "https://elsewhere.example"},
        {"origin": "null"},
    ],
)
def test_a_post_from_another_site_is_refused_and_stores_nothing(post, headers):
    response = send(post, 3, **headers)

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert "Sent with a header" not in response.content.decode()
    assert stored(3) == 0


@pytest.mark.django_db
def test_a_post_with_neither_header_nor_token_gets_the_form_back_with_a_token(post):
    reader = Client(**CSRF_STRICT)
    reader.get(post.get_absolute_url())
    url = reverse("comments:post-comment", args=[post.pk])

    first = reader.post(url, comment(4), REMOTE_ADDR="198.51.100.4")

    assert first.status_code == 403
    page = first.content.decode()
    assert "Please press “Post Comment” once more" in page
    token = first.context["csrf_token"]
    assert f'value="{token}"' in page
    second = reader.post(
        url, {**comment(4), "csrfmiddlewaretoken": token}, REMOTE_ADDR="198.51.100.4"
    )
    assert second.status_code == 302
    assert stored(4) == 1


@pytest.mark.django_db
def test_signed_in_staff_keep_the_token_check(post, moderator):
    staff = Client(**CSRF_STRICT)
    staff.force_login(moderator)

    response = staff.post(
        reverse("comments:post-comment", args=[post.pk]),
        comment(5),
        headers={"sec-fetch-site": "same-origin"},
    )

    assert response.status_code == 403
    assert stored(5) == 0
