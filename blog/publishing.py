"""What the editor's buttons do to a post: Publish (or Schedule), Save draft, Update and
Unpublish, and the sentence that tells the editor what happened.

The admin's post form has no status dropdown on its main path: the button pressed says
whether the post goes out, stays a draft or comes back in. This module is the one owner of
that rule; blog.admin only reads the button from the request and shows the message.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from .models import Post


class Press(StrEnum):
    """The buttons, by the name they submit."""

    PUBLISH = "_publish"  # labelled "Schedule" when the publish date is in the future
    SAVE_DRAFT = "_save_draft"
    UPDATE = "_update"
    UNPUBLISH = "_unpublish"


PRESSES = tuple(Press)


def press_from(data) -> Press | None:
    """The button a submitted form was sent with; None for Django's own Save buttons,
    which keep the status the form carries."""
    return next((press for press in PRESSES if press in data), None)


@dataclass(frozen=True)
class Outcome:
    """What a press did, for the message: its verb and whether readers can see the post."""

    headline: str
    public: bool


def apply_press(
    post: Post,
    press: Press,
    *,
    published_before: bool,
    date_was_set: bool,
    now: datetime | None = None,
) -> None:
    """Set `post`'s status (and, on a first publication, its date) for `press`, unsaved.

    A draft carries the date it was started on. Published with that date untouched, it
    goes out dated now, as WordPress does: otherwise it would appear in the past, below
    posts written after it, and read as "updated" from its first day.
    """
    now = now or timezone.now()
    match press:
        case Press.PUBLISH:
            if not published_before and not date_was_set and post.published_at <= now:
                post.published_at = now
            post.status = Post.Status.PUBLISHED
        case Press.UPDATE:
            post.status = Post.Status.PUBLISHED
        case Press.SAVE_DRAFT | Press.UNPUBLISH:
            post.status = Post.Status.DRAFT


def outcome_of(post: Post, press: Press | None, *, published_before: bool) -> Outcome:
    """The sentence for the message after the save."""
    if post.is_scheduled:
        when = timezone.localtime(post.published_at)
        return Outcome(f"Scheduled for {when:%-d %B, %H:%M}.", public=False)
    if post.status == Post.Status.DRAFT:
        if press == Press.UNPUBLISH or published_before:
            return Outcome("Unpublished: the post is a draft again.", public=False)
        return Outcome("Draft saved.", public=False)
    if published_before:
        return Outcome("Updated.", public=True)
    return Outcome("Published.", public=True)
