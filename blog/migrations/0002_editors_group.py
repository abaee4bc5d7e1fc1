"""Create the "Editors" group: may add, change and delete posts and tags, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied, not imported: a migration must keep working however the app's code changes.


def ensure_group(apps, name: str, grants: list[tuple[str, str, list[str]]]) -> None:
    """Create group `name` holding exactly `grants`: (app label, model, actions) triples."""
    # Permissions are normally created after every migration has run; create them now so
    # that a fresh database ends up with a complete group.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=name)
    for app_label, model, actions in grants:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def remove_group(apps, name: str) -> None:
    apps.get_model("auth", "Group").objects.filter(name=name).delete()

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
