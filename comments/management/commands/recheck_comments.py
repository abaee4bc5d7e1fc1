"""Retry Akismet for held comments it has not answered for, and send owed reports.

The task worker does this by itself after each failure and in its hourly upkeep
(comments.tasks); this is for operators who will not wait, and for what the worker gave
up on: checks always, reports with --given-up. It takes a bounded batch, skips what is
not yet due (back-off), and stops calling Akismet once it proves unreachable.
"""

from django.core.management.base import BaseCommand

from comments import services


class Command(BaseCommand):
    help = "Recheck unchecked or failed comments with Akismet and resend owed spam/ham reports."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=50,
            help="Most comments (and most reports) to handle in one run. Default 50.",
        )
        parser.add_argument(
            "--given-up",
            action="store_true",
            help="Also resend the spam/ham reports the worker gave up on.",
        )

    def handle(self, *args, limit, given_up, **options):
        if not services.spam_checking_is_on():
            self.stdout.write("Spam checking is off (AKISMET_API_KEY is not set); nothing to do.")
            return
        if given_up:
            owed = services.reports_retry_given_up()
            self.stdout.write(f"{owed} given-up report(s) owed again.")
        summary = services.akismet_recheck_due(limit=max(limit, 1))
        self.stdout.write(
            f"Checked {summary['checked']} comment(s), {summary['failed']} failed "
            f"and will be retried, {summary['skipped']} left for the next run; "
            f"sent {summary['reported']} report(s), {summary['report_failed']} failed."
        )
