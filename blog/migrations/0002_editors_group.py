"""Create the "Editors" group: may add, change and delete posts and tags, nothing else."""

from django.db import migrations

from blog.groups import ensure_group, remove_group

EDITOR_GRANTS = [
    ("blog", "post", ["add", "change", "delete", "view"]),
    ("taggit", "tag", ["add", "change", "delete", "view"]),
]


def create_group(apps, schema_editor):
    ensure_group(apps, "Editors", EDITOR_GRANTS)


def delete_group(apps, schema_editor):
    remove_group(apps, "Editors")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
