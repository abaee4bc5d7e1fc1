"""Create the local development accounts and print their credentials.

Passwords are generated once and kept in a git-ignored file, so every `make run` prints
the same working credentials. Refuses to run unless DEBUG is on.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import registry

SUPERUSER = registry.LocalAccount("admin", "Admin", None)


def local_accounts() -> list[registry.LocalAccount]:
    """The superuser, then one account per staff role that the apps registered."""
    return [SUPERUSER, *registry.local_accounts.values()]


class Command(BaseCommand):
    help = (
        "Local development only: create the admin, editor and moderator accounts with "
        "passwords kept in .local-admin, and print them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="The port in the printed URL.")
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=None,
            help="Where the passwords are kept (default: .local-admin in the project folder).",
        )

    def handle(self, *args, port, credentials_file, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin is for local development and needs DJANGO_DEBUG=1. "
                "In production, use `manage.py createsuperuser`."
            )
        path = credentials_file or Path(settings.BASE_DIR) / ".local-admin"
        passwords = read_passwords(path)
        accounts = local_accounts()
        for account in accounts:
            passwords.setdefault(account.username, secrets.token_urlsafe(12))
        write_passwords(path, passwords)

        with transaction.atomic():
            for account in accounts:
                ensure_account(account.username, passwords[account.username], account.group)

        url = f"http://127.0.0.1:{port}/admin/"
        for account in accounts:
            username, label = account.username, account.label
            self.stdout.write(
                f"{label + ':':<11}{url}  username: {username}  password: {passwords[username]}"
            )


def read_passwords(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (ValueError, OSError) as error:
        raise CommandError(f"{path} is unreadable ({error}); delete it to start over.") from None


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.write_text(json.dumps(passwords, indent=2) + "\n")
    path.chmod(0o600)


def ensure_account(username: str, password: str, group_name: str | None) -> None:
    """Create the account, or bring it back to the stored password and its role."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@localhost"}
    )
    user.is_active = True
    user.is_staff = True
    user.is_superuser = group_name is None
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
