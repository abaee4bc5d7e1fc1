from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = (
        "Refresh the database's statistics, so its query planner picks the right index "
        "(for example, a tag's few posts rather than every post). Run it daily from cron; "
        "PostgreSQL's autovacuum does this too, SQLite has nothing like it."
    )

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Statistics refreshed ({connection.vendor}).")
