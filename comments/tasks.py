"""The comments' background work, run by the task worker (`manage.py db_worker`).

Services enqueue these after their transaction commits, naming them by path. Each task is
idempotent: it looks at the database before acting, so a duplicate or a late run does
nothing. Neither Django nor the backend retries a task; a failure is recorded by the
service, which enqueues the task again for the end of the back-off, and gives up after
services.pause.MAX_ATTEMPTS attempts.
"""

from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from core.tasks import next_daily_run, task_is_waiting

from . import reports, services, subscriptions, webmentions

# The nightly purges, in the site's time zone.
PURGE_HOUR, PURGE_MINUTE = 3, 17
# Akismet upkeep: how often it runs, how old the admin card's figures may grow, and how
# many checks and reports one run takes on.
UPKEEP_EVERY = timedelta(hours=1)
UPKEEP_FIRST_RUN = timedelta(minutes=1)
STATS_MAX_AGE = timedelta(hours=6)
UPKEEP_BATCH = 50


@task
def akismet_report_send(report_id: int) -> bool:
    """Send a submit-spam or submit-ham owed to Akismet."""
    return services.akismet_report_deliver(report_id=report_id)


@task
def moderators_notify_held(comment_id: int) -> int:
    """Email the moderators who have not yet heard that a comment is held."""
    return services.held_notify(comment_id=comment_id)


@task
def moderators_notify_reported(comment_id: int) -> int:
    """Email the moderators that readers' reports took a comment back into the queue."""
    return reports.reports_held_notify(comment_id=comment_id)


@task
def webmention_verify(
    source: str,
    target: str,
    ip_address: str | None = None,
    user_agent: str = "",
    hosts: list[str] | None = None,
) -> str:
    """Fetch a webmention's source and receive, update or remove it."""
    return webmentions.webmention_verify(
        source=source,
        target=target,
        ip_address=ip_address,
        user_agent=user_agent,
        hosts=hosts or (),
    )


@task
def comment_recheck(comment_id: int) -> str:
    """Ask Akismet again about a held comment whose check failed."""
    check = services.comment_recheck(comment_id=comment_id)
    return check.outcome.value if check else "nothing to do"


@task
def retention_purge() -> dict:
    """purge_spam and purge_personal_data, each night. The next night's run is enqueued
    first, so that a failure tonight does not end the chain."""
    retention_schedule()
    return {
        **services.spam_purge(),
        **services.personal_data_purge(),
        **subscriptions.subscribers_purge(),
    }


def retention_schedule(*, now: datetime | None = None) -> None:
    """Enqueue the next nightly purge, unless one is already waiting. Called after
    every `migrate` (comments.apps), which starts the chain on a new site."""
    if not task_is_waiting(retention_purge):
        retention_purge.using(run_after=next_purge_at(now or timezone.now())).enqueue()


def next_purge_at(now: datetime) -> datetime:
    return next_daily_run(now, hour=PURGE_HOUR, minute=PURGE_MINUTE)


@task
def akismet_upkeep() -> dict:
    """Each hour: the checks and reports that are due but have no task of their own (a
    comment held before a key was set, a task lost with its worker), and the admin
    card's usage figures once they are STATS_MAX_AGE old. The next run is enqueued first."""
    akismet_upkeep_schedule(after=UPKEEP_EVERY)
    if not services.spam_checking_is_on():
        return {"spam_checking": False}
    summary = services.akismet_recheck_due(limit=UPKEEP_BATCH, given_up=False)
    fetched_at = services.akismet_account().fetched_at
    summary["stats_refreshed"] = fetched_at is None or fetched_at < timezone.now() - STATS_MAX_AGE
    if summary["stats_refreshed"]:
        services.akismet_stats_refresh()
    return summary


def akismet_upkeep_schedule(*, after: timedelta = UPKEEP_FIRST_RUN) -> None:
    """Enqueue the next Akismet upkeep, unless one is already waiting. Called after every
    `migrate`, so a new site's card fills a minute after its worker starts."""
    if not task_is_waiting(akismet_upkeep):
        akismet_upkeep.using(run_after=timezone.now() + after).enqueue()


# Replies by email and new-post emails (comments/subscriptions.py). A new post goes out
# within ANNOUNCE_EVERY of its time, scheduled or not; the same run retries the emails
# whose back-off has passed.
ANNOUNCE_EVERY = timedelta(minutes=5)


@task
def subscription_request(comment_id: int, *, replies: bool, posts: bool) -> str:
    """Store the subscriptions a commenter ticked; confirm the address if it needs it."""
    return subscriptions.subscription_request(comment_id=comment_id, replies=replies, posts=posts)


@task
def subscription_confirmation_send(subscriber_id: int) -> str:
    """Send (again, after a failure) the confirmation email of a waiting address."""
    return subscriptions.subscription_confirmation_send(subscriber_id=subscriber_id)


@task
def subscribers_notify_reply(reply_id: int) -> int:
    """Email the subscribers to a comment about a reply just made public."""
    return subscriptions.subscribers_notify_reply(reply_id=reply_id)


@task
def subscription_emails_send() -> int:
    """Send the next batch of owed subscription emails."""
    return subscriptions.emails_send()


@task
def posts_announce() -> dict:
    """Every ANNOUNCE_EVERY: email the new posts' subscribers, and retry failed emails.
    The next run is enqueued first."""
    posts_announce_schedule(after=ANNOUNCE_EVERY)
    return subscriptions.posts_announce()


def posts_announce_schedule(*, after: timedelta = UPKEEP_FIRST_RUN) -> None:
    """Enqueue the next announcement run, unless one is already waiting. Called after
    every `migrate`, as the other periodic tasks are."""
    if not task_is_waiting(posts_announce):
        posts_announce.using(run_after=timezone.now() + after).enqueue()
