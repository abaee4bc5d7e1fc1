"""What must hold after the load: in the answers, in the database and in the server's log.

Each check is (name, passed, detail). The database checks need Django set up against
the load test's database.
"""

from collections import Counter
from pathlib import Path

from django.db.models import Count, Q

from comments.models import Comment, CommentEvent

from .clients import Plan, Tally

# Lines of the gunicorn log (which also holds Django's log) that must never appear.
LOG_ALARMS = ("database is locked", "Traceback", "WORKER TIMEOUT", "Internal Server Error")

Check = tuple[str, bool, str]


def answer_checks(tally: Tally, plan: Plan) -> list[Check]:
    statuses = [status for _, status, _ in tally.requests]
    server_errors = sum(1 for status in statuses if status and status >= 500)
    # The CSRF cookie endpoint answers 204 No Content; every page answers 200.
    pages_not_ok = sum(
        1 for m, status, _ in tally.requests if m == "GET" and status not in (200, 204)
    )
    comments = [o for o in tally.outcomes if o.submission.expect == "accepted"]
    taken = Counter(o.submission.number for o in comments if o.result == "accepted")
    doubles = [o for o in comments if o.submission.double]
    probes = [o for o in tally.outcomes if o.submission.expect != "accepted"]
    refused = [o for o in probes if o.as_expected]
    stopped = " (stopped at the time limit)" if tally.stopped_early else ""
    return [
        ("no 5xx answer", server_errors == 0, f"{server_errors} answers 5xx"),
        ("every request answered", None not in statuses, f"{statuses.count(None)} unanswered"),
        (
            "every comment accepted, once",
            len(taken) == len(plan.comments) and set(taken.values()) == {1},
            f"{len(taken)} of {len(plan.comments)} accepted{stopped}, "
            f"{sum(1 for n in taken.values() if n > 1)} more than once",
        ),
        (
            "double submits: one accepted, the other refused explicitly",
            all(o.as_expected for o in doubles)
            and all(taken[o.submission.number] == 1 for o in doubles),
            f"{len({o.submission.number for o in doubles if taken[o.submission.number] > 1})} "
            f"of {len(doubles) // 2} double submits accepted twice",
        ),
        (
            "every probe refused explicitly (429 flood or rate, 409 duplicate)",
            len(probes) == len(refused) == plan.expected_probes,
            f"{len(refused)} of {plan.expected_probes} probes refused as expected",
        ),
        ("every page answered 200", pages_not_ok == 0, f"{pages_not_ok} pages not 200"),
    ]


def database_checks(tally: Tally) -> list[Check]:
    accepted = {o.comment_id: o.submission for o in tally.outcomes if o.result == "accepted"}
    accepted_answers = sum(1 for o in tally.outcomes if o.result == "accepted")
    stored = {c.pk: c for c in Comment.objects.only("author_email", "body", "status")}
    mismatched = [
        pk
        for pk, submission in accepted.items()
        if pk not in stored
        or (stored[pk].author_email, stored[pk].body) != (submission.email, submission.body)
    ]
    twice = (
        Comment.objects.values("author_email", "body")
        .annotate(copies=Count("id"))
        .filter(copies__gt=1)
        .count()
    )
    # Flood probes carry emails of their own; the other probes repeat a stored comment,
    # which "no comment stored twice" covers.
    refused_stored = Comment.objects.filter(
        author_email__in=[
            o.submission.email for o in tally.outcomes if o.submission.expect == "flood"
        ]
    ).count()
    without_submitted_event = (
        Comment.objects.annotate(
            submitted=Count("events", filter=Q(events__kind=CommentEvent.Kind.SUBMITTED))
        )
        .exclude(submitted=1)
        .count()
    )
    not_pending = sum(1 for c in stored.values() if c.status != Comment.Status.PENDING)
    return [
        (
            "comments stored = comments accepted, each id once",
            len(stored) == accepted_answers == len(accepted),
            f"{len(stored)} stored, {accepted_answers} accepted, {len(accepted)} distinct ids",
        ),
        (
            "each accepted comment stored as sent",
            not mismatched,
            f"{len(mismatched)} ids missing or different"
            + (f", e.g. {mismatched[:5]}" if mismatched else ""),
        ),
        ("no comment stored twice (email + body)", twice == 0, f"{twice} stored twice"),
        ("refused comments not stored", refused_stored == 0, f"{refused_stored} stored"),
        (
            'each comment has one "submitted" event',
            without_submitted_event == 0,
            f"{without_submitted_event} without exactly one",
        ),
        ("all held as pending (Akismet off)", not_pending == 0, f"{not_pending} not pending"),
    ]


def log_checks(log: Path) -> tuple[list[Check], dict[str, int]]:
    text = log.read_text(errors="replace")
    counts = {alarm: text.count(alarm) for alarm in LOG_ALARMS}
    checks = [
        (f'no "{alarm}" in the server log', n == 0, f"{n} found") for alarm, n in counts.items()
    ]
    return checks, counts
