from django.db import migrations, models


def fill(apps, schema_editor):
    from newsroom.archive import rebuild_archive_counts

    rebuild_archive_counts(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0010_context_slugs")]

    operations = [
        migrations.CreateModel(
            name="ArchiveMonth",
            fields=[
                ("month", models.DateField(help_text="The first day of the month.", primary_key=True, serialize=False)),
                ("stories", models.IntegerField(default=0)),
            ],
            options={"ordering": ["month"]},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
