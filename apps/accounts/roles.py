"""Staff roles are Django groups. Each app's data migration grants its own permissions to them
through ``role_permissions_grant``; superusers have every permission."""

FINANCE = "Finance"
KYC_REVIEW = "KYC review"
SUPPORT = "Support"
OPERATIONS = "Operations"
ROLES = (FINANCE, KYC_REVIEW, SUPPORT, OPERATIONS)

# role -> "app_label.codename" granted by the accounts and workers migrations. Later apps add
# theirs in their own migrations (deposits to Finance, submissions to KYC review, ...).
FOUNDATION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    FINANCE: ("accounts.view_user",),
    KYC_REVIEW: ("accounts.view_user",),
    SUPPORT: ("accounts.view_user", "accounts.change_user"),
    OPERATIONS: (
        "accounts.view_user",
        "accounts.change_user",
        "accounts.deactivate_user",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_intervalschedule",
        "workers.view_heartbeat",
    ),
}


def role_permissions_grant(apps, role_permissions: dict[str, tuple[str, ...]]) -> None:
    """Create the groups if needed and grant them the named permissions (for data migrations).

    Permissions are normally created after ``migrate`` finishes; create them now so a fresh
    database gets its roles in one pass.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in role_permissions.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            permission = permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)
