from django.urls import path

from core.pagecache import public_page

from . import feeds, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:post_id>/", views.post_comment, name="post-comment"),
    path("comments/csrf-cookie/", views.csrf_cookie, name="csrf-cookie"),
    path("comments/feed/<int:post_id>/", public_page(feeds.PostCommentsFeed()), name="post-feed"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
