from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from core.pagecache import public_page

from . import feeds, views
from .sitemaps import sitemaps


class FourDigitYearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    """Months and days, always written with two digits: /2026/01/05/."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class NameConverter:
    """A tag's slug or a username: any text but "/" and NUL, which PostgreSQL refuses."""

    regex = "[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitConverter, "dd")
register_converter(NameConverter, "name")

app_name = "blog"
urlpatterns = [
    path("", views.PostHomeView.as_view(), name="home"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed()), name="feed-atom"),
    path("feed/rss/", public_page(feeds.LatestPostsFeed()), name="feed-rss"),
    path("tags/<name:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<name:slug>/feed/atom/", public_page(feeds.TagAtomFeed()), name="tag-feed-atom"),
    path("tags/<name:slug>/feed/rss/", public_page(feeds.TagFeed()), name="tag-feed-rss"),
    path("authors/<name:username>/", views.AuthorView.as_view(), name="author"),
    path("<yyyy:year>/", views.PostYearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<dd:month>/", views.PostMonthArchiveView.as_view(), name="archive-month"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.PostDetailView.as_view(),
        name="post-detail",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
]
