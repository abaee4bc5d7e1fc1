"""Demo comments for the demo posts of `load_demo`: a short thread and one held comment.

Safe to run again: each comment is looked up first, so nothing is duplicated.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from blog.models import Post
from comments.events import event_record
from comments.models import Comment, CommentEvent

POST_SLUG = "boring-technology-revisited"
# (key, author, body, key of the comment replied to): approved comments, oldest first.
APPROVED = [
    ("grace", "Grace H.", "The innovation-token idea changed how our team picks tools.", None),
    ("linus", "Linus T.", "Boring is relative: yesterday's novelty is today's default.", None),
    ("ken", "Ken T.", "Agreed. Most of our outages came from the shiny parts.", "grace"),
]
HELD = ("visitor", "A. Visitor", "Waiting for a moderator to read this one.")


class Command(BaseCommand):
    help = "Load demo comments on the demo posts. Run `load_demo` first."

    @transaction.atomic
    def handle(self, *args, **options):
        post = Post.objects.filter(slug=POST_SLUG).first()
        if post is None:
            raise CommandError(f"No post “{POST_SLUG}”: run `manage.py load_demo` first.")
        written_at = post.published_at + timedelta(hours=2)
        by_key, added = {}, 0
        for index, (key, name, body, parent_key) in enumerate(APPROVED):
            comment, created = self.ensure_comment(
                post,
                key,
                name,
                body,
                parent=by_key.get(parent_key),
                status=Comment.Status.APPROVED,
                created_at=written_at + timedelta(hours=index),
            )
            by_key[key] = comment
            added += created
        key, name, body = HELD
        _, created = self.ensure_comment(
            post, key, name, body, status=Comment.Status.PENDING, created_at=written_at
        )
        added += created
        self.stdout.write(f"Demo comments: {added} added.")

    def ensure_comment(self, post, key, name, body, **fields) -> tuple[Comment, bool]:
        comment, created = Comment.objects.get_or_create(
            post=post,
            author_email=f"{key}@example.com",
            body=body,
            defaults={"author_name": name, **fields},
        )
        if created:
            # A history like a real comment's, so the moderator's page is not empty.
            kinds = [CommentEvent.Kind.SUBMITTED, CommentEvent.Kind.CHECK_SKIPPED]
            if comment.status == Comment.Status.APPROVED:
                kinds.append(CommentEvent.Kind.APPROVED)
            for kind in kinds:
                event_record(comment=comment, kind=kind, created_at=comment.created_at)
        return comment, created
