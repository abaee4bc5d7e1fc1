"""Export everything stored about one commenter's comments, as JSON, by email address."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments import privacy


class Command(BaseCommand):
    help = (
        "Print (or write to --output) a JSON file of every comment made with EMAIL, with "
        "everything stored about each: for a commenter's request to see their data."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The commenter's email address (any letter case).")
        parser.add_argument("--output", "-o", help="Write the JSON to this file.")

    def handle(self, *args, email, output=None, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}") from None
        data = privacy.personal_data_export(email=email)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if not output:
            self.stdout.write(text)
            return
        with open(output, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        self.stderr.write(f"Wrote {len(data['comments'])} comment(s) by {email} to {output}.")
