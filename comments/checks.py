"""System checks for the comments app."""

from django.conf import settings
from django.core.checks import Info

from . import services


def check_akismet_key(app_configs, **kwargs):
    """Say when a live site (DEBUG off) has no Akismet key: every comment is held unchecked.

    Information, not a warning: a site may choose to moderate every comment by hand, and
    `check --deploy --fail-level WARNING` must pass on a site configured that way.
    """
    if settings.DEBUG or services.spam_checking_is_on():
        return []
    return [
        Info(
            "AKISMET_API_KEY is not set, so comments are not checked for spam.",
            hint=(
                "Set AKISMET_API_KEY (from https://akismet.com) and run "
                "`manage.py akismet_verify`. Until then every comment waits for a moderator."
            ),
            id="comments.I001",
        )
    ]
