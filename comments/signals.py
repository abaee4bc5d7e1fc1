"""Tell the public pages when a comment readers can see appears, changes or goes."""

from core.pagecache import note_public_change

from .models import Comment


def comment_changed(sender, instance: Comment, raw=False, **kwargs):
    # A held or spam comment is invisible to readers, so its saves (Akismet's verdict,
    # retries) leave their pages alone; approving one, or taking one down, does not.
    was_public = instance.status_when_loaded == Comment.Status.APPROVED
    if not raw and (was_public or instance.status == Comment.Status.APPROVED):
        note_public_change()
    instance.status_when_loaded = instance.status
