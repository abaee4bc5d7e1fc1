"""The moderation queue's tabs and rows (see comments.admin_queue)."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers
from django.utils.text import Truncator

from blog.models import Post
from comments.admin_queue import (
    StatusTabs,
    can_reply,
    compact_age,
    hold_reason,
    queue_post_id,
    reason_text,
    reply_label,
    row_moves,
)
from comments.models import Comment

register = template.Library()

# Longer comments are folded behind "Show more".
FOLD_AT = 600


@register.inclusion_tag("admin/comments/comment/_queue_tabs.html")
def queue_tabs(cl):
    """The status tabs, from the status filter's choices (counted in one query)."""
    tabs = next(spec for spec in cl.filter_specs if isinstance(spec, StatusTabs))
    post_id = queue_post_id(cl.params)
    return {
        "tabs": list(tabs.choices(cl)),
        "post": Post.objects.filter(pk=post_id).first() if post_id else None,
        "every_post": cl.get_query_string(remove=["post", "p"]),
    }


@register.inclusion_tag("admin/comments/comment/_queue_results.html")
def queue_results(cl):
    """Django's result table, with rows that show each comment whole."""
    comments = list(cl.result_list)
    rows = []
    for index, comment in enumerate(comments):
        neighbours = comments[index + 1 : index + 2] or comments[index - 1 : index]
        reason = hold_reason(comment.events.all())
        rows.append(
            {
                "comment": comment,
                "form_id": f"moderate-{comment.pk}",
                "age": compact_age(comment.created_at),
                "checkbox": cl.model_admin.action_checkbox(comment),
                "moves": row_moves(comment),
                "reason": reason_text(reason),
                "reason_detail": reason.detail if reason else "",
                "can_reply": can_reply(comment),
                "reply_label": reply_label(comment),
                "folded": len(comment.body) > FOLD_AT,
                "start": Truncator(comment.body).chars(FOLD_AT // 2),
                "parent_quote": comment.parent and Truncator(comment.parent.body).chars(80),
                "following": neighbours[0].pk if neighbours and neighbours[0] != comment else "",
            }
        )
    return {
        "cl": cl,
        "headers": list(result_headers(cl)),
        # Where each row action brings the moderator back to.
        "filters": cl.get_query_string()[1:],
        "rows": rows,
        "body_max": Comment.BODY_MAX,
    }
