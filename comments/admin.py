"""The moderation queue: what needs attention first, one-click verdicts, each comment's history.

The queue's tabs, rows and row actions are in admin_queue.py."""

from dataclasses import replace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from blog import likes
from core.admin_guard import GuardedAdminMixin, GuardedChangeList

# admin_posts adds the comment counts to the post list.
from . import admin_posts, services  # noqa: F401
from .admin_privacy import PersonalDataActionsMixin
from .admin_queue import MODERATION, ModerationQueueMixin, StatusTabs, compact_age
from .admin_reports import ReportedViewMixin
from .models import Comment, CommentEvent
from .stamps import comments_changed

Status = Comment.Status


class QueueChangeList(GuardedChangeList):
    """The queue's page of comments with all that their rows show, in a fixed number of
    queries: the post, the comment replied to, a webmention's source, and each comment's
    history."""

    def get_queryset(self, request, exclude_parameters=None):
        events = CommentEvent.objects.select_related("actor")
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .select_related("post", "parent", "webmention")
            .prefetch_related(Prefetch("events", queryset=events))
        )


class CommentEventInline(admin.TabularInline):
    model = CommentEvent
    template = "admin/comments/comment/history_inline.html"
    verbose_name = "history"
    verbose_name_plural = "history"
    fields = ["created_at", "actor", "kind", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    # The history belongs to the comment: whoever may see the comment may read it,
    # and nobody edits it.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comments.view_comment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, move):
    """Apply a moderator's move to each selected comment and say what happened."""
    changed, skipped = 0, 0
    # One transaction: feedback to Akismet goes out once, after everything commits.
    with transaction.atomic():
        for comment in queryset:
            try:
                services.comment_transition(comment=comment, move=move.name, actor=request.user)
            except services.IllegalTransition:
                skipped += 1
            else:
                changed += 1
    if changed:
        modeladmin.message_user(
            request, f"{move.done_message} {changed} comment(s).", messages.SUCCESS
        )
    if skipped:
        modeladmin.message_user(
            request,
            f"Skipped {skipped} comment(s) that this action does not apply to.",
            messages.WARNING,
        )


def _bulk_action(move):
    @admin.action(description=move.label, permissions=["change"])
    def action(modeladmin, request, queryset):
        _run(modeladmin, request, queryset, move)

    action.__name__ = move.name
    return action


def _action_label(move) -> str:
    if move.akismet_feedback and services.spam_checking_is_on():
        return f"{move.label} (and tell Akismet)"
    return move.label


def moderation_buttons(comment):
    """The moves that apply to `comment` now, as (POST name, label) for its change page."""
    return [
        (f"_{name}", move.label)
        for name, move in MODERATION.items()
        if comment.status in move.starts
    ]


@admin.register(Comment)
class CommentAdmin(
    GuardedAdminMixin,
    PersonalDataActionsMixin,
    ReportedViewMixin,
    ModerationQueueMixin,
    admin.ModelAdmin,
):
    # The headers and sort orders of the queue, whose rows
    # admin/comments/comment/_queue_row.html draws.
    list_display = ["author", "comment_text", "post_link", "verdict", "age"]
    # No date hierarchy, as WordPress's Comments screen has none: listing its months
    # reads every comment of the tab, the one cost that grew with the queue.
    list_filter = [StatusTabs, "kind", "akismet_verdict"]
    ordering = ["-created_at", "-id"]
    # The tabs count every comment already.
    show_full_result_count = False
    search_fields = ["author_name", "author_email", "author_url", "body", "ip_address"]
    list_per_page = 50
    actions = [
        *(_bulk_action(move) for move in MODERATION.values()),
        "check_again",
        "export_personal_data",
        "erase_personal_data",
    ]
    inlines = [CommentEventInline]
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "on_post",
                    "in_reply_to",
                    "status",
                    "kind",
                    "webmention_source",
                    "created_at",
                ]
            },
        ),
        ("Comment", {"fields": ["author_name", "author_email", "author_url", "body"]}),
        (
            "Akismet",
            {
                "fields": [
                    "akismet_verdict",
                    "akismet_checked_at",
                    "akismet_attempts",
                    "akismet_next_attempt_at",
                    "akismet_last_error",
                    "akismet_reports",
                ]
            },
        ),
        ("Sent from", {"fields": ["ip_address", "user_agent", "referrer", "user"]}),
    ]
    # Everything else in the fieldsets is shown read-only.
    editable_fields = ["author_name", "author_email", "author_url", "body"]

    class Media:
        css = {"all": ["css/admin_queue.css"]}
        js = [forms.Script("js/admin_queue.js", defer=True)]

    def get_readonly_fields(self, request, obj=None):
        return [
            field
            for field in flatten_fieldsets(self.fieldsets)
            if field not in self.editable_fields
        ]

    def get_queryset(self, request):
        # Peers, so that the rows' links to their comments find the pages in one query.
        return (
            super()
            .get_queryset(request)
            .with_approved_by_author_count()
            .fetch_mode(models.FETCH_PEERS)
        )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Whether a move tells Akismet depends on spam checking being on now.
        actions = super().get_actions(request, action_location=action_location)
        for name, move in MODERATION.items():
            if name in actions:
                label = _action_label(move)
                actions[name] = replace(actions[name], description=label, plural_description=label)
        return actions

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_add_permission(self, request):
        return False  # Comments come from visitors, through the pipeline.

    # A moderator's edit or deletion of a comment readers can see renews its post's pages;
    # status changes go through services.comment_transition, which does the same.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if Comment.Status.APPROVED in (obj.status_when_loaded, obj.status):
            comments_changed([obj.post_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if obj.status == Comment.Status.APPROVED:
            comments_changed([obj.post_id])
            if obj.kind == Comment.Kind.WEBMENTION:
                # A like or repost from another site counted in "N people like this".
                likes.likes_recount(post_ids=[obj.post_id])

    def delete_queryset(self, request, queryset):
        approved = queryset.approved()
        shown_on = set(approved.values_list("post_id", flat=True))
        liked_on = set(
            approved.filter(kind=Comment.Kind.WEBMENTION).values_list("post_id", flat=True)
        )
        super().delete_queryset(request, queryset)
        comments_changed(shown_on)
        likes.likes_recount(post_ids=liked_on)

    # Columns
    # ------------------------------------------------------------------------------------

    @admin.display(description="Comment")
    def comment_text(self, obj):
        return Truncator(" ".join(obj.body.split())).chars(90)

    @admin.display(description="Author", ordering="author_name")
    def author(self, obj):
        approved = obj.author_approved_count
        return format_html(
            '<strong>{}</strong><br><span class="quiet">{}</span><br>'
            '<span class="quiet">{} approved comment{}</span>',
            obj.author_name,
            obj.author_email,
            approved,
            "" if approved == 1 else "s",
        )

    @admin.display(description="In response to", ordering="post__title")
    def post_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.post.get_absolute_url(), Truncator(obj.post.title).chars(50)
        )

    @admin.display(description="Status", ordering="status")
    def verdict(self, obj):
        label = obj.get_akismet_verdict_display()
        if obj.akismet_verdict == Comment.Verdict.ERROR:
            plural = "" if obj.akismet_attempts == 1 else "s"
            label = format_html(
                '<span title="{}">{} ({} attempt{})</span>',
                obj.akismet_last_error,
                label,
                obj.akismet_attempts,
                plural,
            )
        return format_html("<strong>{}</strong><br>Akismet: {}", obj.get_status_display(), label)

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            obj.created_at.isoformat(),
            obj.created_at.strftime("%Y-%m-%d %H:%M"),
            compact_age(obj.created_at),
        )

    @admin.display(description="Post")
    def on_post(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.post.title)

    @admin.display(description="In reply to")
    def in_reply_to(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_comment_change", args=[obj.parent_id]),
            obj.parent.author_name,
        )

    @admin.display(description="Webmention")
    def webmention_source(self, obj):
        webmention = getattr(obj, "webmention", None)
        if webmention is None:
            return "—"
        return format_html(
            '{} from <a href="{}" rel="noreferrer noopener">{}</a>, last checked {}',
            webmention.get_type_display(),
            webmention.source,
            webmention.source,
            f"{timezone.localtime(webmention.verified_at):%Y-%m-%d %H:%M}",
        )

    @admin.display(description="Reports to Akismet")
    def akismet_reports(self, obj):
        reports = obj.akismet_reports.all()
        if not reports:
            return "None"
        return format_html_join(
            "",
            "<div>{} – {}</div>",
            ((report.get_kind_display(), _report_state(report)) for report in reports),
        )

    # Actions
    # ------------------------------------------------------------------------------------

    @admin.action(description="Check again with Akismet", permissions=["change"])
    def check_again(self, request, queryset):
        if not services.spam_checking_is_on():
            self.message_user(request, "Spam checking is off.", messages.ERROR)
            return
        summary = services.comments_check_again(comments=queryset)
        self.message_user(request, f"Checked {summary['checked']} comment(s) with Akismet.")
        if summary["failed"] or summary["skipped"]:
            self.message_user(
                request,
                f"Akismet could not be reached; {summary['failed'] + summary['skipped']} "
                "comment(s) will be retried by recheck_comments.",
                messages.WARNING,
            )

    # Pages
    # ------------------------------------------------------------------------------------

    def _warn_if_unchecked(self, request):
        if not services.spam_checking_is_on():
            self.message_user(
                request,
                "Spam checking is off: AKISMET_API_KEY is not set, so every comment "
                "waits here unchecked.",
                messages.WARNING,
            )

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self._warn_if_unchecked(request)
        extra_context = {"title": "Comments", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._warn_if_unchecked(request)
        comment = self.get_object(request, object_id)
        buttons = moderation_buttons(comment) if comment is not None else []
        extra_context = {**(extra_context or {}), "moderation_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """The comment's own history (its CommentEvents), not Django's LogEntry."""
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, comment):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {comment}",
            "subtitle": None,
            "object": comment,
            "events": comment.events.select_related("actor"),
            "module_name": self.opts.verbose_name_plural.capitalize(),
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/comments/comment/object_history.html", context)

    def response_change(self, request, obj):
        for name, move in MODERATION.items():
            if f"_{name}" in request.POST:
                try:
                    services.comment_transition(comment=obj, move=name, actor=request.user)
                except services.IllegalTransition as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.message_user(request, f"{move.done_message}: {obj.author_name}’s comment.")
                return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[obj.pk]))
        return super().response_change(request, obj)


def _report_state(report):
    if report.status == report.Status.SENT:
        return f"sent {report.sent_at:%Y-%m-%d %H:%M}"
    if report.status == report.Status.FAILED:
        return (
            f"failed: gave up {report.failed_at:%Y-%m-%d %H:%M} after "
            f"{report.attempts} attempt(s): {report.last_error}"
        )
    return f"owed, {report.attempts} failed attempt(s): {report.last_error}"


# The discussion rules and the Akismet account page register themselves.
from . import admin_rules  # noqa: E402, F401
