"""manage.py import_disqus EXPORT.xml: bring in the comments a site kept on Disqus."""

from pathlib import Path

from django.core.management.base import BaseCommand

from moving.disqus_import import DisqusImport
from moving.imports import ImportOptions

from ._progress import run_import


class Command(BaseCommand):
    help = (
        "Import the comments of a Disqus export onto the posts they were written on, matched "
        "by address (old WordPress addresses included) or identifier. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The XML file Disqus exported.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the report and write nothing."
        )

    def handle(self, *args, **options):
        run = DisqusImport(options["export"], options=ImportOptions(dry_run=options["dry_run"]))
        run_import(self, run, unit="comment")
