"""Shared by the data migrations that create the staff groups (Editors, Moderators)."""

from django.contrib.auth.management import create_permissions


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
