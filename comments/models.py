"""Comments on posts, their Akismet verdicts, and the history of what happened to each."""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from core.markup import render_plain_text, without_control_characters

from . import pages


class CommentQuerySet(models.QuerySet):
    def approved(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.PENDING)

    def spam(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.SPAM)

    def trash(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.TRASH)

    def needing_attention(self) -> "CommentQuerySet":
        """What a moderator should look at: held comments and caught spam."""
        return self.filter(status__in=[Comment.Status.PENDING, Comment.Status.SPAM])

    def awaiting_spam_check(self) -> "CommentQuerySet":
        """Pending comments that Akismet has not yet answered for."""
        return self.pending().filter(
            akismet_verdict__in=[Comment.Verdict.UNCHECKED, Comment.Verdict.ERROR]
        )

    def discussion(self) -> "CommentQuerySet":
        """Readers' comments, without the pingbacks and trackbacks shown apart from them."""
        return self.filter(kind=Comment.Kind.COMMENT)

    def mentions(self) -> "CommentQuerySet":
        """Pingbacks and trackbacks: other sites' links to a post."""
        return self.exclude(kind=Comment.Kind.COMMENT)

    def reply_targets(self, post) -> "CommentQuerySet":
        """The comments of `post` a visitor may reply to: the approved ones."""
        return self.approved().discussion().filter(post=post)

    def by_author(self, email: str) -> "CommentQuerySet":
        return self.alias(email_folded=Lower("author_email")).filter(
            email_folded=Lower(Value(email))
        )

    def by_same_author(self, name, email) -> "CommentQuerySet":
        """Signed with `name` and `email`: WordPress's rule for "the same commenter"
        (check_comment), the address in any letter case. Erased comments, with no
        address left, belong to nobody. `name` and `email` may be OuterRef()s."""
        if not hasattr(email, "resolve_expression"):
            email = Value(email)
        # Compared as lower(author_email), which an index holds (Meta.indexes): "iexact"
        # is a LIKE on SQLite and UPPER() on PostgreSQL, neither of which any index
        # serves, and the queue asks this for every row it shows.
        return (
            self.alias(email_folded=Lower("author_email"))
            .filter(author_name=name, email_folded=Lower(email))
            .exclude(author_email="")
        )

    def with_approved_by_author_count(self) -> "CommentQuerySet":
        """Annotate `author_approved_count`: the author's other approved comments."""
        others = (
            Comment.objects.approved()
            .by_same_author(models.OuterRef("author_name"), models.OuterRef("author_email"))
            .exclude(pk=models.OuterRef("pk"))
            .order_by()
            .annotate(count=models.Func(models.F("pk"), function="COUNT"))
            .values("count")
        )
        return self.annotate(
            author_approved_count=models.Subquery(others, output_field=models.IntegerField())
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    class Kind(models.TextChoices):
        # A reader's comment, in the discussion; the others are links from other sites
        # to the post, which the post page lists apart (kept from an imported WordPress).
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"
        # Received at /webmention/ and verified (comments/webmentions.py).
        WEBMENTION = "webmention", "Webmention"

    class Verdict(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked"
        HAM = "ham", "Not spam"
        SPAM = "spam", "Spam"
        DISCARD = "discard", "Blatant spam"
        ERROR = "error", "Check failed"

    # WordPress's column limits, so imported or exported comments fit either way.
    AUTHOR_NAME_MAX = 245
    AUTHOR_EMAIL_MAX = 100
    AUTHOR_URL_MAX = 200
    BODY_MAX = 65525

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField("name", max_length=AUTHOR_NAME_MAX)
    # Blank only once erased on the commenter's request; the comment form requires it.
    author_email = models.EmailField("email", max_length=AUTHOR_EMAIL_MAX, blank=True)
    author_url = models.URLField("website", max_length=AUTHOR_URL_MAX, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The signed-in account that wrote the comment, if any.",
    )
    body = models.TextField("comment", max_length=BODY_MAX)
    # Rendered once when saved, so a long thread needs no per-request rendering.
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.COMMENT)

    akismet_verdict = models.CharField(
        max_length=10, choices=Verdict, default=Verdict.UNCHECKED, db_index=True
    )
    akismet_checked_at = models.DateTimeField(null=True, blank=True)
    akismet_attempts = models.PositiveSmallIntegerField(default=0)
    akismet_next_attempt_at = models.DateTimeField(null=True, blank=True)
    akismet_last_error = models.TextField(blank=True)
    # The exact parameters sent to comment-check, resent with submit-spam/submit-ham.
    # Cleared after COMMENTS_AKISMET_DATA_RETENTION_DAYS, as WordPress does.
    akismet_params = models.JSONField(default=dict, blank=True)

    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.TextField(blank=True)
    referrer = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A post's thread and its count.
            models.Index(fields=["post", "status", "created_at"]),
            # The moderation queue, newest first within a status.
            models.Index(fields=["status", "-created_at"]),
            # Flood control: the latest comment from an address.
            models.Index(fields=["ip_address", "-created_at"]),
            # The same author's comments (by_author, by_same_author): the address in any
            # letter case.
            models.Index(Lower("author_email"), "status", name="comment_author_email_folded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_name}"

    def save(self, *args, **kwargs):
        self.remove_control_characters()
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.render_html()
        elif "body" in update_fields:
            self.render_html()
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # With the page of the thread that holds it, unless that is the post's own page.
        return f"{pages.page_url(self.post.get_absolute_url(), self.thread_page)}#{self.anchor}"

    # The status read from the database, so an edit can tell whether the comment was
    # public before it (see CommentAdmin.save_model). None for a comment not yet saved.
    status_when_loaded = None

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        comment = super().from_db(db, field_names, values, **kwargs)
        if "status" in field_names:
            comment.status_when_loaded = comment.status
        return comment

    def remove_control_characters(self) -> None:
        # Also when a moderator edits it: the comment feed cannot carry these.
        self.author_name = without_control_characters(self.author_name)
        self.body = without_control_characters(self.body)

    def render_html(self) -> None:
        self.body_html = render_plain_text(self.body)

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def admin_url(self) -> str:
        return reverse("admin:comments_comment_change", args=[self.pk])

    @property
    def thread_page(self) -> int:
        """The page of its post's thread that shows this comment (comments/pages.py).

        At most one query. Comments fetched together by a queryset that tracks its peers
        (`.fetch_mode(models.FETCH_PEERS)`, as the feeds and the queue do) share it, and
        keep the answer: such a list is read as soon as it is fetched.
        """
        if "_thread_page" in self.__dict__:
            return self._thread_page
        if not self._is_paged():
            return 1
        peers = [peer for ref in self._state.peers if (peer := ref()) is not None]
        batch = [peer for peer in peers if "_thread_page" not in peer.__dict__ and peer._is_paged()]
        if not any(peer is self for peer in batch):
            batch = [self]
        found = thread_pages(batch)
        if len(batch) > 1:
            for peer in batch:
                peer._thread_page = found.get(peer.pk, 1)
        return found.get(self.pk, 1)

    def _is_paged(self) -> bool:
        # Pingbacks and trackbacks are listed apart, on every page of the thread.
        return bool(self.pk and self.kind == Comment.Kind.COMMENT and pages.per_page())


def thread_pages(comments: Iterable[Comment]) -> dict[int, int]:
    """The page of its post's thread that shows each of `comments`, by id, in one query.

    A comment shows with its thread: the page is that of its top-level ancestor, the first
    comment up its chain of parents that opens a thread on the post page. As in
    thread.build_thread, a comment sits under its parent only when the parent is shown
    (approved) and comes before it; otherwise it opens a thread of its own, and with
    COMMENTS_THREAD_DEPTH 1 every comment does. The page follows from the number of
    approved threads ahead of that one (pages.page_of).
    """
    ids = [comment.pk for comment in comments]
    if not ids:
        return {}
    table = connection.ops.quote_name(Comment._meta.db_table)
    shown = [Comment.Status.APPROVED, Comment.Kind.COMMENT]
    ahead = ">" if pages.newest_first() else "<"
    threaded = max(1, settings.COMMENTS_THREAD_DEPTH) > 1

    def sits_under(child, parent) -> str:
        return (
            f"{parent}.status = %s AND {parent}.kind = %s AND ({parent}.created_at < "
            f"{child}.created_at OR ({parent}.created_at = {child}.created_at "
            f"AND {parent}.id < {child}.id))"
        )

    # Every comment's chain of parents, climbed while each sits under the next.
    climb, climb_params = "", []
    opens_thread, opens_thread_params = "", []
    if threaded:
        climb = (
            "UNION ALL SELECT a.comment_id, p.id, p.parent_id, p.post_id, p.status, "
            f"p.created_at, a.steps + 1 FROM ancestry a JOIN {table} p ON p.id = a.parent_id "
            f"WHERE {sits_under('a', 'p')}"
        )
        climb_params = shown
        opens_thread = (
            f"AND NOT EXISTS (SELECT 1 FROM {table} p WHERE p.id = c.parent_id "
            f"AND {sits_under('c', 'p')})"
        )
        opens_thread_params = shown
    sql = (
        "WITH RECURSIVE ancestry (comment_id, id, parent_id, post_id, status, created_at, "
        "steps) AS (SELECT id, id, parent_id, post_id, status, created_at, 0 "
        f"FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))}) {climb}) "
        # The top of each chain, and the approved threads of its post ahead of it.
        "SELECT r.comment_id, r.status, (SELECT COUNT(*) "
        f"FROM {table} c WHERE c.post_id = r.post_id AND c.status = %s AND c.kind = %s "
        f"AND (c.created_at {ahead} r.created_at "
        f"OR (c.created_at = r.created_at AND c.id {ahead} r.id)) {opens_thread}) "
        "FROM ancestry r WHERE NOT EXISTS (SELECT 1 FROM ancestry higher "
        "WHERE higher.comment_id = r.comment_id AND higher.steps > r.steps)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *climb_params, *shown, *opens_thread_params])
        rows = cursor.fetchall()
    return {
        comment_id: pages.page_of(ahead_of_it, approved=status == Comment.Status.APPROVED)
        for comment_id, status, ahead_of_it in rows
    }


class CommentEvent(models.Model):
    """One line of a comment's history, for moderators."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Comment submitted"
        CHECK_HAM = "check-ham", "Akismet cleared this comment"
        CHECK_SPAM = "check-spam", "Akismet flagged it as spam"
        CHECK_DISCARD = "check-discard", "Akismet flagged it as blatant spam"
        CHECK_ERROR = "check-error", "Akismet could not be reached; will retry"
        CHECK_FAILED = "check-failed", "Akismet could not be reached; gave up retrying"
        CHECK_SKIPPED = "check-skipped", "Spam checking is off; held for moderation"
        HONEYPOT = "honeypot", "Hidden field was filled in; caught as spam"
        RULE_HELD = "rule-held", "Held for moderation by a discussion rule"
        RULE_TRASHED = "rule-trashed", "Moved to trash by a discussion rule"
        AUTO_APPROVED = "auto-approved", "Approved automatically: known author"
        APPROVED = "approved", "Approved"
        UNAPPROVED = "unapproved", "Unapproved"
        MARKED_SPAM = "marked-spam", "Marked as spam"
        MARKED_HAM = "marked-ham", "Marked as not spam"
        TRASHED = "trashed", "Moved to trash"
        RESTORED = "restored", "Restored from trash"
        REPORTED_SPAM = "reported-spam", "Reported as spam to Akismet"
        REPORTED_HAM = "reported-ham", "Reported as not spam to Akismet"
        REPORT_ERROR = "report-error", "Report to Akismet failed; will retry"
        REPORT_FAILED = "report-failed", "Report to Akismet failed; gave up"
        NOTIFIED = "notified", "Moderators notified by email"
        NOTIFY_ERROR = "notify-error", "Email to moderators failed; will retry"
        NOTIFY_FAILED = "notify-failed", "Email to moderators failed; gave up"
        PARAMS_PURGED = "params-purged", "Data kept for Akismet deleted"
        DETAILS_PURGED = "details-purged", "IP address, browser and referrer deleted"
        ERASED = "erased", "Personal data erased on request"
        IMPORTED = "imported", "Imported"
        # Readers' reports (comments/reports.py).
        REPORTS_HELD = "reports-held", "Taken back into the queue after readers' reports"
        REPORTS_DISMISSED = "reports-dismissed", "Readers' reports dismissed; comment kept"
        # The author's own changes within the edit window (comments/editing.py).
        EDITED = "edited", "Edited by its author"
        AUTHOR_DELETED = "author-deleted", "Deleted by its author"
        # Received webmentions (comments/webmentions.py).
        CHECK_SPAM_HELD = "check-spam-held", "Akismet flagged it as spam; held for a moderator"
        WEBMENTION_UPDATED = "wm-updated", "Updated from its source"
        WEBMENTION_GONE = "wm-gone", "Its source is gone or no longer links here"
        WEBMENTION_BACK = "wm-back", "Its source links here again; back in the queue"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The moderator who acted; empty for the system.",
    )
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class AkismetReport(models.Model):
    """A spam/ham report owed to Akismet: sent once by the task worker after the
    moderator's change commits, retried with back-off while Akismet is unreachable, and
    given up ("failed") after services.pause.MAX_ATTEMPTS attempts."""

    class Kind(models.TextChoices):
        SPAM = "spam", "submit-spam"
        HAM = "ham", "submit-ham"

    class Status(models.TextChoices):
        OWED = "owed", "Owed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="akismet_reports")
    kind = models.CharField(max_length=4, choices=Kind)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=6, choices=Status, default=Status.OWED)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        state = self.get_status_display().lower()
        return f"{self.get_kind_display()} for comment {self.comment_id} ({state})"


class SubmissionAttempt(models.Model):
    """One comment submission from an address, kept only as long as the rate-limit window.

    The rate limit counts these when no shared cache is configured (see ratelimit.py).
    `client` is the address, or its /64 network for IPv6.
    """

    client = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["client", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"Comment submission from {self.client} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class AkismetPause(models.Model):
    """A pause in calls to Akismet after one failed, kept in the database so that every
    worker and server sees it (the local-memory cache is per process). One row a scope."""

    class Scope(models.TextChoices):
        CHECKS = "checks", "Checks of new comments"
        REPORTS = "reports", "Reports sent after a moderator's change"

    scope = models.CharField(max_length=10, choices=Scope, primary_key=True)
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["scope"]

    def __str__(self):
        return f"{self.get_scope_display()} paused until {self.ends_at:%Y-%m-%d %H:%M:%S}"


class DiscussionRule(models.Model):
    """One of WordPress's two lists under Settings > Discussion, edited by moderators:
    "Comment Moderation" (hold) and "Disallowed Comment Keys" (trash). One row a list."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Comment Moderation: hold in the queue"
        TRASH = "trash", "Disallowed Comment Keys: move to the trash"

    kind = models.CharField(max_length=5, choices=Kind, primary_key=True)
    entries = models.TextField(
        blank=True,
        help_text=(
            "One word, name, URL, email address or IP address a line. A comment is caught "
            "when one appears, in any letter case, inside its name, email, website, IP "
            "address, browser or text: “press” catches “WordPress”."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    def entry_list(self) -> list[str]:
        """The entries as WordPress reads them: each line trimmed, blank lines skipped."""
        return [line.strip() for line in self.entries.splitlines() if line.strip()]


class AkismetAccount(models.Model):
    """What Akismet last said about the account: this month's usage against the plan,
    this site's counts, and any alert about the account. One row, in the database so
    that every server shows the same."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # The usage-limit answer, and this site's row of the key-sites answer for the month.
    usage = models.JSONField(default=dict, blank=True)
    site_counts = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_error = models.TextField(blank=True)
    alert_code = models.CharField(max_length=20, blank=True)
    alert_message = models.TextField(blank=True)
    alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "Akismet account"


class CommentReport(models.Model):
    """A reader's report of a published comment, for the moderators (comments/reports.py).

    It keeps no address: `reporter` is a keyed hash of the reader's IP address (its /64
    for IPv6), enough to count one report per address and comment and no more.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse or harassment"
        OFF_TOPIC = "off-topic", "Off-topic"
        OTHER = "other", "Something else"

    NOTE_MAX = 500

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason)
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    reporter = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When a moderator decided (kept, trashed or spam): the report no longer counts.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_reader"),
        ]
        # The open reports, for the Reported view and the count that holds a comment.
        indexes = [models.Index(fields=["closed_at", "comment"], name="comment_report_open")]

    def __str__(self):
        return f"Report of comment {self.comment_id}: {self.get_reason_display()}"


# Replies by email and new-post emails (comments/subscriptions.py).


class Subscriber(models.Model):
    """An address that asked for email from the site, confirmed or waiting to be. Kept
    while it has subscriptions; a waiting one is forgotten after
    COMMENTS_SUBSCRIPTION_CONFIRM_DAYS (subscriptions.subscribers_purge)."""

    # Kept in lower case: one row an address, however it was typed.
    email = models.EmailField(max_length=Comment.AUTHOR_EMAIL_MAX, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The latest confirmation email sent, so asking again within a day sends no other.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Subscription(models.Model):
    """What one address asked for: the replies to one comment, or every new post."""

    class Kind(models.TextChoices):
        REPLIES = "replies", "Replies to a comment"
        POSTS = "posts", "New posts"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    # The comment whose replies are wanted; none for new posts.
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "comment"],
                condition=models.Q(kind="replies"),
                name="subscription_replies_once",
            ),
            models.UniqueConstraint(
                fields=["subscriber"],
                condition=models.Q(kind="posts"),
                name="subscription_posts_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="replies", comment__isnull=False)
                | models.Q(kind="posts", comment__isnull=True),
                name="subscription_comment_for_replies_only",
            ),
        ]

    def __str__(self):
        what = f"replies to comment {self.comment_id}" if self.comment_id else "new posts"
        return f"{self.subscriber_id}: {what}"


