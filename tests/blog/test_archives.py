"""Year, month and day archives: their links to other periods never lead to a 404."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories


def on(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def dated_posts(db):
    """Posts on 3 Sept, 28 and 29 Nov 2024 and 2 Jan 2026: none in October, nor in 2025."""
    return {
        when: factories.make_post(
            title="Posted {}-{:02d}-{:02d}".format(*when), published_at=on(*when)
        )
        for when in [(2024, 9, 3), (2024, 11, 28), (2024, 11, 29), (2026, 1, 2)]
    }


@pytest.fixture
def scheduled(db):
    """A post scheduled for next month, the kind of post a visitor must not be led to."""
    return factories.make_post(
        title="Not yet", published_at=timezone.now() + timezone.timedelta(days=40)
    )


def date_nav(response) -> list[str]:
    assert response.status_code == 200
    nav = re.search(r'<nav class="date-nav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'href="([^"]+)"', nav.group())


@pytest.mark.django_db
def test_month_archive_links_skip_months_without_posts(client, dated_posts):
    november = date_nav(client.get("/2024/11/"))
    september = date_nav(client.get("/2024/09/"))

    assert november == ["/2024/09/", "/2026/01/"]
    assert september == ["/2024/11/"]


@pytest.mark.django_db
def test_year_archive_links_skip_years_without_posts(client, dated_posts):
    assert date_nav(client.get("/2024/")) == ["/2026/"]
    assert date_nav(client.get("/2026/")) == ["/2024/"]


@pytest.mark.django_db
def test_last_months_archive_offers_no_link_to_a_month_of_scheduled_posts(client):
    """This month has begun, but holds only a post scheduled for later."""
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    factories.make_post(published_at=on(last_month.year, last_month.month, 1))
    factories.make_post(published_at=timezone.now() + timezone.timedelta(hours=1))

    month = client.get(reverse("blog:archive-month", args=[last_month.year, last_month.month]))
    day = client.get(reverse("blog:archive-day", args=[last_month.year, last_month.month, 1]))
    year = client.get(reverse("blog:archive-year", args=[last_month.year]))

    assert date_nav(month) == date_nav(day) == []
    assert "→" not in month.content.decode() + day.content.decode()
    assert date_nav(year) == []


@pytest.mark.django_db
def test_day_archive_lists_that_days_posts_and_links_to_its_month(client, dated_posts):
    response = client.get("/2024/11/29/")
    page = response.content.decode()

    assert "Posted 2024-11-29" in page and "Posted 2024-11-28" not in page
    assert "<h1>Posts from 29 November 2024</h1>" in page
    assert 'href="/2024/11/">All of November 2024</a>' in page
    assert date_nav(response) == ["/2024/11/28/", "/2026/01/02/"]
    assert date_nav(client.get("/2024/11/28/")) == ["/2024/09/03/", "/2024/11/29/"]


@pytest.mark.django_db
def test_every_archive_link_answers(client, dated_posts, scheduled):
    """Follow the links from one archive to the next until none is left."""
    for start in ("/2024/", "/2024/11/", "/2024/11/29/"):
        seen, waiting = set(), [start]
        while waiting:
            path = waiting.pop()
            seen.add(path)
            waiting += [link for link in date_nav(client.get(path)) if link not in seen]
        assert len(seen) > 1


@pytest.mark.django_db
def test_day_archive_follows_the_sites_time_zone(client, settings):
    """Late on the 10th in UTC is the 11th at UTC+14."""
    settings.TIME_ZONE = "Pacific/Kiritimati"
    post = factories.make_post(title="Late news", published_at=on(2024, 3, 10, hour=23))

    assert "Late news" in client.get("/2024/03/11/").content.decode()
    assert client.get("/2024/03/10/").status_code == 404
    assert post.get_absolute_url().startswith("/2024/03/11/")


@pytest.mark.django_db
def test_empty_days_and_days_of_drafts_or_scheduled_posts_are_404(client, dated_posts, scheduled):
    factories.make_post(status="draft", published_at=on(2024, 10, 1))
    local = timezone.localtime(scheduled.published_at)

    assert client.get("/2024/11/30/").status_code == 404
    assert client.get("/2024/10/01/").status_code == 404
    assert client.get(f"/{local:%Y/%m/%d}/").status_code == 404


@pytest.mark.django_db
def test_day_archive_paginates(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 3
    for hour in range(7):
        factories.make_post(published_at=on(2024, 5, 6, hour=hour))

    assert client.get("/2024/05/06/?page=2").status_code == 200
    assert client.get("/2024/05/06/?page=3").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/0001/01/01/",
        "/9999/12/31/",
        "/0000/00/00/",
        "/2025/02/29/",
        "/2025/13/01/",
        "/2025/06/00/",
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("as_staff", [False, True], ids=["visitor", "staff"])
def test_day_archives_out_of_the_calendar_are_404_in_any_time_zone(
    settings, dated_posts, path, zone, as_staff
):
    settings.TIME_ZONE = zone
    visitor = Client(raise_request_exception=False)
    if as_staff:
        visitor.force_login(factories.make_editor())

    assert visitor.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/0001/", "/9999/", "/0001/01/", "/9999/12/"])
def test_archives_at_the_ends_of_the_calendar_are_404_with_posts_on_either_side(
    settings, dated_posts, path
):
    """The links to the periods either side are looked up too, and must not overflow."""
    settings.TIME_ZONE = "Pacific/Kiritimati"

    assert Client(raise_request_exception=False).get(path).status_code == 404
