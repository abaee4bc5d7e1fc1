"""The moderation queue's Reported view: each comment readers reported, with the count and
the reasons (and notes) of its open reports, and the moderator's decisions on it: Keep
(the reports dismissed, the comment published), Trash, or Spam (which tells Akismet).
The rules are comments/reports.py's."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from . import reports, services
from .admin_queue import VIEWS, compact_age
from .models import Comment

PER_PAGE = 50
DECISION_LABELS = {"reports_dismiss": "Keep", "trash": "Trash", "mark_spam": "Spam"}
DECISION_TITLES = {
    "reports_dismiss": "Dismiss the reports and publish the comment",
    "trash": "Move to the trash",
    "mark_spam": "Mark as spam",
}


def queue_tabs_with_reported() -> list[dict]:
    """The queue's status tabs (links to the change list), and Reported, selected."""
    counts = Comment.objects.aggregate(
        **{key: Count("pk", filter=condition) for key, (_, condition) in VIEWS.items()}
    )
    changelist = reverse("admin:comments_comment_changelist")
    tabs = [
        {
            "key": key,
            "display": f"{label} ({counts[key]})",
            "query_string": f"{changelist}?status={key}",
        }
        for key, (label, _) in VIEWS.items()
        if counts[key] or key != "failed"
    ]
    tabs.append(
        {
            "key": "reported",
            "display": f"Reported ({reports.reported_count()})",
            "query_string": reverse("admin:comments_comment_reported"),
            "selected": True,
        }
    )
    return tabs


def decision_buttons(comment: Comment) -> list[dict]:
    spam_checking = services.spam_checking_is_on()
    buttons = []
    for move in reports.DECISIONS:
        if comment.status not in services.MOVES[move].starts:
            continue
        title = DECISION_TITLES[move]
        if services.MOVES[move].akismet_feedback and spam_checking:
            title += " (and tell Akismet)"
        buttons.append(
            {
                "name": move,
                "label": DECISION_LABELS[move],
                "title": title,
                "url": reverse("admin:comments_comment_reports_decide", args=[comment.pk, move]),
            }
        )
    return buttons


class ReportedViewMixin:
    """The Reported view and its decisions, added to the comments' admin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("reported/", view(self.reported_view), name="comments_comment_reported"),
            path(
                "<path:object_id>/reports/<str:move>/",
                view(require_POST(self.reports_decide_view)),
                name="comments_comment_reports_decide",
            ),
            *super().get_urls(),
        ]

    def reported_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        page = Paginator(reports.reported_comments(), PER_PAGE).get_page(request.GET.get("p"))
        rows = [
            {
                "comment": comment,
                "age": compact_age(comment.created_at),
                "summary": reports.reasons_summary(r.reason for r in comment.open_reports),
                "reports": [
                    {"report": report, "age": compact_age(report.created_at)}
                    for report in comment.open_reports
                ],
                "buttons": decision_buttons(comment),
            }
            for comment in page.object_list
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Reported comments",
            "subtitle": None,
            "opts": self.opts,
            "tabs": queue_tabs_with_reported(),
            "rows": rows,
            "page": page,
            "threshold": reports.hold_threshold(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/comments/reported.html", context)

    def reports_decide_view(self, request, object_id, move):
        if move not in reports.DECISIONS:
            raise Http404("No such decision.")
        comment = self._comment_for_change(request, object_id)
        try:
            reports.reports_decide(comment=comment, move=move, actor=request.user)
        except services.IllegalTransition as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            done = services.MOVES[move].done_message
            self.message_user(request, f"{done}: {comment.author_name}’s comment.")
        return HttpResponseRedirect(reverse("admin:comments_comment_reported"))
