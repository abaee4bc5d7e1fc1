"""Site-wide rows: when the public site last changed and what changed (see
core.pagecache), and the redirects from old addresses (see core.redirects)."""

from django.core.exceptions import ValidationError
from django.db import models


class PublicChange(models.Model):
    """When the public site last changed (a post published, edited or removed, a tag
    renamed, a comment approved, edited or taken down), and the count of such changes.

    The count orders every change: a page rendered when it stood at N shows every change
    up to N. It lives in the database, not the cache, so every server agrees on it
    without Redis. One row, id 1.
    """

    changed_at = models.DateTimeField()
    sequence = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "public change"
        ordering = ["pk"]

    def __str__(self):
        return f"Public site changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class PageStamp(models.Model):
    """The last change to one thing pages show, by key: "post:12" (that post's page),
    "posts" (which posts the lists hold), "site" (everything).

    `sequence` is PublicChange's count when it changed: a cached page that shows it is
    current while every stamp it depends on is at or below the count it was rendered at.
    The apps name the keys; core.pagecache knows only "site".
    """

    key = models.CharField(max_length=100, primary_key=True)
    sequence = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "page stamp"
        ordering = ["key"]

    def __str__(self):
        return f"{self.key} changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"


def validate_site_path(value: str) -> None:
    """An address on this site, as browsers ask for it: "/2024/05/06/a-post/"."""
    if not value.startswith("/") or value.startswith("//"):
        raise ValidationError("Enter an address on this site, starting with one “/”.")


def validate_redirect_target(value: str) -> None:
    """An address on this site, or a full http(s) URL elsewhere."""
    if not value.startswith(("http://", "https://")):
        validate_site_path(value)


class Redirect(models.Model):
    """An old address that answers 301 to a new one, when nothing else answers it.

    Posts add one when their address changes (blog.addresses), importers for the
    addresses of the site they replace, and staff by hand in the admin. core.redirects
    keeps them free of chains and loops.
    """

    old_path = models.CharField(
        "old address",
        max_length=500,
        unique=True,
        validators=[validate_site_path],
        help_text="The address that no longer works, from its first “/”: /2024/05/06/a-post/.",
    )
    new_path = models.CharField(
        "new address",
        max_length=500,
        # Looked up when a chain is collapsed, for every redirect added.
        db_index=True,
        validators=[validate_redirect_target],
        help_text="Where visitors go instead: an address on this site, or a full URL.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "redirect"
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def clean(self):
        if self.old_path and self.old_path == self.new_path:
            raise ValidationError({"new_path": "The new address must differ from the old one."})
