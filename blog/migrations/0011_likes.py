"""Likes: the Like model, each post's count, and the Editors' and Moderators' right to see
likes and remove them."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Copied, not imported: a migration must keep working however the app's code changes.
GROUPS = ["Editors", "Moderators"]
GRANTS = ["view_like", "delete_like"]
SQLITE_ADD = (
    "ALTER TABLE blog_post ADD COLUMN like_count integer unsigned NOT NULL DEFAULT 0 "
    "CHECK (like_count >= 0)"
)


def add_like_count(apps, schema_editor):
    # On SQLite Django would build blog_post anew for a NOT NULL column, which the search
    # triggers (0010) do not survive; SQLite adds one with a default in place.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ADD)
    else:
        schema_editor.add_field(apps.get_model("blog", "Post"), _like_count())


def remove_like_count(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE blog_post DROP COLUMN like_count")
    else:
        schema_editor.remove_field(apps.get_model("blog", "Post"), _like_count())


def _like_count():
    # The state these run in has no such field yet (or any more): the field as added.
    field = models.PositiveIntegerField(default=0, editable=False, verbose_name="likes")
    field.set_attributes_from_name("like_count")
    return field


def grant(apps, schema_editor):
    # Permissions are normally created after every migration has run; create them now so
    # that the groups get them on a fresh database too.
    app_config = apps.get_app_config("blog")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="blog", codename__in=GRANTS)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="blog", codename__in=GRANTS)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_full_text_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="post",
                    name="like_count",
                    field=models.PositiveIntegerField(
                        default=0, editable=False, verbose_name="likes"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_like_count, remove_like_count)],
        ),
        migrations.CreateModel(
            name="Like",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("browser_id", models.CharField(max_length=32)),
                ("address_hash", models.CharField(blank=True, max_length=32)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="likes",
                        to="blog.post",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["address_hash", "created_at"], name="like_address_recent"),
                    models.Index(
                        condition=models.Q(("address_hash", ""), _negated=True),
                        fields=["created_at"],
                        name="like_address_kept",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("post", "browser_id"), name="like_once_per_browser"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
