"""The post list's comment counts, each a link to the moderation queue for that post.

The blog app knows nothing of comments, so the comments app adds the column: it
registers the posts' admin again as a subclass with one more column.
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import ngettext

from blog.admin import PostAdmin
from blog.models import Post

from .models import Comment

Status = Comment.Status


def _comment_count(**conditions) -> Coalesce:
    """A post's comments meeting `conditions`, as a subquery: computed for the rows on the
    page only (the list's COUNT drops it), with no GROUP BY over every post."""
    matching = (
        Comment.objects.filter(post=OuterRef("pk"), **conditions)
        .order_by()
        .values("post")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(matching), 0)


class PostAdminWithComments(PostAdmin):
    list_display = [*PostAdmin.list_display[:-1], "comment_count", PostAdmin.list_display[-1]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_comments=_comment_count(status=Status.APPROVED),
                waiting_comments=_comment_count(status=Status.PENDING),
            )
        )

    @admin.display(description="comments", ordering="approved_comments")
    def comment_count(self, post):
        queue = reverse("admin:comments_comment_changelist")
        published = format_html(
            '<a href="{}?{}" title="{}">{}</a>',
            queue,
            urlencode({"post": post.pk, "status": "approved"}),
            ngettext("%d published comment", "%d published comments", post.approved_comments)
            % post.approved_comments,
            post.approved_comments,
        )
        if not post.waiting_comments:
            return published
        return format_html(
            '{} <a class="post-comments-waiting" href="{}?{}">{} waiting</a>',
            published,
            queue,
            urlencode({"post": post.pk, "status": "pending"}),
            post.waiting_comments,
        )


admin.site.unregister(Post)
admin.site.register(Post, PostAdminWithComments)
