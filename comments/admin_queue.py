"""The moderation queue's parts: its status tabs, why each comment is held, and the row
actions (one POST each, answered in JSON for the queue's script), with quick reply.

Which actions a row offers, and what undoes each, come from the services' table of moves.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import reports, services
from .models import Comment, CommentEvent

Status = Comment.Status
Kind = CommentEvent.Kind
MODERATION = services.moderator_moves()
# What a row action may post: the buttons' moves, then those kept for undoing.
ROW_MOVES = {**MODERATION, **services.undo_moves()}

# The tabs, in WordPress's order; "failed" shows only while some check has failed.
VIEWS = {
    "all": ("All", Q()),
    "pending": ("Pending", Q(status=Status.PENDING)),
    "approved": ("Approved", Q(status=Status.APPROVED)),
    "spam": ("Spam", Q(status=Status.SPAM)),
    "trash": ("Trash", Q(status=Status.TRASH)),
    "failed": ("Check failed", Q(status=Status.PENDING, akismet_verdict=Comment.Verdict.ERROR)),
}
# What needs a moderator: every held comment, the ones whose check failed among them.
DEFAULT_VIEW = "pending"
HIDDEN_WHEN_EMPTY = {"failed"}

# WordPress's shorter row labels and its keyboard shortcuts for the same moves.
ROW_LABELS = {"mark_spam": "Spam", "trash": "Trash", "restore": "Restore"}
SHORTCUTS = {
    "approve": "a",
    "unapprove": "u",
    "mark_spam": "s",
    "trash": "d",
    "restore": "z",
    "mark_ham": "z",
}

# History lines that say nothing about why a comment is where it is.
BOOKKEEPING = {
    Kind.SUBMITTED,
    Kind.NOTIFIED,
    Kind.REPORTED_SPAM,
    Kind.REPORTED_HAM,
    Kind.REPORT_ERROR,
    Kind.PARAMS_PURGED,
    Kind.DETAILS_PURGED,
    Kind.ERASED,
}
# A check's outcome: only the latest counts, and "cleared" only when nothing else holds it.
CHECK_OUTCOMES = {Kind.CHECK_HAM, Kind.CHECK_ERROR, Kind.CHECK_SKIPPED}


def queue_post_id(params) -> int | None:
    """The post whose comments the queue shows (?post=, from the post list's counts)."""
    value = params.get("post", "")
    # Past 64 bits no row can have it, and the database would refuse to compare it.
    return int(value) if value.isdigit() and int(value) < 2**63 else None


class StatusTabs(admin.SimpleListFilter):
    """The queue's tabs (drawn above the list, not in the sidebar), with counts."""

    title = "status"
    parameter_name = "status"
    template = "admin/comments/comment/status_tabs_filter.html"

    def lookups(self, request, model_admin):
        # Every tab's count in one query, for the one post when the queue shows one.
        scope = Comment.objects.all()
        if post_id := queue_post_id(request.GET):
            scope = scope.filter(post_id=post_id)
        counts = scope.aggregate(
            **{key: Count("pk", filter=condition) for key, (_, condition) in VIEWS.items()}
        )
        return [
            (key, f"{label} ({counts[key]})")
            for key, (label, _) in VIEWS.items()
            if counts[key] or key not in HIDDEN_WHEN_EMPTY
        ]

    def value(self):
        value = super().value()
        return value if value in VIEWS else DEFAULT_VIEW

    def queryset(self, request, queryset):
        return queryset.filter(VIEWS[self.value()][1])

    def choices(self, changelist):
        for key, title in self.lookup_choices:
            yield {
                "key": key,
                "selected": self.value() == key,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: key}, remove=["p"]
                ),
                "display": title,
            }
        # Readers' reports have a view of their own (comments/admin_reports.py).
        yield {
            "key": "reported",
            "selected": False,
            "query_string": reverse("admin:comments_comment_reported"),
            "display": f"Reported ({reports.reported_count()})",
        }


def hold_reason(events) -> CommentEvent | None:
    """The history line that explains where the comment is: the latest one that is not
    bookkeeping, and of the spam checks only the latest, "cleared" as a last resort."""
    cleared, check_seen = None, False
    for event in reversed(list(events)):
        if event.kind in BOOKKEEPING:
            continue
        if event.kind in CHECK_OUTCOMES:
            if check_seen:
                continue
            check_seen = True
            if event.kind == Kind.CHECK_HAM:
                cleared = event
                continue
        return event
    return cleared


def reason_text(event: CommentEvent | None) -> str:
    if event is None:
        return "Waiting for a moderator"
    who = f" by {event.actor.get_username()}" if event.actor_id else ""
    return f"{event.get_kind_display()}{who}"


def row_moves(comment: Comment) -> list[dict]:
    """The moderator's moves that apply to `comment` now, as its row's buttons."""
    spam_checking = services.spam_checking_is_on()
    return [
        _move_button(comment, move, spam_checking)
        for move in MODERATION.values()
        if comment.status in move.starts
    ]


def undo_move(*, before: str, after: str):
    """The move that takes a comment back from `after` to `before`, if the table has one:
    a button's own move first, else one kept for undoing."""
    for move in ROW_MOVES.values():
        if after in move.starts and move.ends == before:
            return move
    return None


