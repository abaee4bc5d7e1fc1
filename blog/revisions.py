"""Revisions of posts: every save in the admin keeps the post as it was left, and any
revision can be put back.

A revision holds every field the editor writes, as JSON (PostRevision.fields); this
module is the only one that writes, reads, restores and prunes them. A save that changes
nothing records nothing, and restoring is a save like any other: it records a revision
of its own, so it can be undone the same way.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import capfirst

from .models import Post, PostRevision

SNAPSHOT_FIELDS = Post.EDITOR_FIELDS
# The fields a revision keeps in another form: the date as text, the author's id, the
# tags' names, the image's stored name. It keeps the others as they are.
CONVERTED_FIELDS = {"published_at", "author", "tags", "image"}
AS_STORED_FIELDS = tuple(name for name in SNAPSHOT_FIELDS if name not in CONVERTED_FIELDS)
# Shown line by line; the other fields are short enough for "old → new".
LONG_TEXT_FIELDS = {"body", "summary", "excerpt"}
# Unchanged lines shown around each change in a long text.
DIFF_CONTEXT_LINES = 2
# Revisions deleted per query when pruning.
PRUNE_BATCH = 500


def post_snapshot(post: Post) -> dict:
    """The fields of `post` as a revision keeps them (its tags as they are stored now)."""
    fields = {name: getattr(post, name) for name in AS_STORED_FIELDS}
    fields.update(
        published_at=post.published_at.isoformat(),
        author=post.author_id,
        tags=sorted(post.tags.names()),
        image=post.image.name or "",
    )
    return fields


def record_revision(post: Post, *, by: AbstractBaseUser | None) -> PostRevision | None:
    """Keep `post` as it is now, saved by `by`, after its save and its tags'; None when
    nothing changed since its latest revision."""
    fields = post_snapshot(post)
    latest = post.revisions.only("fields").first()
    if latest is not None and latest.fields == fields:
        return None
    author = by if by is not None and by.is_authenticated else None  # Not AnonymousUser.
    return PostRevision.objects.create(post=post, author=author, fields=fields)


def record_stored_version(post_id: int) -> PostRevision | None:
    """Before the first edit of a post that has no revision (written before revisions were
    kept, or loaded by a script), keep the version it had, dated when it was last saved:
    otherwise that first edit could not be undone."""
    if PostRevision.objects.filter(post_id=post_id).exists():
        return None
    stored = Post.objects.filter(pk=post_id).first()
    if stored is None:
        return None
    return PostRevision.objects.create(
        post=stored, author=None, fields=post_snapshot(stored), created_at=stored.updated_at
    )


def restore_revision(revision: PostRevision, *, by: AbstractBaseUser | None) -> PostRevision | None:
    """Put the post back as `revision` left it, and record that as a new revision.

    A field the revision does not know (added to posts after it) keeps its value, as do
    an author who is no longer a user and an image whose file is gone. Raises
    ValidationError when another post now has the revision's address.
    """
    fields = revision.fields
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=revision.post_id)
        for name in AS_STORED_FIELDS:
            if name in fields:
                setattr(post, name, fields[name])
        if fields.get("published_at"):
            post.published_at = datetime.fromisoformat(fields["published_at"])
        author_id = fields.get("author")
        if author_id and get_user_model().objects.filter(pk=author_id).exists():
            post.author_id = author_id
        current_image = post.image.name or ""
        image = fields.get("image", current_image)
        if image != current_image and (not image or post.image.storage.exists(image)):
            post.image = image  # Reads the file's dimensions again.
        try:
            post.validate_unique()
        except ValidationError:
            raise ValidationError(
                f"another post is now at its address, {post.get_absolute_url()}. "
                "Give that post another slug or date first."
            ) from None
        post.save()
        if "tags" in fields:
            post.tags.set(fields["tags"])
        return record_revision(post, by=by)


# Differences, for the admin
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same", or "gap" for unchanged lines left out
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    # For a long text, its lines; empty for a short field, shown as "old → new".
    lines: tuple[DiffLine, ...] = ()


# taggit names its field "Tags"; in a list of changes it reads "title, body, tags".
LABELS = {"tags": "tags"}


def field_label(name: str) -> str:
    return LABELS.get(name) or str(Post._meta.get_field(name).verbose_name)


def changed_fields(revision: PostRevision, previous: PostRevision | None) -> list[str]:
    """The names of the fields `revision` changed since `previous`, in form order."""
    before = previous.fields if previous else {}
    after = revision.fields
    return [name for name in SNAPSHOT_FIELDS if before.get(name) != after.get(name)]


def revision_summary(revision: PostRevision, previous: PostRevision | None) -> str:
    """A few words on what `revision` changed: "Title, body" or "First revision"."""
    if previous is None:
        return "First revision"
    names = changed_fields(revision, previous)
    return capfirst(", ".join(field_label(name) for name in names)) or "No changes"


def revision_diff(revision: PostRevision, previous: PostRevision | None) -> list[FieldChange]:
    """What `revision` changed since `previous` (everything it holds, for the first one),
    field by field, in readable words."""
    before = previous.fields if previous else {}
    after = revision.fields
    names = changed_fields(revision, previous)
    authors = _usernames({before.get("author"), after.get("author")} - {None})
    changes = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if previous is None and not new:
            continue  # Empty from the start: nothing to show.
        if name in LONG_TEXT_FIELDS:
            lines = tuple(_line_diff(old or "", new or ""))
            changes.append(FieldChange(name, field_label(name), old or "", new or "", lines))
        else:
            changes.append(
                FieldChange(
                    name,
                    field_label(name),
                    _display(name, old, authors),
                    _display(name, new, authors),
                )
            )
    return changes


def changes_on_restore(revision: PostRevision, post: Post) -> list[str]:
    """The labels of the fields that restoring `revision` would change on `post` now."""
    current = post_snapshot(post)
    return [
        field_label(name)
        for name in SNAPSHOT_FIELDS
        if name in revision.fields and revision.fields[name] != current.get(name)
    ]


def _line_diff(old: str, new: str) -> list[DiffLine]:
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    lines, shown_up_to = [], 0
    for group in matcher.get_grouped_opcodes(DIFF_CONTEXT_LINES):
        if group[0][1] > shown_up_to:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", text) for text in before[i1:i2]]
            else:
                lines += [DiffLine("removed", text) for text in before[i1:i2]]
                lines += [DiffLine("added", text) for text in after[j1:j2]]
        shown_up_to = group[-1][2]
    if lines and shown_up_to < len(before):
        lines.append(DiffLine("gap", "…"))
    if not any(line.kind in ("added", "removed") for line in lines):
        # The lines are the same: only spaces at their ends, or line endings, differ.
        return [DiffLine("gap", "Only spaces or line endings changed.")]
    return lines


def _display(name: str, value, authors: dict[int, str]) -> str:
    if value in (None, "", []):
        return "(none)"
    match name:
        case "status":
            return Post.Status(value).label if value in Post.Status.values else value
        case "published_at":
            return f"{timezone.localtime(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
        case "author":
            return authors.get(value, f"a deleted user (#{value})")
        case "tags":
            return ", ".join(value)
        case "comments_open":
            return "open" if value else "closed"
    return str(value)


def _usernames(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids)
    return {user.pk: user.get_full_name() or user.get_username() for user in users}


# Pruning
# ----------------------------------------------------------------------------------------


def prune_revisions(*, now: datetime | None = None) -> int:
    """Delete the revisions older than BLOG_REVISIONS_KEEP_DAYS and those past the newest
    BLOG_REVISIONS_KEEP_COUNT of each post (0: no limit), always keeping each post's
    newest; returns how many were deleted."""
    keep_days, keep_count = settings.BLOG_REVISIONS_KEEP_DAYS, settings.BLOG_REVISIONS_KEEP_COUNT
    if not (keep_days or keep_count):
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=keep_days) if keep_days else None
    # Ranked over all of a post's revisions, then judged here: a filter on created_at in
    # the query would rank only the old ones, and keep the newest of those.
    ranked = (
        PostRevision.objects.annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=[F("post_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(newest_first__gt=1)
        .values_list("pk", "newest_first", "created_at")
    )
    doomed = [
        pk
        for pk, rank, created_at in ranked
        if (keep_count and rank > keep_count) or (cutoff and created_at < cutoff)
    ]
    deleted = 0
    for start in range(0, len(doomed), PRUNE_BATCH):
        batch = doomed[start : start + PRUNE_BATCH]
        deleted += PostRevision.objects.filter(pk__in=batch).delete()[0]
    return deleted
