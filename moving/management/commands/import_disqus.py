"""manage.py import_disqus EXPORT.xml: bring in the comments a site kept on Disqus."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moving.disqus_import import DisqusImport
from moving.imports import ImportOptions, ImportRefused

from ._progress import progress_bar


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
        with progress_bar(enabled=sys.stderr.isatty(), unit="comment") as advance:
            run.progress = advance
            try:
                report = run.run()
            except ImportRefused as refused:
                raise CommandError(f"Nothing was imported. {refused}") from refused
        for line in report.lines():
            self.stdout.write(line)
