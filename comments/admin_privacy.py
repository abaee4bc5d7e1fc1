"""The admin's personal-data actions, as WordPress's privacy tools: by the authors' email
addresses, for every comment each has made. Administrators only, as in WordPress."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.template.response import TemplateResponse

from . import privacy


def _author_emails(queryset) -> list[str]:
    """The distinct addresses behind the selected comments, in lower case."""
    emails = queryset.exclude(author_email="").values_list(Lower("author_email"), flat=True)
    return sorted(set(emails))


class PersonalDataActionsMixin:
    """Export and erase the personal data of the selected comments' authors."""

    def has_privacy_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Export the authors’ personal data (JSON)", permissions=["privacy"])
    def export_personal_data(self, request, queryset):
        emails = _author_emails(queryset)
        if not emails:
            self.message_user(request, "These comments have no email address left to export.")
            return None
        exports = [privacy.personal_data_export(email=email) for email in emails]
        response = HttpResponse(
            json.dumps(exports, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response

    @admin.action(description="Erase the authors’ personal data…", permissions=["privacy"])
    def erase_personal_data(self, request, queryset):
        emails = _author_emails(queryset)
        if not emails:
            self.message_user(request, "These comments’ personal data is already erased.")
            return None
        if request.POST.get("confirm") == "yes":
            erased = sum(
                privacy.personal_data_erase(email=email, actor=request.user) for email in emails
            )
            self.message_user(
                request,
                f"Anonymised {erased} comment(s) by {len(emails)} commenter(s).",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase personal data?",
            "opts": self.model._meta,
            "authors": [(email, privacy.comment_count(email=email)) for email in emails],
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/comments/comment/erase_personal_data.html", context)
