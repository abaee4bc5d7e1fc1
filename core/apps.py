from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from . import registry

        # What every page shows, whichever app renders it (see core.context_processors).
        registry.register_page_settings(
            **{
                name: (lambda name=name: getattr(settings, name))
                for name in (
                    "SITE_URL",
                    "SITE_NAME",
                    "SITE_DESCRIPTION",
                    "SITE_LANGUAGE",
                    "LANGUAGE_CODE",
                    "TIME_ZONE",
                    "STATIC_URL",
                    "MEDIA_URL",
                    "SECURE_CSP",
                    "DEBUG",
                )
            },
            MEDIA_STORAGE=lambda: settings.STORAGES["default"],
        )
