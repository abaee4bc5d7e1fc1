from django.apps import AppConfig


class MovingConfig(AppConfig):
    """Moving in and out: import a WordPress (WXR) or Disqus export, export to WordPress,
    and keep the old site's addresses answering."""

    name = "moving"
    verbose_name = "Moving in and out"
