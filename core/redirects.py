"""The site's redirects from old addresses: the one place that adds them and reads them.

Posts add one when an edit moves them (blog.addresses), an importer for each address of
the site it replaces, staff by hand in the admin. Whoever adds one, every redirect leads
straight to a page: adding old → new points the redirects that led to `old` at `new`, so
no visitor follows a chain, and drops the one leading away from `new`, so moving a page
back to where it was never loops.
"""

from django.db import transaction

from .models import Redirect


def add_redirect(old_path: str, new_path: str) -> Redirect | None:
    """Send visitors of `old_path` to `new_path` from now on; None when they are the same."""
    if old_path == new_path:
        return None
    with transaction.atomic():
        Redirect.objects.filter(old_path=new_path).delete()
        Redirect.objects.filter(new_path=old_path).update(new_path=new_path)
        redirect, _ = Redirect.objects.update_or_create(
            old_path=old_path, defaults={"new_path": new_path}
        )
    return redirect


def redirect_target(path: str) -> str | None:
    """Where a visitor of `path` goes instead, if anywhere: one query, on a unique index."""
    if "\x00" in path:  # Never stored, and PostgreSQL refuses it in a query.
        return None
    return Redirect.objects.filter(old_path=path).values_list("new_path", flat=True).first()
