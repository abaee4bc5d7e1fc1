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
    add_redirects([old_path], new_path)
    return Redirect.objects.get(old_path=old_path)


def add_redirects(old_paths, new_path: str, *, keep_existing: bool = False) -> None:
    """Send visitors of each of `old_paths` to `new_path`, in a few queries however many.
    With `keep_existing`, an old path that already leads somewhere keeps leading there:
    an importer's two old pages that shared an address leave it to the first."""
    old_paths = [path for path in dict.fromkeys(old_paths) if path != new_path]
    if not old_paths:
        return
    with transaction.atomic():
        Redirect.objects.filter(old_path=new_path).delete()
        existing = set(
            Redirect.objects.filter(old_path__in=old_paths).values_list("old_path", flat=True)
        )
        moving = [path for path in old_paths if not (keep_existing and path in existing)]
        Redirect.objects.filter(new_path__in=moving).update(new_path=new_path)
        Redirect.objects.filter(old_path__in=[p for p in moving if p in existing]).update(
            new_path=new_path
        )
        Redirect.objects.bulk_create(
            [Redirect(old_path=path, new_path=new_path) for path in moving if path not in existing]
        )


# WordPress answers these at its front page (/?p=12) for any post, page or category, and
# importers store them as old addresses, query and all.
QUERY_ADDRESS_KEYS = ("p", "page_id", "cat")


def query_address(query) -> str | None:
    """The old address stored for a front-page query such as /?p=12, if `query` (a
    QueryDict) is one; None otherwise."""
    for key in QUERY_ADDRESS_KEYS:
        value = query.get(key, "")
        if value.isdecimal() and len(value) < 19:
            return f"/?{key}={int(value)}"
    return None


def redirect_target(path: str) -> str | None:
    """Where a visitor of `path` goes instead, if anywhere: one query, on a unique index."""
    if "\x00" in path:  # Never stored, and PostgreSQL refuses it in a query.
        return None
    return Redirect.objects.filter(old_path=path).values_list("new_path", flat=True).first()
