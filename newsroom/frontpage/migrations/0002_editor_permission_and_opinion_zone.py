"""Editors may arrange the front page; it starts with the Opinion zone the page always had."""

from django.db import migrations

from newsroom.workflow import grant_role_permissions


def grant_editors(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations have run; the roles need them now.
    for label in ("auth", "contenttypes", "taggit", "newsroom", "events", "comments", "reversion", "frontpage"):
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def add_opinion_zone(apps, schema_editor):
    Zone = apps.get_model("frontpage", "Zone")
    if not Zone.objects.exists():
        Zone.objects.create(heading="Opinion", slug="opinion", position=10, capacity=4, fill="opinion")


class Migration(migrations.Migration):
    dependencies = [
        ("frontpage", "0001_initial"),
        ("newsroom", "0007_roles"),
    ]

    operations = [
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
        migrations.RunPython(add_opinion_zone, migrations.RunPython.noop),
    ]
