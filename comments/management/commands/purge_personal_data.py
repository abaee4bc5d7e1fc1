"""Delete the IP address, browser and referrer of old comments. The task worker does it
each night (comments.tasks.retention_purge); this runs it now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from comments import services


class Command(BaseCommand):
    help = (
        "Delete the IP address, user agent and referrer of comments older than "
        "COMMENTS_PERSONAL_DATA_RETENTION_DAYS, expired rate-limit records, and readers' "
        "reports as old."
    )

    def handle(self, *args, **options):
        summary = services.personal_data_purge()
        self.stdout.write(
            f"Deleted the IP address, browser and referrer of {summary['comments']} "
            f"comment(s) older than {settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS} days, "
            f"{summary['attempts']} expired rate-limit record(s), and {summary['reports']} "
            "reader report(s) as old."
        )
