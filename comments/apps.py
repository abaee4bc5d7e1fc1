from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from .checks import check_akismet_key
        from .signals import comment_changed

        checks.register(check_akismet_key)
        Comment = self.get_model("Comment")
        post_save.connect(comment_changed, sender=Comment, dispatch_uid="fresh-comment")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="fresh-comment-del")