def compact_age(moment) -> str:
    """WordPress's "3 h" for the age of a comment."""
    seconds = (timezone.now() - moment).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}\u00a0{unit}"
    return "now"


def reply_label(comment: Comment) -> str:
    return "Approve and reply" if comment.status == Status.PENDING else "Reply"


def can_reply(comment: Comment) -> bool:
    return comment.status in {Status.PENDING, Status.APPROVED}


def _move_button(comment, move, spam_checking) -> dict:
    title = move.label
    if move.akismet_feedback and spam_checking:
        title = f"{move.label} (and tell Akismet)"
    return {
        "name": move.name,
        "label": ROW_LABELS.get(move.name, move.label),
        "title": title,
        "key": SHORTCUTS.get(move.name, ""),
        "url": reverse("admin:comments_comment_moderate", args=[comment.pk, move.name]),
    }


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=Comment.BODY_MAX)


class ModerationQueueMixin:
    """Row actions and quick reply: POST, then back to the same place in the queue, or
    JSON for the queue's script (`Accept: application/json`)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/moderate/<str:move>/",
                view(require_POST(self.moderate_view)),
                name="comments_comment_moderate",
            ),
            path(
                "<path:object_id>/reply/",
                view(require_POST(self.reply_view)),
                name="comments_comment_reply",
            ),
            *super().get_urls(),
        ]

    def _comment_for_change(self, request, object_id):
        comment = Comment.objects.select_related("post").filter(pk=_pk(object_id)).first()
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        return comment

    def moderate_view(self, request, object_id, move):
        if move not in ROW_MOVES:
            raise Http404("No such action.")
        comment = self._comment_for_change(request, object_id)
        before = comment.status
        try:
            services.comment_transition(comment=comment, move=move, actor=request.user)
        except services.IllegalTransition as error:
            return self._answer(request, comment, str(error), level=messages.ERROR)
        undo = undo_move(before=before, after=comment.status)
        done = f"{ROW_MOVES[move].done_message}: {comment.author_name}’s comment."
        return self._answer(request, comment, done, undo=undo)

    def reply_view(self, request, object_id):
        parent = self._comment_for_change(request, object_id)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return self._answer(request, parent, "Write a reply first.", level=messages.ERROR)
        was_pending = parent.status == Status.PENDING
        try:
            reply = services.comment_reply_by_moderator(
                parent=parent, moderator=request.user, body=form.cleaned_data["body"]
            )
        except services.IllegalTransition as error:
            return self._answer(request, parent, str(error), level=messages.ERROR)
        done = f"Replied to {parent.author_name}"
        done += ", and approved their comment." if was_pending else "."
        return self._answer(request, parent, done, reply=reply)

    def _answer(self, request, comment, message, *, level=messages.SUCCESS, undo=None, reply=None):
        ok = level == messages.SUCCESS
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                _row_state(comment, message, undo=undo, reply=reply), status=200 if ok else 409
            )
        filters = request.POST.get("_changelist_filters", "")
        if undo is not None:
            message = format_html("{} {}", message, _undo_form(request, comment, undo, filters))
        elif reply is not None:
            message = format_html(
                '{} <a href="{}">See the reply on the post</a>.',
                message,
                reply.get_absolute_url(),
            )
        self.message_user(request, message, level)
        return HttpResponseRedirect(_back_to_queue(comment, filters, request.POST.get("following")))


def _pk(object_id):
    try:
        return Comment._meta.pk.to_python(object_id)
    except Exception:  # Anything that is not an id finds no comment.
        raise Http404("No such comment.") from None


def _row_state(comment, message, *, undo, reply) -> dict:
    """What the queue's script needs to redraw the row."""
    return {
        "comment": comment.pk,
        "status": comment.status,
        "status_label": comment.get_status_display(),
        "message": message,
        "moves": row_moves(comment),
        "undo": undo and _move_button(comment, undo, services.spam_checking_is_on()),
        "can_reply": can_reply(comment),
        "reply_label": reply_label(comment),
        "reason": reason_text(hold_reason(comment.events.select_related("actor"))),
        "reply": reply and {"comment": reply.pk, "url": reply.get_absolute_url()},
    }


def _back_to_queue(comment, filters: str, following: str | None) -> str:
    """The queue as the moderator left it, at this comment's row, or at the next one when
    the move took it out of the tab."""
    query = QueryDict(filters)
    view = query.get("status")
    view = view if view in VIEWS else DEFAULT_VIEW
    anchor = comment.pk
    if following and following.isdigit() and not _in_view(comment, view):
        anchor = int(following)
    url = reverse("admin:comments_comment_changelist")
    if query:
        url += f"?{query.urlencode()}"
    return f"{url}#comment-row-{anchor}"


def _in_view(comment, view) -> bool:
    return Comment.objects.filter(VIEWS[view][1], pk=comment.pk).exists()


def _undo_form(request, comment, move, filters):
    """An Undo button inside the message, for the queue without its script."""
    return format_html(
        '<form class="queue-undo" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="_changelist_filters" value="{}">'
        '<button type="submit">Undo</button></form>',
        reverse("admin:comments_comment_moderate", args=[comment.pk, move.name]),
        get_token(request),
        filters,
    )
