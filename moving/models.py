"""Where imported content came from, and the imports run from the admin."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from blog.models import Post
from comments.models import Comment


def export_file_name(run, filename: str) -> str:
    """Where an upload waits for the worker: the media storage is public (its images are
    the pages'), and an export holds commenters' emails, so its folder cannot be guessed."""
    return f"imports/{secrets.token_urlsafe(24)}/export.xml"


class Origin(models.Model):
    """An object brought in from another site: which site, and its id there.

    Importing the same export twice, or a newer export of the same site, looks each item
    up here first, so only what is new is added.
    """

    class Kind(models.TextChoices):
        POST = "post", "Post"
        COMMENT = "comment", "Comment"
        AUTHOR = "author", "Author"

    # "wordpress:https://example.blog/" or "disqus:forum-name": the system and the site.
    source = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind)
    source_id = models.CharField("id at the source", max_length=100)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="origin_one_per_source_id"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="post", post__isnull=False, comment__isnull=True, user__isnull=True)
                    | Q(kind="comment", post__isnull=True, comment__isnull=False, user__isnull=True)
                    | Q(kind="author", post__isnull=True, comment__isnull=True, user__isnull=False)
                ),
                name="origin_points_at_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.source_id} of {self.source}"


class ImportRun(models.Model):
    """An export uploaded in the admin and imported by the task worker."""

    class Format(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress (WXR)"
        DISQUS = "disqus", "Disqus"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    format = models.CharField(max_length=10, choices=Format, default=Format.WORDPRESS)
    # Kept in the media storage, so a worker on another server can read it.
    export_file = models.FileField(upload_to=export_file_name)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="give every post to",
        help_text="Or keep the export's own authors, who come in as inactive users.",
    )
    done_count = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(default=0)
    # moving.report.ImportReport.as_dict(), for the page to show when the import ends.
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "import"
        ordering = ["-created_at", "-id"]
        permissions = [("import_content", "Can import and export the site's posts and comments")]

    def __str__(self):
        return f"{self.get_format_display()} import of {self.original_name or self.export_file}"

    @property
    def admin_url(self) -> str:
        return reverse("admin:moving_importrun_change", args=[self.pk])

    @property
    def percent_done(self) -> int:
        if not self.total_count:
            return 0
        return min(100, round(100 * self.done_count / self.total_count))
