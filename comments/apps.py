from django.apps import AppConfig
from django.core import checks


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from .checks import check_akismet_key

        checks.register(check_akismet_key)
