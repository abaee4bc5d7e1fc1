"""The admin's discussion rules and Akismet's figures.

The two lists of WordPress's Settings > Discussion that moderators edit, one entry a
line, and the "Refresh now" button of the Akismet card on the admin's index.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from . import services
from .models import AkismetAccount, DiscussionRule


@admin.register(DiscussionRule)
class DiscussionRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry_count", "updated_at"]
    fields = ["entries"]

    def has_add_permission(self, request):
        return False  # There are two lists, made by a migration.

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        services.discussion_rules_ensure()
        return super().changelist_view(request, extra_context)

    @admin.display(description="Entries")
    def entry_count(self, obj):
        return len(obj.entry_list())


@admin.register(AkismetAccount)
class AkismetAccountAdmin(admin.ModelAdmin):
    """No page of its own: the card on the admin's index shows it; this adds its button."""

    def get_model_perms(self, request):
        return {}  # Not listed on the index.

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comments.view_comment")

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:index")

    def get_urls(self):
        refresh = self.admin_site.admin_view(require_POST(self.refresh_view))
        return [path("refresh/", refresh, name="comments_akismetaccount_refresh")]

    def refresh_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        account = services.akismet_stats_refresh()
        if account.fetch_error:
            self.message_user(request, f"Akismet: {account.fetch_error}", messages.ERROR)
        elif account.fetched_at:
            self.message_user(request, "Akismet’s figures are up to date.", messages.SUCCESS)
        return redirect("admin:index")
