"""Anonymise every comment by one commenter, by email address, as WordPress's eraser does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments import privacy


class Command(BaseCommand):
    help = (
        "Anonymise every comment made with EMAIL: the name becomes “Anonymous”; the email, "
        "website, IP address, browser, referrer and Akismet data are deleted; the text stays."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The commenter's email address (any letter case).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, email, interactive=True, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}") from None
        count = privacy.comment_count(email=email)
        if not count:
            self.stdout.write(f"No comments by {email}; nothing to erase.")
            return
        if interactive:
            question = f"Anonymise {count} comment(s) by {email}? This cannot be undone. [y/N] "
            answer = input(question)
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was erased.")
        erased = privacy.personal_data_erase(email=email)
        self.stdout.write(f"Anonymised {erased} comment(s) by {email}.")
