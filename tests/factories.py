"""Factories for test data: plain functions with sensible defaults."""

from importlib import import_module
from itertools import count

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from comments.stamps import comments_changed

_sequence = count(1)


def make_user(*, username=None, password="correct-horse-battery", **fields) -> User:
    username = username or f"user{next(_sequence)}"
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=password, **fields)


def make_editor(**fields) -> User:
    user = make_user(is_staff=True, **fields)
    user.groups.add(editors_group())
    return user


def make_moderator(**fields) -> User:
    user = make_user(is_staff=True, **fields)
    user.groups.add(moderators_group())
    return user


def moderators_group() -> Group:
    return _staff_group("Moderators", "comments.migrations.0002_moderators_group")


def editors_group() -> Group:
    return _staff_group("Editors", "blog.migrations.0002_editors_group")


def _staff_group(name: str, migration: str) -> Group:
    """The group `migration` makes, made again by that migration (with every permission)
    when a transactional test's flush (the task worker's tests) took it, as tests/browser do."""
    if not Group.objects.filter(name=name).exists():
        import_module(migration).create_group(apps, schema_editor=None)
    return Group.objects.get(name=name)


def make_post(*, tags=(), **fields) -> Post:
    number = next(_sequence)
    fields.setdefault("title", f"Post number {number}")
    fields.setdefault("slug", f"post-number-{number}")
    fields.setdefault("body", f"Commentary for post {number}.")
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=number))
    if "author" not in fields:
        fields["author"] = make_user()
    post = Post.objects.create(**fields)
    if tags:
        post.tags.add(*tags)
    return post


def make_link_post(**fields) -> Post:
    fields.setdefault("excerpt", "A passage quoted from the source article.")
    fields.setdefault("source_url", "https://example.org/articles/quoted")
    fields.setdefault("source_title", "The Quoted Article")
    fields.setdefault("source_name", "Example Org")
    return make_post(**fields)


def make_comment(*, post=None, **fields) -> Comment:
    number = next(_sequence)
    fields.setdefault("author_name", f"Reader {number}")
    fields.setdefault("author_email", f"reader{number}@example.com")
    fields.setdefault("body", f"Comment number {number}.")
    fields.setdefault("status", Comment.Status.APPROVED)
    comment = Comment.objects.create(post=post or make_post(), **fields)
    if comment.status == Comment.Status.APPROVED:
        # As the services do when they publish one: its post's cached pages are renewed.
        comments_changed([comment.post_id])
    return comment
