import django.db.models.deletion
from django.db import migrations, models

# Django's own name for the index of the foreign key's column.
INDEX = "newsroom_taggedstory_tag_id_cf12d1c8"


class Migration(migrations.Migration):
    """The context links lose their index on the context alone; the indexes starting with it stay.

    Only the index is dropped: altering the field would make SQLite copy the table into a new one, leaving
    behind the triggers that keep the contexts' month counts (0015).
    """

    dependencies = [
        ("newsroom", "0017_field_labels_found_once"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="taggedstory",
                    name="tag",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)s_items",
                        to="taggit.tag",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "newsroom_taggedstory" ("tag_id")',
                ),
            ],
        ),
    ]
