"""Every move in the transition table, from every status, at the service level."""

import pytest

from comments import services
from comments.models import AkismetReport, Comment
from tests import factories

STATUSES = list(Comment.Status)
PAIRS = [(name, status) for name in services.MOVES for status in STATUSES]


@pytest.fixture
def checked_comment(post, akismet_on):
    """A comment Akismet called spam, with the parameters a report would resend."""

    def make(status):
        return factories.make_comment(
            post=post,
            status=status,
            akismet_verdict=Comment.Verdict.SPAM,
            akismet_params={"user_ip": "203.0.113.5", "comment_content": "Hello"},
        )

    return make


def snapshot(comment):
    comment.refresh_from_db()
    return comment.status, list(comment.events.values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"), PAIRS, ids=[f"{name}-from-{status}" for name, status in PAIRS]
)
def test_every_move_from_every_status(checked_comment, moderator, name, status):
    move = services.MOVES[name]
    comment = checked_comment(status)
    actor = moderator if move.by_moderator else None
    before = snapshot(comment)

    if status not in move.starts:
        with pytest.raises(services.IllegalTransition):
            services.comment_transition(comment=comment, move=name, actor=actor)
        assert snapshot(comment) == before
        assert not AkismetReport.objects.exists()
        return

    moved = services.comment_transition(comment=comment, move=name, actor=actor)

    assert moved.status == move.ends
    comment.refresh_from_db()
    assert comment.status == move.ends
    new_events = list(comment.events.exclude(pk__in=before[1]))
    assert [event.kind for event in new_events] == [move.event]
    assert new_events[0].actor == actor
    reports = list(AkismetReport.objects.values_list("kind", flat=True))
    assert reports == ([move.akismet_feedback] if move.akismet_feedback else [])


def test_every_status_change_of_the_pipeline_is_in_the_table():
    automatic = {name for name, move in services.MOVES.items() if not move.by_moderator}

    assert automatic == {
        "honeypot",
        "rule_trash",
        "akismet_spam",
        "akismet_discard",
        "auto_approve",
        "reports_hold",
        "edit_rule_trash",
        "edit_rule_hold",
        "edit_spam",
        "author_delete",
        "webmention_gone",
        "webmention_back",
        "webmention_spam_hold",
    }
    assert set(services.moderator_moves()) == {
        "approve",
        "unapprove",
        "mark_spam",
        "mark_ham",
        "trash",
        "restore",
    }
    assert set(services.undo_moves()) == {"unspam_to_approved", "untrash_to_approved"}


@pytest.mark.django_db
def test_undoing_spam_on_a_published_comment_corrects_the_report_to_akismet(
    post, moderator, akismet_on
):
    # Akismet cleared it; the moderator called it spam, then thought better of it.
    comment = factories.make_comment(
        post=post,
        status="approved",
        akismet_verdict=Comment.Verdict.HAM,
        akismet_params={"user_ip": "203.0.113.5", "comment_content": "Hello"},
    )

    services.comment_mark_spam(comment=comment, actor=moderator)
    services.comment_transition(comment=comment, move="unspam_to_approved", actor=moderator)

    assert comment.status == "approved"
    assert list(AkismetReport.objects.values_list("kind", flat=True)) == ["spam", "ham"]


@pytest.mark.django_db
def test_the_thin_names_are_the_table_moves(post, moderator):
    comment = factories.make_comment(post=post, status="pending")

    services.comment_approve(comment=comment, actor=moderator)
    services.comment_unapprove(comment=comment, actor=moderator)
    services.comment_mark_spam(comment=comment, actor=moderator)
    services.comment_mark_ham(comment=comment, actor=moderator)
    services.comment_trash(comment=comment, actor=moderator)
    services.comment_restore(comment=comment, actor=moderator)

    assert comment.status == Comment.Status.PENDING
    assert list(comment.events.values_list("kind", flat=True)) == [
        services.MOVES[name].event
        for name in ["approve", "unapprove", "mark_spam", "mark_ham", "trash", "restore"]
    ]


@pytest.mark.django_db
def test_submit_ham_is_owed_only_when_akismet_had_said_spam(post, akismet_on, moderator):
    comment = factories.make_comment(
        post=post,
        status="spam",
        akismet_verdict=Comment.Verdict.HAM,
        akismet_params={"user_ip": "203.0.113.5"},
    )

    services.comment_mark_ham(comment=comment, actor=moderator)

    assert comment.status == Comment.Status.PENDING
    assert not AkismetReport.objects.exists()
