"""Admin pages that refuse odd input with a message instead of a 500.

Two gaps in Django's admin: filters typed into the address that only fail when the query
runs, and selected action ids that are never validated. Every ModelAdmin of the site
mixes in GuardedAdminMixin.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import DataError


class GuardedChangeList(ChangeList):
    """Filters typed into the address that only fail when the query runs (a year 0, a date
    after 9999, an id too big for the database, a NUL) get Django's "?e=1" page, not a 500."""

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError, DataError) as error:
            raise IncorrectLookupParameters(error) from error


class GuardedAdminMixin:
    """Odd filters and selected ids that are not ids are refused with a message, not a 500."""

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def response_action(self, request, queryset, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(self._is_primary_key(value) for value in selected):
            self.message_user(
                request, "Some selected items do not exist. Nothing was changed.", messages.WARNING
            )
            return None
        return super().response_action(request, queryset, **kwargs)

    def _is_primary_key(self, value):
        try:
            pk = self.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return not isinstance(pk, int) or 0 < pk < 2**63
