"""Create the two discussion-rule lists, empty, and let the Moderators group edit them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Copied, not imported: a migration must keep working however the app's code changes.
LISTS = ["hold", "trash"]
GRANTS = ["view_discussionrule", "change_discussionrule"]


def forwards(apps, schema_editor):
    DiscussionRule = apps.get_model("comments", "DiscussionRule")
    for kind in LISTS:
        DiscussionRule.objects.get_or_create(kind=kind)
    # Permissions are normally created after every migration has run; create them now
    # so that the group gets them on a fresh database too.
    app_config = apps.get_app_config("comments")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=GRANTS)
    )


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Moderators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=GRANTS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_discussion_rules_and_akismet_account"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
