"""The one row that says when the public site last changed (see core.pagecache)."""

from django.db import models


class PublicChange(models.Model):
    """When the public site last changed: a post published, edited or removed, a tag
    renamed, a comment approved, edited or taken down.

    Readers' browsers revalidate pages against it, and cached pages are kept under it.
    It lives in the database, not the cache, so every server agrees on it without Redis.
    """

    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "public change"
        ordering = ["pk"]

    def __str__(self):
        return f"Public site changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"
