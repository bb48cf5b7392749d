from django.db import migrations

from newsroom.comments.permissions import grant_moderator_permissions

# A starting word list; moderators edit it in the admin.
STARTER_WORDS = [
    ("viagra", "spam"),
    ("cialis", "spam"),
    ("payday loan", "spam"),
    ("payday loans", "spam"),
    ("replica watches", "spam"),
    ("essay writing service", "spam"),
    ("crypto giveaway", "spam"),
    ("casino bonus", "spam"),
    ("work from home", "hold"),
    ("earn money fast", "hold"),
    ("click here", "hold"),
    ("buy now", "hold"),
    ("limited offer", "hold"),
    ("whatsapp", "hold"),
    ("telegram", "hold"),
]


def create_moderator_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the group needs them now.
    for label in ("comments", "newsroom", "events"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_moderator_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def add_starter_words(apps, schema_editor):
    WordRule = apps.get_model("comments", "WordRule")
    for phrase, action in STARTER_WORDS:
        WordRule.objects.get_or_create(phrase=phrase, defaults={"action": action, "note": "Starter list"})


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("newsroom", "0003_comment_policy"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_moderator_group, migrations.RunPython.noop),
        migrations.RunPython(add_starter_words, migrations.RunPython.noop),
    ]
