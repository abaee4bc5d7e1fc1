"""Site-wide pages that belong to no app."""

from django.urls import reverse
from django.views.generic import TemplateView

from . import registry


class RobotsTxtView(TemplateView):
    """robots.txt, from what the apps registered (core.registry.register_robots)."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            disallowed=[reverse("admin:index")]
            + [reverse(name) for name in registry.robots_disallowed],
            sitemaps=[
                self.request.build_absolute_uri(reverse(name)) for name in registry.robots_sitemaps
            ],
            **kwargs,
        )
