"""Helpers for background tasks (Django's tasks framework, on django-tasks-db).

Neither the framework nor the backend retries a task or runs one on a schedule: a task
that must try again enqueues itself with `run_after`, and these helpers keep that short.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string

# Attempts before background work gives up (a check, a report, an email, a webmention):
# with the back-off below, about eight and a half hours after the first.
MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Back-off after `attempts` failures: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def gives_up(attempts: int) -> bool:
    """Whether work that has failed `attempts` times stops trying by itself."""
    return attempts >= MAX_ATTEMPTS


def enqueue_on_commit(task: Task | str, *args, run_after: datetime | None = None, **kwargs):
    """Enqueue `task` once the current transaction commits (at once outside one).

    `task` may be the dotted path the queue stores, "comments.tasks.akismet_report_send":
    services name the tasks that call them so, which keeps the imports pointing one way.
    """

    def enqueue():
        resolved = import_string(task) if isinstance(task, str) else task
        resolved.using(run_after=run_after).enqueue(*args, **kwargs)

    transaction.on_commit(enqueue, robust=True)


def task_is_waiting(task: Task) -> bool:
    """Whether `task` is already queued and not yet started, at any time to come."""
    from django_tasks_db.models import DBTaskResult  # Its app must be ready first.

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def next_daily_run(now: datetime, *, hour: int, minute: int) -> datetime:
    """The next time the site's clock shows hour:minute, after `now`: when a nightly task
    that enqueues its next run first should run again."""
    local = timezone.localtime(now)
    at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)
