"""Delete old revisions of posts. The task worker does it each night
(blog.tasks.revisions_prune); this runs it now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from blog.revisions import prune_revisions


class Command(BaseCommand):
    help = (
        "Delete revisions of posts older than BLOG_REVISIONS_KEEP_DAYS and past the newest "
        "BLOG_REVISIONS_KEEP_COUNT of each post (0: no limit). Each post's newest is kept."
    )

    def handle(self, *args, **options):
        days, count = settings.BLOG_REVISIONS_KEEP_DAYS, settings.BLOG_REVISIONS_KEEP_COUNT
        if not (days or count):
            self.stdout.write(
                "Revisions are kept for ever (BLOG_REVISIONS_KEEP_DAYS and "
                "BLOG_REVISIONS_KEEP_COUNT are 0): none deleted."
            )
            return
        deleted = prune_revisions()
        kept = [f"the newest {count} of each post" if count else None]
        kept.append(f"none older than {days} days" if days else None)
        self.stdout.write(
            f"Deleted {deleted} old revision(s) of posts; kept "
            f"{', '.join(rule for rule in kept if rule)}, and each post's newest in any case."
        )
