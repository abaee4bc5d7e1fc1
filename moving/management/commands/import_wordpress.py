"""manage.py import_wordpress EXPORT.xml: bring in a WordPress site from its export file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from moving.imports import ImportOptions
from moving.wordpress_import import WordPressImport

from ._progress import run_import


class Command(BaseCommand):
    help = (
        "Import posts, comments, tags and authors from a WordPress export (Tools → Export → "
        "All content). Safe to run again: only what is new is added."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The WXR file WordPress exported.")
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="Give every post to this user rather than to the export's authors.",
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of the old site's wp-content/uploads: images are copied from it.",
        )
        parser.add_argument(
            "--fetch-media",
            action="store_true",
            help="Download images not found in --media-dir from the old site.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the report and write nothing."
        )

    def handle(self, *args, **options):
        author = None
        if options["author"]:
            author = get_user_model().objects.filter(username=options["author"]).first()
            if author is None:
                raise CommandError(f"There is no user “{options['author']}”.")
        media_dir = options["media_dir"]
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"{media_dir} is not a folder.")
        run = WordPressImport(
            options["export"],
            options=ImportOptions(
                author=author,
                media_dir=media_dir,
                fetch_media=options["fetch_media"],
                dry_run=options["dry_run"],
            ),
        )
        run_import(self, run, unit="item")
