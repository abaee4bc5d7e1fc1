"""Delete old spam and forget the data kept for Akismet, as WordPress does after 15 days.
The task worker does it each night (comments.tasks.retention_purge); this runs it now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from comments import services


class Command(BaseCommand):
    help = (
        "Delete spam older than COMMENTS_SPAM_RETENTION_DAYS and clear Akismet data "
        "older than COMMENTS_AKISMET_DATA_RETENTION_DAYS."
    )

    def handle(self, *args, **options):
        summary = services.spam_purge()
        self.stdout.write(
            f"Deleted {summary['spam_deleted']} spam comment(s) older than "
            f"{settings.COMMENTS_SPAM_RETENTION_DAYS} days; cleared Akismet data of "
            f"{summary['params_cleared']} comment(s) older than "
            f"{settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS} days."
        )
