from datetime import datetime

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from core import registry

        from . import stamps

        Post = self.get_model("Post")

        def newest_published(now: datetime):
            posts = Post.objects.published(now=now)
            return posts.order_by("-published_at").values("published_at")[:1]

        # A scheduled post appears on its own, with no save, when its time comes.
        # It changes what the lists hold, and the next link of the newest post before it,
        # whose page shows the lists' key for that reason (blog.stamps).
        registry.register_timed_change(
            "post-published", passed=newest_published, shown_under=stamps.LISTS
        )
        registry.register_page_settings(BLOG_POSTS_PER_PAGE=lambda: settings.BLOG_POSTS_PER_PAGE)
        registry.register_robots(disallow=("blog:search",), sitemaps=("blog:sitemap",))
        registry.register_layout_links(
            home="blog:home",
            archive="blog:archive",
            search="blog:search",
            feed_atom="blog:feed-atom",
            feed_rss="blog:feed-rss",
        )
        registry.register_local_account("editor", "Editor", "Editors")

        # The nightly prune of old revisions is a task that enqueues its next run: every
        # migrate (each deploy, `make run`) makes sure one is waiting.
        post_migrate.connect(_schedule_periodic, sender=self, dispatch_uid="blog-periodic")


def _schedule_periodic(*, using, **kwargs):
    from .tasks import revisions_prune_schedule

    if using == "default":
        revisions_prune_schedule()
