"""Create the "Moderators" group: may view and change comments, nothing else."""

from django.db import migrations

from blog.groups import ensure_group, remove_group

MODERATOR_GRANTS = [("comments", "comment", ["view", "change"])]


def create_group(apps, schema_editor):
    ensure_group(apps, "Moderators", MODERATOR_GRANTS)


def delete_group(apps, schema_editor):
    remove_group(apps, "Moderators")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
