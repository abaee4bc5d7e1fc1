from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import RedirectView

from core.pagecache import public_page

# Importing converters registers <yyyy>, <dd> and <name>.
from . import converters, feeds, like_views, stamps, views  # noqa: F401
from .sitemaps import sitemaps


def moved_to(pattern_name):
    """A permanent redirect from an older or WordPress address to its page here."""
    return RedirectView.as_view(pattern_name=pattern_name, permanent=True, query_string=True)


app_name = "blog"
urlpatterns = [
    path("", views.PostHomeView.as_view(), name="home"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("search/", views.SearchView.as_view(), name="search"),
    # RSS 2.0 at /feed/, as WordPress serves it.
    path("feed/", public_page(feeds.LatestPostsFeed(), shows=stamps.lists), name="feed-rss"),
    path(
        "feed/atom/", public_page(feeds.LatestPostsAtomFeed(), shows=stamps.lists), name="feed-atom"
    ),
    path("feed/rss/", moved_to("blog:feed-rss")),
    path("tags/<name:slug>/", views.TagView.as_view(), name="tag"),
    path(
        "tags/<name:slug>/feed/",
        public_page(feeds.TagFeed(), shows=stamps.lists),
        name="tag-feed-rss",
    ),
    path(
        "tags/<name:slug>/feed/atom/",
        public_page(feeds.TagAtomFeed(), shows=stamps.lists),
        name="tag-feed-atom",
    ),
    path("tags/<name:slug>/feed/rss/", moved_to("blog:tag-feed-rss")),
    path("tag/<name:slug>/", moved_to("blog:tag")),
    path("tag/<name:slug>/feed/", moved_to("blog:tag-feed-rss")),
    path("tag/<name:slug>/feed/atom/", moved_to("blog:tag-feed-atom")),
    path("authors/<name:username>/", views.AuthorView.as_view(), name="author"),
    path("posts/<int:post_id>/like/", like_views.like_post, name="post-like"),
    path("<yyyy:year>/", views.PostYearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<dd:month>/", views.PostMonthArchiveView.as_view(), name="archive-month"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/",
        views.PostDayArchiveView.as_view(),
        name="archive-day",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.PostDetailView.as_view(),
        name="post-detail",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": sitemaps, "template_name": "blog/sitemap.xml"},
        name="sitemap",
    ),
]
