"""The one writer of comment history: every `CommentEvent` is added through here."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from .models import Comment, CommentEvent


def event_record(
    *,
    comment: Comment,
    kind: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    detail: str = "",
    created_at: datetime | None = None,
) -> CommentEvent:
    """Add one line to `comment`'s history; `actor` is the moderator, None for the system."""
    return CommentEvent.objects.create(
        comment=comment,
        kind=kind,
        actor=_moderator(actor),
        detail=detail,
        created_at=created_at or timezone.now(),
    )


def events_record(
    *,
    comment_ids: Iterable[int],
    kind: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> None:
    """The same line in the history of many comments at once, for bulk changes and purges."""
    actor = _moderator(actor)
    CommentEvent.objects.bulk_create(
        CommentEvent(comment_id=pk, kind=kind, actor=actor) for pk in comment_ids
    )


def events_record_each(*, details: Iterable[tuple[Comment, str]], kind: str) -> None:
    """A line of `kind` in each comment's history, with a detail of its own, at once."""
    now = timezone.now()
    CommentEvent.objects.bulk_create(
        CommentEvent(comment=comment, kind=kind, detail=detail, created_at=now)
        for comment, detail in details
    )


def events_record_history(*, comment: Comment, lines: Iterable[tuple[str, str, datetime]]) -> None:
    """A new comment's first lines, (kind, detail, when) in order, in one INSERT."""
    CommentEvent.objects.bulk_create(
        CommentEvent(comment=comment, kind=kind, detail=detail, created_at=created_at)
        for kind, detail, created_at in lines
    )


def _moderator(actor):
    # An anonymous "user" (a command, a test client) is the system.
    return actor if actor is not None and actor.is_authenticated else None


def events_forget_detail(*, comment_ids: Iterable[int], kind: str) -> None:
    """Blank the detail of these comments' `kind` lines: it named personal data."""
    CommentEvent.objects.filter(comment_id__in=comment_ids, kind=kind).update(detail="")
