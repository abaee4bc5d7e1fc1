"""Webmentions received (issue 16): the comment kind, their history lines, and the
Webmention row each keeps (its source, its type, its author's photo)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0013_webmentions_received"),
        ("comments", "0014_reports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="kind",
            field=models.CharField(
                choices=[
                    ("comment", "Comment"),
                    ("pingback", "Pingback"),
                    ("trackback", "Trackback"),
                    ("webmention", "Webmention"),
                ],
                default="comment",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="commentevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "Comment submitted"),
                    ("check-ham", "Akismet cleared this comment"),
                    ("check-spam", "Akismet flagged it as spam"),
                    ("check-discard", "Akismet flagged it as blatant spam"),
                    ("check-error", "Akismet could not be reached; will retry"),
                    ("check-failed", "Akismet could not be reached; gave up retrying"),
                    ("check-skipped", "Spam checking is off; held for moderation"),
                    ("honeypot", "Hidden field was filled in; caught as spam"),
                    ("rule-held", "Held for moderation by a discussion rule"),
                    ("rule-trashed", "Moved to trash by a discussion rule"),
                    ("auto-approved", "Approved automatically: known author"),
                    ("approved", "Approved"),
                    ("unapproved", "Unapproved"),
                    ("marked-spam", "Marked as spam"),
                    ("marked-ham", "Marked as not spam"),
                    ("trashed", "Moved to trash"),
                    ("restored", "Restored from trash"),
                    ("reported-spam", "Reported as spam to Akismet"),
                    ("reported-ham", "Reported as not spam to Akismet"),
                    ("report-error", "Report to Akismet failed; will retry"),
                    ("report-failed", "Report to Akismet failed; gave up"),
                    ("notified", "Moderators notified by email"),
                    ("notify-error", "Email to moderators failed; will retry"),
                    ("notify-failed", "Email to moderators failed; gave up"),
                    ("params-purged", "Data kept for Akismet deleted"),
                    ("details-purged", "IP address, browser and referrer deleted"),
                    ("erased", "Personal data erased on request"),
                    ("imported", "Imported"),
                    ("reports-held", "Taken back into the queue after readers' reports"),
                    ("reports-dismissed", "Readers' reports dismissed; comment kept"),
                    ("edited", "Edited by its author"),
                    ("author-deleted", "Deleted by its author"),
                    ("check-spam-held", "Akismet flagged it as spam; held for a moderator"),
                    ("wm-updated", "Updated from its source"),
                    ("wm-gone", "Its source is gone or no longer links here"),
                    ("wm-back", "Its source links here again; back in the queue"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="Webmention",
            fields=[
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="webmention",
                        serialize=False,
                        to="comments.comment",
                    ),
                ),
                ("source", models.URLField(max_length=2000)),
                ("target", models.URLField(max_length=2000)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("reply", "Reply"),
                            ("mention", "Mention"),
                            ("like", "Like"),
                            ("repost", "Repost"),
                        ],
                        default="mention",
                        max_length=7,
                    ),
                ),
                ("author_photo", models.URLField(blank=True, max_length=2000)),
                ("verified_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="blog.post",
                    ),
                ),
            ],
            options={
                "ordering": ["comment"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "post"), name="webmention_once_per_source"
                    )
                ],
            },
        ),
    ]
