"""The release identifier that cached pages and validators are kept under.

Every server running the same release must build the same cache keys and ETags (so an
ETag from one server gives a 304 on another, and Redis keeps one copy of each page), and
every release or change of a page-shaping setting must renew them. File times give
neither: two checkouts of one commit differ, and a deploy of Python code alone changes no
template. So the identifier is DJANGO_RELEASE when the deploy sets it (a commit id, say),
else a hash of the deployed code's contents; either way mixed with the values of the
settings that shape pages, as the apps registered them (see core.registry).
"""

import hashlib
from functools import cache
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

from .. import registry

# What a deploy changes that shows on a page: code, templates, styles, scripts, data.
CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".xsl", ".css", ".js", ".svg", ".json"}


def release_id() -> str:
    """A short identifier of the code and the page-shaping settings this server runs.

    Computed once per process; under DEBUG afresh each time, as runserver picks up
    template edits without a restart.
    """
    return _compute_release_id() if settings.DEBUG else _release_id_once()


def _compute_release_id() -> str:
    digest = hashlib.blake2b(digest_size=12)
    digest.update((settings.RELEASE or code_hash()).encode())
    for label in sorted(registry.page_settings):
        digest.update(f"\n{label}={registry.page_settings[label]()!r}".encode())
    return digest.hexdigest()


_release_id_once = cache(_compute_release_id)


def code_hash() -> str:
    """A hash of the contents of the project's own code, templates and static files, and
    of the Django version and the pinned requirements."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    for path in _code_files(base):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _code_files(base: Path) -> list[Path]:
    folders = {Path(app.path) for app in apps.get_app_configs()}
    folders.add(Path(__import__(settings.ROOT_URLCONF.rpartition(".")[0]).__file__).parent)
    folders.update(Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"])
    folders.update(Path(folder) for folder in settings.STATICFILES_DIRS)
    # Only the project's own folders: installed packages are covered by the requirements.
    folders = {folder for folder in folders if folder.is_relative_to(base)}
    files = {
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file()
    }
    requirements = base / "requirements.txt"
    if requirements.is_file():
        files.add(requirements)
    return sorted(files)
