from django.urls import path

from blog import converters  # noqa: F401  (registers <yyyy> and <dd>)
from core.pagecache import public_page

from . import feeds, moderation_links, stamps, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:post_id>/", views.post_comment, name="post-comment"),
    # The links in moderators' emails (comments/email_links.py).
    path("comments/moderate/<str:token>/", moderation_links.moderate, name="moderate"),
    path(
        "comments/feed/",
        public_page(feeds.SiteCommentsFeed(), shows=stamps.site_feed_shows),
        name="feed",
    ),
    path(
        "comments/feed/<int:post_id>/",
        public_page(feeds.PostCommentsFeedById()),
        name="post-feed",
    ),
    # Under the post's address, as in WordPress: /2026/11/29/slug/feed/.
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/feed/",
        public_page(feeds.PostCommentsFeed()),
        name="post-permalink-feed",
    ),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
