from django.contrib import admin
from django.db import transaction

from .admin_guard import GuardedAdminMixin
from .models import Redirect
from .redirects import add_redirect


@admin.register(Redirect)
class RedirectAdmin(GuardedAdminMixin, admin.ModelAdmin):
    """Old addresses that answer 301 to new ones: posts add theirs when they move, and
    staff may add any by hand (to keep an old site's links working, say)."""

    list_display = ["old_path", "arrow", "new_path", "created_at"]
    search_fields = ["old_path", "new_path"]
    readonly_fields = ["created_at"]
    list_per_page = 100

    @admin.display(description="")
    def arrow(self, redirect):
        return "→"

    def save_model(self, request, obj, form, change):
        # Through add_redirect, as every redirect is added, so that one typed by hand
        # collapses chains and breaks loops too.
        with transaction.atomic():
            if change:
                Redirect.objects.filter(pk=obj.pk).delete()
            saved = add_redirect(obj.old_path, obj.new_path)
        obj.pk, obj.created_at = saved.pk, saved.created_at
