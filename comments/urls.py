from django.urls import path, re_path

from blog import converters  # noqa: F401  (registers <yyyy> and <dd>)
from core.pagecache import public_page

from . import (
    edit_views,
    feeds,
    moderation_links,
    report_views,
    stamps,
    subscription_views,
    views,
    webmention_views,
)

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:post_id>/", views.post_comment, name="post-comment"),
    # A reader's report of a published comment (comments/reports.py).
    path("comments/<int:comment_id>/report/", report_views.report_comment, name="report"),
    path("comments/<int:comment_id>/report/sent/", report_views.report_sent, name="report-sent"),
    # The author's own edit within COMMENTS_EDIT_SECONDS (comments/editing.py).
    path("comments/<int:comment_id>/edit/", edit_views.edit_comment, name="edit"),
    # A generated avatar, by the keyed hash of an email (comments/avatars.py).
    re_path(r"^comments/avatars/(?P<digest>[0-9a-f]{32})\.svg$", views.avatar, name="avatar"),
    # The links in subscribers' emails (comments/subscription_links.py).
    path(
        "comments/email/confirm/<str:token>/",
        subscription_views.confirm,
        name="subscription-confirm",
    ),
    path(
        "comments/email/manage/<str:token>/", subscription_views.manage, name="subscription-manage"
    ),
    path(
        "comments/email/unsubscribe/<str:token>/",
        subscription_views.end,
        name="subscription-end",
    ),
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
    # WordPress's address of a page of a post's comments, kept for links made there.
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/comment-page-<int:page>/",
        views.old_comment_page,
        name="wordpress-comment-page",
    ),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    # Other sites' pages that link a post (comments/webmentions.py).
    path("webmention/", webmention_views.receive, name="webmention"),
]
