"""Posts: articles and link posts ("reblogs") that quote a passage from a source."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from core.markup import LineBreaks, plain_text, render_markdown, without_control_characters

from . import addresses, stamps, webmentions
from .images import validate_image


class PostQuerySet(models.QuerySet):
    def published(self, *, now: datetime | None = None) -> "PostQuerySet":
        """Posts a visitor may see: published, and not scheduled for later."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def drafts(self) -> "PostQuerySet":
        return self.filter(status=Post.Status.DRAFT)

    def scheduled(self, *, now: datetime | None = None) -> "PostQuerySet":
        """Posts that will go live by themselves when their publish date comes."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=now or timezone.now())

    def for_listing(self) -> "PostQuerySet":
        """What a list of posts shows: author and tags in two queries, whatever the page size."""
        return self.select_related("author").prefetch_related("tags")

    def tagged(self, tag) -> "PostQuerySet":
        """Posts with `tag`. An EXISTS, not a join, so the database walks the posts newest
        first and stops after a page, instead of sorting every post with the tag."""
        from taggit.models import TaggedItem

        return self.filter(
            Exists(
                TaggedItem.objects.filter(
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id=OuterRef("pk"),
                    tag=tag,
                )
            )
        )

    def published_at_address(self, *, day: date, slug: str) -> "Post | None":
        """The published post at /day/slug/, with its author and tags, as its page shows
        it; None if there is none. Two queries written out, for the reason
        `neighbours` gives: the ORM's lookup, author and prefetched tags cost a page
        more than anything else it does."""
        from django.contrib.auth import get_user_model
        from taggit.models import Tag, TaggedItem

        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        adapt = connections[self.db].ops.adapt_datetimefield_value
        user_model = get_user_model()
        author_fields = [user_model._meta.pk.attname, user_model.USERNAME_FIELD, "first_name"]
        author_fields.append("last_name")
        post_columns = ", ".join(f"p.{field.column}" for field in Post._meta.concrete_fields)
        author_columns = ", ".join(
            f"u.{user_model._meta.get_field(name).column} AS author_{index}"
            for index, name in enumerate(author_fields)
        )
        sql = (
            f"SELECT {post_columns}, {author_columns} FROM {Post._meta.db_table} p "
            f"JOIN {user_model._meta.db_table} u ON u.{user_model._meta.pk.column} = p.author_id "
            "WHERE p.slug = %s AND p.status = %s AND p.published_at >= %s "
            "AND p.published_at < %s AND p.published_at <= %s LIMIT 1"
        )
        params = [slug, Post.Status.PUBLISHED, adapt(start), adapt(end), adapt(timezone.now())]
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is None:
                return None
            post_fields = Post._meta.concrete_fields
            # Each column as the ORM would read it: SQLite's text dates become datetimes.
            values = _from_db_values(post_fields, row, connection)
            found = Post.from_db(self.db, [field.attname for field in post_fields], values)
            found.author = user_model.from_db(self.db, author_fields, row[len(post_fields) :])
            cursor.execute(
                f"SELECT t.id, t.name, t.slug FROM {Tag._meta.db_table} t "
                f"JOIN {TaggedItem._meta.db_table} i ON i.tag_id = t.id "
                "WHERE i.object_id = %s AND i.content_type_id = %s ORDER BY i.id",
                [found.pk, ContentType.objects.get_for_model(Post).pk],
            )
            tags = [Tag.from_db(self.db, ["id", "name", "slug"], tag) for tag in cursor]
        # As prefetch_related("tags") leaves them, so `post.tags.all` reads no more.
        prefetched = Tag.objects.none()
        prefetched._result_cache, prefetched._prefetch_done = tags, True
        found._prefetched_objects_cache = {"tags": prefetched}
        return found

    def neighbours(self, post) -> tuple["Post | None", "Post | None"]:
        """The published posts just before and just after `post` by publish date:
        (previous, next). They are links on its page, so only what a link shows is
        loaded, in one query written out: built by the ORM, the two lookups cost twenty
        times their SQL, on every post page rendered."""
        table = Post._meta.db_table
        columns = "id, title, slug, published_at"
        # Each side wrapped in its own SELECT: SQLite allows no ORDER BY or LIMIT in the
        # arms of a UNION.
        side = (
            f"SELECT * FROM (SELECT {columns}, %s AS side FROM {table} "
            "WHERE status = %s AND published_at <= %s AND published_at {compare} %s "
            "ORDER BY published_at {order}, id {order} LIMIT 1) AS {name}"
        )
        sql = " UNION ALL ".join(
            [
                side.format(compare="<", order="DESC", name="previous"),
                side.format(compare=">", order="ASC", name="following"),
            ]
        )
        adapt = connections[self.db].ops.adapt_datetimefield_value
        now, published_at = adapt(timezone.now()), adapt(post.published_at)
        status = Post.Status.PUBLISHED
        params = [0, status, now, published_at, 1, status, now, published_at]
        connection = connections[self.db]
        link_fields = [Post._meta.get_field(name) for name in ("id", "title", "slug")]
        link_fields.append(Post._meta.get_field("published_at"))
        names = [field.attname for field in link_fields]
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for *values, side in cursor:
                values = _from_db_values(link_fields, values, connection)
                found[side] = Post.from_db(self.db, names, values)
        return found.get(0), found.get(1)

    def search(self, query: str) -> "PostQuerySet":
        """Posts whose title, body or excerpt contain every word of `query` (ten at most)."""
        terms = query.replace("\x00", "").split()[:10]
        matches = self
        for term in terms:
            matches = matches.filter(
                models.Q(title__icontains=term)
                | models.Q(body__icontains=term)
                | models.Q(excerpt__icontains=term)
            )
        return matches


def _from_db_values(fields, row, connection) -> list:
    """The values of `row`, read by a cursor from `fields`' columns, as a queryset would
    give them (SQLite's text dates become datetimes)."""
    return [
        _convert(value, field.cached_col, connection, _converters(connection.alias, field))
        for field, value in zip(fields, row, strict=False)
    ]


def _convert(value, column, connection, converters):
    for converter in converters:
        value = converter(value, column, connection)
    return value


_converters_of: dict = {}


def _converters(alias: str, field) -> list:
    """`field`'s converters on database `alias`, found once per process."""
    key = (alias, field)
    if key not in _converters_of:
        connection = connections[alias]
        column = field.cached_col
        converters = connection.ops.get_db_converters(column)
        _converters_of[key] = converters + column.get_db_converters(connection)
    return _converters_of[key]


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255,
        unique_for_date="published_at",
        help_text="The last part of the post's address. Filled in from the title.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField(
        blank=True, help_text="Your own text, in Markdown. For a link post, your commentary."
    )
    excerpt = models.TextField(
        blank=True,
        help_text="The passage quoted from the source, in Markdown. Shown as a quotation.",
    )
    source_url = models.URLField("source URL", max_length=500, blank=True)
    source_title = models.CharField(
        max_length=255, blank=True, help_text="Title of the article you link to."
    )
    source_name = models.CharField(
        max_length=255, blank=True, help_text="Name of the site, e.g. “The Guardian”."
    )
    summary = models.TextField(
        blank=True,
        help_text="Optional short text for the home page, feeds and link previews.",
    )
    tags = TaggableManager(blank=True, help_text="A comma-separated list of tags.")
    image = models.ImageField(
        "featured image",
        upload_to="posts/%Y/%m/",
        blank=True,
        validators=[validate_image],
        width_field="image_width",
        height_field="image_height",
        help_text="Optional. A JPEG, PNG, GIF or WebP image.",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image description",
        max_length=255,
        blank=True,
        help_text="Describe the image for readers who cannot see it.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        db_index=True,
        help_text="A date in the future schedules the post.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(default=True)
    # Rendered once when saved, so that no page or feed renders Markdown per request.
    body_html = models.TextField(editable=False, blank=True)
    excerpt_html = models.TextField(editable=False, blank=True)
    # The words of both, without markup: what the full-text index holds (blog.search).
    search_text = models.TextField(editable=False, blank=True)
    # How many browsers like the post, counted again with each like (blog.likes): read
    # with the post, so its page costs no query for it.
    like_count = models.PositiveIntegerField("likes", default=0, editable=False)

    objects = PostQuerySet.as_manager()

    # Text an editor types, kept free of the control characters that break the feeds.
    TEXT_FIELDS = ("title", "body", "excerpt", "summary", "source_title", "source_name")
    # Every field the editor writes, in the post form's order: the form shows them and
    # a revision keeps them (blog.forms, blog.revisions).
    EDITOR_FIELDS = (
        "title",
        "slug",
        "body",
        "summary",
        "excerpt",
        "source_url",
        "source_title",
        "source_name",
        "status",
        "published_at",
        "author",
        "tags",
        "comments_open",
        "image",
        "image_alt",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        indexes = [
            # Every public list: published posts, newest first.
            models.Index(fields=["status", "-published_at"]),
            # An author's page.
            models.Index(fields=["author", "status", "-published_at"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        for field in self.TEXT_FIELDS:
            setattr(self, field, without_control_characters(getattr(self, field)))
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.render_html()
            if not self._state.adding and not kwargs.get("force_insert"):
                # Every column but the likes, which blog.likes counts in their own
                # transaction: an editor's save must not write back the count it read.
                kwargs["update_fields"] = [
                    field.attname
                    for field in self._meta.concrete_fields
                    if not field.primary_key and field.attname != "like_count"
                ]
        elif {"body", "excerpt"} & set(update_fields):
            self.render_html()
            kwargs["update_fields"] = {*update_fields, "body_html", "excerpt_html", "search_text"}
        # Here rather than in the admin or a signal: every save that can move or change a
        # post (the admin, restoring a revision, an import, the shell) passes through, and
        # none can forget that readers' links to the old address must keep working, or
        # that cached pages showing the post must be renewed.
        with transaction.atomic():
            public_before = self.stored_public_version()
            super().save(*args, **kwargs)
            addresses.post_moved(self, public_before=public_before, update_fields=update_fields)
            stamps.post_changed(self, was_public=public_before is not None)
            webmentions.post_saved(
                self, update_fields=update_fields, was_public=public_before is not None
            )

    def get_absolute_url(self):
        published = timezone.localtime(self.published_at)
        return reverse(
            "blog:post-detail",
            kwargs={
                "year": published.year,
                "month": published.month,
                "day": published.day,
                "slug": self.slug,
            },
        )

    def stored_public_version(self) -> "Post | None":
        """This post as the database holds it, if readers can see it there; else None."""
        if self.pk is None:
            return None
        published = type(self).objects.published()
        return published.filter(pk=self.pk).only(*addresses.ADDRESS_FIELDS).first()

    def clean(self):
        errors = {}
        if (self.source_title or self.source_name) and not self.source_url:
            errors["source_url"] = "Add the source's URL, or clear its title and site name."
        if self.image and not self.image_alt:
            errors["image_alt"] = "Describe the image for readers who cannot see it."
        if not (self.body.strip() or self.excerpt.strip()):
            errors["body"] = "Write some commentary or quote an excerpt."
        if errors:
            raise ValidationError(errors)

    @property
    def is_link_post(self) -> bool:
        return bool(self.source_url)

    @property
    def is_published(self) -> bool:
        """PostQuerySet.published()'s rule, for a post already in hand."""
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def render_html(self) -> None:
        # Commentary is typed in the admin, where Enter means a new line; an excerpt is
        # pasted from another page, one paragraph a line.
        self.body_html = render_markdown(self.body, line_breaks=LineBreaks.BREAK)
        self.excerpt_html = render_markdown(self.excerpt, line_breaks=LineBreaks.PARAGRAPH)
        self.search_text = plain_text(f"{self.body_html}\n{self.excerpt_html}")

    @cached_property
    def summary_text(self) -> str:
        """A plain-text summary for listings, link previews and search results."""
        if self.summary:
            return self.summary
        # Plain text, entities and all: the templates and feeds escape it once.
        return Truncator(plain_text(self.body_html or self.excerpt_html)).words(50)

    @property
    def source_label(self) -> str:
        return self.source_title or self.source_name or self.source_url


class PostRevision(models.Model):
    """A post as one save left it: every field the editor writes, who saved it and when.

    Kept as JSON, not as columns, so a field added to posts later needs no change here;
    blog.revisions reads and restores them and prunes the old ones.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who saved it; empty for a save outside the admin, such as an import.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    fields = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["post", "-created_at"])]

    def __str__(self):
        return f"{self.post} at {self.created_at:%Y-%m-%d %H:%M}"


class Like(models.Model):
    """One browser's like of a post, with no account: one per browser per post, pressed
    again to take it back (blog.likes has the rules)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    # A random id the browser keeps in a signed cookie; it says nothing about the reader.
    browser_id = models.CharField(max_length=32)
    # A keyed hash of the reader's address, for the per-address limit and for removing a
    # burst; emptied after BLOG_LIKES_ADDRESS_DAYS.
    address_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "browser_id"], name="like_once_per_browser")
        ]
        indexes = [
            # The per-address limit, and a moderator's view of one address.
            models.Index(fields=["address_hash", "created_at"], name="like_address_recent"),
            # The purge of old addresses: only the likes that still hold one.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(address_hash=""),
                name="like_address_kept",
            ),
        ]

    def __str__(self):
        return f"Like of {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class WebmentionSent(models.Model):
    """A webmention this site owes, or sent, to one page a post links to: the last
    attempt's outcome, and when the next is due (blog.webmentions has the rules)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Accepted"
        NO_ENDPOINT = "no-endpoint", "No Webmention endpoint"
        REJECTED = "rejected", "Refused by the endpoint"
        NOT_ALLOWED = "not-allowed", "Not sent: address not allowed"
        FAILED = "failed", "Failed, will try again"
        GAVE_UP = "gave-up", "Failed, given up"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="webmentions_sent")
    target = models.URLField(max_length=2000)
    endpoint = models.URLField(max_length=2000, blank=True)
    state = models.CharField(max_length=12, choices=State, default=State.PENDING)
    status_code = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Which text of the post the attempts are for: a change to it starts them afresh.
    version = models.CharField(max_length=64, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField("last attempt", null=True, blank=True)

    class Meta:
        ordering = ["post", "target"]
        verbose_name = "webmention sent"
        verbose_name_plural = "webmentions sent"
        constraints = [
            models.UniqueConstraint(fields=["post", "target"], name="webmention_sent_once")
        ]

    def __str__(self):
        return f"Webmention to {self.target}"
