"""Check the Akismet key and blog URL with Akismet's verify-key."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments import services


class Command(BaseCommand):
    help = "Check that Akismet accepts AKISMET_API_KEY for AKISMET_BLOG_URL."

    def handle(self, *args, **options):
        if not services.spam_checking_is_on():
            raise CommandError(
                "AKISMET_API_KEY is not set: spam checking is off and every comment "
                "waits for a moderator. Get a key at https://akismet.com."
            )
        try:
            valid = services.akismet_key_is_valid()
        except services.SpamCheckError as error:
            raise CommandError(
                f"Could not reach Akismet at {settings.AKISMET_API_URL}: {error}"
            ) from error
        if not valid:
            raise CommandError(
                f"Akismet rejected the key for {settings.AKISMET_BLOG_URL}. Check "
                "AKISMET_API_KEY and that AKISMET_BLOG_URL is the site registered with it."
            )
        self.stdout.write(
            self.style.SUCCESS(f"The Akismet key is valid for {settings.AKISMET_BLOG_URL}.")
        )
