import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_likes"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebmentionSent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("target", models.URLField(max_length=2000)),
                ("endpoint", models.URLField(blank=True, max_length=2000)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("sent", "Accepted"),
                            ("no-endpoint", "No Webmention endpoint"),
                            ("rejected", "Refused by the endpoint"),
                            ("not-allowed", "Not sent: address not allowed"),
                            ("failed", "Failed, will try again"),
                            ("gave-up", "Failed, given up"),
                        ],
                        default="pending",
                        max_length=12,
                    ),
                ),
                (
                    "status_code",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="HTTP status"
                    ),
                ),
                ("error", models.TextField(blank=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("version", models.CharField(blank=True, max_length=64)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                (
                    "attempted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt"),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webmentions_sent",
                        to="blog.post",
                    ),
                ),
            ],
            options={
                "verbose_name": "webmention sent",
                "verbose_name_plural": "webmentions sent",
                "ordering": ["post", "target"],
                "constraints": [
                    models.UniqueConstraint(fields=("post", "target"), name="webmention_sent_once")
                ],
            },
        ),
    ]
