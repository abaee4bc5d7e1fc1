from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from .freshness import post_saved_or_deleted

        for model in (self.get_model("Post"), Tag, TaggedItem):
            post_save.connect(post_saved_or_deleted, sender=model, dispatch_uid=f"fresh-{model}")
            post_delete.connect(
                post_saved_or_deleted, sender=model, dispatch_uid=f"fresh-del-{model}"
            )
