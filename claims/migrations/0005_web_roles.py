"""Give the roles their permissions on feeds and imports by URL (claims/permissions.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from claims.permissions import WEB_ROLE_PERMISSIONS


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in WEB_ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Role {role!r} names unknown permissions: {sorted(missing)}")
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in WEB_ROLE_PERMISSIONS.items():
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        for group in Group.objects.filter(name=role):
            group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_web_feeds_api_webhooks")]

    operations = [migrations.RunPython(grant, revoke)]
