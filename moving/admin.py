"""Imports and the export in the admin: for staff with the "can import" permission.

An upload becomes an ImportRun, which the task worker imports (moving.tasks); its page
shows the progress while it runs and the report when it ends. The list's "Export to
WordPress" button downloads the whole site as a WXR file.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from core.admin_guard import GuardedAdminMixin
from core.tasks import enqueue_on_commit

from .models import ImportRun
from .wordpress_export import export_wordpress

PERMISSION = "moving.import_content"
# The largest upload taken: WordPress's own importer stops far below this.
UPLOAD_MAX_BYTES = 512 * 1024 * 1024


class ImportRunForm(forms.ModelForm):
    class Meta:
        model = ImportRun
        fields = ["format", "export_file", "author"]
        labels = {"export_file": "Export file"}
        help_texts = {
            "export_file": (
                "WordPress: Tools → Export → All content. Disqus: Admin → Moderation → "
                "Export. The file is deleted once imported."
            ),
        }

    def clean_export_file(self):
        upload = self.cleaned_data["export_file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError("The file is over 512 MB: import it with manage.py.")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(GuardedAdminMixin, admin.ModelAdmin):
    form = ImportRunForm
    list_display = ["__str__", "state", "started_by", "created_at"]
    list_filter = ["format", "status"]
    change_list_template = "admin/moving/importrun/change_list.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "author":
            # Posts go to someone who writes here; no "add a user" or "edit" icons.
            formfield.queryset = formfield.queryset.filter(is_staff=True, is_active=True)
            formfield.widget = getattr(formfield.widget, "widget", formfield.widget)
            formfield.empty_label = "The export’s own authors"
        return formfield

    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    @admin.display(description="status", ordering="status")
    def state(self, run):
        # One column, not a status and a progress: the list fits a phone.
        if run.status == ImportRun.Status.RUNNING:
            return f"{run.get_status_display()} ({run.percent_done}%)"
        return run.get_status_display()

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="moving_export_wordpress",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        obj.started_by = request.user
        obj.original_name = form.cleaned_data["export_file"].name[:255]
        super().save_model(request, obj, form, change)
        enqueue_on_commit("moving.tasks.import_run", obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, "The export was uploaded: the import starts in a moment.")
        return HttpResponseRedirect(obj.admin_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run's page: progress while the worker imports, the report at the end."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(ImportRun, pk=object_id) if object_id.isdecimal() else None
        if run is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(run),
            "run": run,
            "waiting": run.status in (ImportRun.Status.WAITING, ImportRun.Status.RUNNING),
        }
        return TemplateResponse(request, "admin/moving/importrun/run.html", context)

    def export_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        include_spam = request.GET.get("spam") == "1"
        response = StreamingHttpResponse(
            export_wordpress(include_spam=include_spam), content_type="application/xml"
        )
        name = f"marginalia-{timezone.localdate():%Y-%m-%d}.xml"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
