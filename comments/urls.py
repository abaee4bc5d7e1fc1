from django.urls import path

from blog.freshness import public_page

from . import feeds, views

app_name = "comments"
urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post-comment"),
    path("csrf-cookie/", views.csrf_cookie, name="csrf-cookie"),
    path("feed/<int:post_id>/", public_page(feeds.PostCommentsFeed()), name="post-feed"),
]
