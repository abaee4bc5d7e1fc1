from datetime import datetime

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate, post_save


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from core import registry
        from core.pagecache import public_change_noted

        Post = self.get_model("Post")

        # Any save of a post or tag may show on public pages. (A draft's edit does not,
        # but editors save seldom enough not to matter.)
        for model in (Post, Tag, TaggedItem):
            post_save.connect(public_change_noted, sender=model, dispatch_uid=f"fresh-{model}")
            post_delete.connect(
                public_change_noted, sender=model, dispatch_uid=f"fresh-del-{model}"
            )

        def newest_published(now: datetime):
            return (
                Post.objects.published(now=now).order_by("-published_at").values("published_at")[:1]
            )

        def next_scheduled(now: datetime):
            return (
                Post.objects.scheduled(now=now).order_by("published_at").values("published_at")[:1]
            )

        # A scheduled post appears on its own, with no save, when its time comes.
        registry.register_timed_change(
            "post-published", passed=newest_published, upcoming=next_scheduled
        )
        registry.register_page_settings(BLOG_POSTS_PER_PAGE=lambda: settings.BLOG_POSTS_PER_PAGE)
        registry.register_robots(disallow=("blog:search",), sitemaps=("blog:sitemap",))
        registry.register_local_account("editor", "Editor", "Editors")

        # The nightly prune of old revisions is a task that enqueues its next run: every
        # migrate (each deploy, `make run`) makes sure one is waiting.
        post_migrate.connect(_schedule_periodic, sender=self, dispatch_uid="blog-periodic")


def _schedule_periodic(*, using, **kwargs):
    from .tasks import revisions_prune_schedule

    if using == "default":
        revisions_prune_schedule()
