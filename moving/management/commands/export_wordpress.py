"""manage.py export_wordpress > site.xml: the site as a WordPress export file (WXR 1.2)."""

from django.core.management.base import BaseCommand

from moving.wordpress_export import export_wordpress


class Command(BaseCommand):
    help = (
        "Write every post, tag, author and comment as a WordPress export (WXR 1.2), which "
        "WordPress's importer and this site's import_wordpress both read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-spam", action="store_true", help="Export comments marked as spam too."
        )
        parser.add_argument("--output", "-o", help="Write to this file rather than to stdout.")

    def handle(self, *args, **options):
        pieces = export_wordpress(include_spam=options["include_spam"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                output.writelines(pieces)
            self.stderr.write(f"Exported to {options['output']}.")
        else:
            for piece in pieces:
                self.stdout.write(piece, ending="")
