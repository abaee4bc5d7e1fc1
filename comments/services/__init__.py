"""The comment pipeline and every change of a comment's status.

- submission: `comment_submit` takes a visitor's validated input through the anti-abuse
  checks (one query), the honeypot and the discussion rules, asks Akismet, then saves it
  in one transaction with its final status, its history and the moderators' email task;
- moderation: the one table of moves between statuses and the one function applying them;
- akismet: checks and their verdicts, and their retries (the worker's, `recheck_comments`);
- feedback: the submit-spam and submit-ham reports owed to Akismet;
- notification: the email to moderators about a held comment;
- pause: the back-off, when to give up, and the pause after Akismet fails;
- replies: a moderator's reply from the queue, published at once;
- rules: WordPress's discussion rules (too many links, the hold and trash lists);
- stats: what Akismet says about the account (usage, this site's counts, alerts);
- retention: the purges, by the retention settings;
- imports: comments brought in from a WordPress or Disqus export, as they were there.

The admin, the views, the tasks and the management commands use the names below.
"""

from .akismet import (
    HONEYPOT_FIELD,
    CheckOutcome,
    SpamCheck,
    SpamCheckError,
    akismet_check_webmention_update,
    akismet_key_is_valid,
    akismet_recheck_due,
    comment_check_spam,
    comment_recheck,
    comments_check_again,
    comments_due_for_check,
    spam_checking_is_on,
)
from .feedback import (
    akismet_report_deliver,
    akismet_report_send,
    reports_due,
    reports_retry_given_up,
)
from .imports import ImportBatch, ImportedComment, comment_import, parent_within_depth
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
    undo_moves,
)
from .notification import held_notify
from .pause import retry_delay
from .replies import comment_reply_by_moderator
from .retention import personal_data_purge, spam_purge
from .rules import comment_rules_apply, discussion_rules_ensure, links_count
from .stats import akismet_account, akismet_alert_record, akismet_stats_refresh
from .submission import CommentRefused, comment_submit, comments_are_open, webmention_submit

__all__ = [
    "HONEYPOT_FIELD",
    "MOVES",
    "CheckOutcome",
    "CommentRefused",
    "IllegalTransition",
    "ImportBatch",
    "ImportedComment",
    "Move",
    "SpamCheck",
    "SpamCheckError",
    "akismet_account",
    "akismet_alert_record",
    "akismet_check_webmention_update",
    "akismet_key_is_valid",
    "akismet_recheck_due",
    "akismet_report_deliver",
    "akismet_report_send",
    "akismet_stats_refresh",
    "comment_approve",
    "comment_check_spam",
    "comment_import",
    "comment_mark_ham",
    "comment_mark_spam",
    "comment_recheck",
    "comment_reply_by_moderator",
    "comment_restore",
    "comment_rules_apply",
    "comment_submit",
    "comment_transition",
    "comment_trash",
    "comment_unapprove",
    "comments_are_open",
    "comments_check_again",
    "comments_due_for_check",
    "discussion_rules_ensure",
    "held_notify",
    "links_count",
    "moderator_moves",
    "parent_within_depth",
    "personal_data_purge",
    "reports_due",
    "reports_retry_given_up",
    "retry_delay",
    "spam_checking_is_on",
    "spam_purge",
    "undo_moves",
    "webmention_submit",
]