class SubscriptionEmail(models.Model):
    """One email owed or sent to a subscriber: a reply to their comment, or a new post.
    One a subscription and a reply (or post), so an approval undone and made again never
    sends twice; retried with back-off, given up after services.pause.MAX_ATTEMPTS."""

    class Status(models.TextChoices):
        OWED = "owed", "Owed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="emails")
    reply = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=6, choices=Status, default=Status.OWED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="subscription_email_due")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "reply"], name="subscription_email_reply_once"
            ),
            models.UniqueConstraint(
                fields=["subscription", "post"], name="subscription_email_post_once"
            ),
        ]

    def __str__(self):
        about = f"reply {self.reply_id}" if self.reply_id else f"post {self.post_id}"
        return f"Email about {about} ({self.get_status_display().lower()})"


class PostAnnouncement(models.Model):
    """A post the new-post emails have gone out for (or were never to: those public
    before the feature came). blog knows nothing of it."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="+")
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-announced_at"]

    def __str__(self):
        return f"Post {self.post_id} announced {self.announced_at:%Y-%m-%d %H:%M}"


class Webmention(models.Model):
    """A webmention received and verified (comments/webmentions.py): the comment of kind
    "webmention" it became, the page that sent it, and what that page is to the post.
    One a source and post: a later webmention of the same pair updates it."""

    class Type(models.TextChoices):
        REPLY = "reply", "Reply"
        MENTION = "mention", "Mention"
        LIKE = "like", "Like"
        REPOST = "repost", "Repost"

    URL_MAX = 2000

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, primary_key=True, related_name="webmention"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    source = models.URLField(max_length=URL_MAX)
    # The address of the post the sender named, as it named it.
    target = models.URLField(max_length=URL_MAX)
    type = models.CharField(max_length=7, choices=Type, default=Type.MENTION)
    # The h-card's photo, kept as text: never fetched by the site, only linked to.
    author_photo = models.URLField(max_length=URL_MAX, blank=True)
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment"]
        constraints = [
            models.UniqueConstraint(fields=["source", "post"], name="webmention_once_per_source"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} from {self.source}"

    @property
    def is_face(self) -> bool:
        """A like or a repost: shown as its author's face, and counted with the likes."""
        return self.type in (self.Type.LIKE, self.Type.REPOST)
