"""System checks for the comments app."""

from django.conf import settings
from django.core.checks import Warning


def check_akismet_key(app_configs, **kwargs):
    """Warn when a live site (DEBUG off) has no Akismet key: every comment is held unchecked."""
    if settings.DEBUG or settings.AKISMET_API_KEY:
        return []
    return [
        Warning(
            "AKISMET_API_KEY is not set, so comments are not checked for spam.",
            hint=(
                "Set AKISMET_API_KEY (from https://akismet.com) and run "
                "`manage.py akismet_verify`. Until then every comment waits for a moderator."
            ),
            id="comments.W001",
        )
    ]
