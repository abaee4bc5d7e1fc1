import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def posts_public_before(apps, schema_editor):
    """The posts already public are not new: they get no new-post email."""
    Post = apps.get_model("blog", "Post")
    PostAnnouncement = apps.get_model("comments", "PostAnnouncement")
    now = django.utils.timezone.now()
    public = Post.objects.filter(status="published", published_at__lte=now)
    PostAnnouncement.objects.bulk_create(
        [
            PostAnnouncement(post_id=pk, announced_at=now)
            for pk in public.values_list("pk", flat=True)
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_full_text_search"),
        ("comments", "0012_event_kinds_for_reports_and_edits"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostAnnouncement",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="blog.post",
                    ),
                ),
                ("announced_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["-announced_at"]},
        ),
        migrations.CreateModel(
            name="Subscriber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=100, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("confirmation_sent_at", models.DateTimeField(blank=True, null=True)),
                ("confirmation_attempts", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"ordering": ["email"]},
        ),
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("replies", "Replies to a comment"), ("posts", "New posts")],
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "comment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="comments.comment",
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="comments.subscriber",
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.CreateModel(
            name="SubscriptionEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("owed", "Owed"), ("sent", "Sent"), ("failed", "Failed")],
                        default="owed",
                        max_length=6,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "post",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="blog.post",
                    ),
                ),
                (
                    "reply",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="comments.comment",
                    ),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="comments.subscription",
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "replies")),
                fields=("subscriber", "comment"),
                name="subscription_replies_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "posts")),
                fields=("subscriber",),
                name="subscription_posts_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", False), ("kind", "replies")),
                    models.Q(("comment__isnull", True), ("kind", "posts")),
                    _connector="OR",
                ),
                name="subscription_comment_for_replies_only",
            ),
        ),
        migrations.AddIndex(
            model_name="subscriptionemail",
            index=models.Index(fields=["status", "next_attempt_at"], name="subscription_email_due"),
        ),
        migrations.AddConstraint(
            model_name="subscriptionemail",
            constraint=models.UniqueConstraint(
                fields=("subscription", "reply"), name="subscription_email_reply_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="subscriptionemail",
            constraint=models.UniqueConstraint(
                fields=("subscription", "post"), name="subscription_email_post_once"
            ),
        ),
        migrations.RunPython(posts_public_before, migrations.RunPython.noop),
    ]
