"""The comment pipeline and every change of a comment's status.

- submission: `comment_submit` takes a visitor's validated input through the anti-abuse
  checks, saves it as pending (after which nothing can be lost), asks Akismet and
  notifies moderators;
- moderation: the one table of moves between statuses and the one function applying them;
- akismet: checks and their verdicts, and the retries `recheck_comments` runs;
- feedback: the submit-spam and submit-ham reports owed to Akismet;
- pause: the back-off, and the pause after Akismet fails;
- retention: the purges, by the retention settings.

The admin, the views and the management commands use the names below.
"""

from .akismet import (
    HONEYPOT_FIELD,
    CheckOutcome,
    SpamCheck,
    SpamCheckError,
    akismet_key_is_valid,
    akismet_recheck_due,
    comment_check_spam,
    comments_check_again,
    comments_due_for_check,
    spam_checking_is_on,
)
from .feedback import akismet_report_send, reports_due
from .moderation import (
    MOVES,
    IllegalTransition,
    Move,
    comment_approve,
    comment_mark_ham,
    comment_mark_spam,
    comment_restore,
    comment_transition,
    comment_trash,
    comment_unapprove,
    moderator_moves,
)
from .pause import retry_delay
from .retention import personal_data_purge, spam_purge
from .submission import CommentRefused, comment_submit, comments_are_open

__all__ = [
    "HONEYPOT_FIELD",
    "MOVES",
    "CheckOutcome",
    "CommentRefused",
    "IllegalTransition",
    "Move",
    "SpamCheck",
    "SpamCheckError",
    "akismet_key_is_valid",
    "akismet_recheck_due",
    "akismet_report_send",
    "comment_approve",
    "comment_check_spam",
    "comment_mark_ham",
    "comment_mark_spam",
    "comment_restore",
    "comment_submit",
    "comment_transition",
    "comment_trash",
    "comment_unapprove",
    "comments_are_open",
    "comments_check_again",
    "comments_due_for_check",
    "moderator_moves",
    "personal_data_purge",
    "reports_due",
    "retry_delay",
    "spam_checking_is_on",
    "spam_purge",
]
