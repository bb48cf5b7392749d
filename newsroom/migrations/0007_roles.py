"""The newsroom's roles as groups: Reporter, Editor, Moderator and Administrator."""

from django.db import migrations

from newsroom.workflow import grant_role_permissions


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations have run; the groups need them now.
    for label in ("auth", "contenttypes", "taggit", "newsroom", "events", "comments", "reversion"):
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0006_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("events", "0001_initial"),
        ("comments", "0002_moderator_group_and_word_list"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
