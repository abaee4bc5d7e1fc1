"""The blog's background work, run by the task worker (`manage.py db_worker`)."""

from datetime import datetime

from django.tasks import task
from django.utils import timezone

from core.tasks import next_daily_run, task_is_waiting

from . import likes, revisions, webmentions

# The nightly prune of old revisions, in the site's time zone: after the comments' purge
# (03:17), so the two nightly jobs do not start together.
PRUNE_HOUR, PRUNE_MINUTE = 3, 47


@task
def revisions_prune() -> int:
    """prune_revisions, each night, and the likes' old addresses forgotten (on a night
    after no like, which forgets them too). The next night's run is enqueued first, so
    that a failure tonight does not end the chain."""
    revisions_prune_schedule()
    likes.addresses_forget()
    return revisions.prune_revisions()


def revisions_prune_schedule(*, now: datetime | None = None) -> None:
    """Enqueue the next nightly prune, unless one is already waiting. Called after every
    `migrate` (blog.apps), which starts the chain on a new site."""
    if not task_is_waiting(revisions_prune):
        revisions_prune.using(run_after=next_prune_at(now or timezone.now())).enqueue()


def next_prune_at(now: datetime) -> datetime:
    return next_daily_run(now, hour=PRUNE_HOUR, minute=PRUNE_MINUTE)


@task
def webmentions_send(post_id: int, version: str) -> dict:
    """Send a post's webmentions that are due, for its text at `version`
    (blog.webmentions); it enqueues itself again while a target is to be retried."""
    return webmentions.webmentions_send(post_id=post_id, version=version)
