"""Say what kind of picture a credit is for, and move a label typed into the credit into the new field.

Editors wrote "Illustration: Dateline graphics desk" by hand; pages now add the label themselves, so a
credit keeping it would read "Photo: Illustration: ...".
"""

import re

from django.db import migrations, models

TYPED_LABEL = re.compile(r"^\s*(photo|photograph|illustration|graphic)\s*:\s*", re.IGNORECASE)
KIND_OF_LABEL = {"photo": "photo", "photograph": "photo", "illustration": "illustration", "graphic": "graphic"}


def move_typed_labels(apps, schema_editor):
    Image = apps.get_model("newsroom", "Image")
    for image in Image.objects.filter(credit__contains=":").only("pk", "credit"):
        found = TYPED_LABEL.match(image.credit)
        if found:
            Image.objects.filter(pk=image.pk).update(
                credit=image.credit[found.end() :], credit_kind=KIND_OF_LABEL[found[1].lower()]
            )


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0010_context_slugs")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="credit_kind",
            field=models.CharField(
                choices=[("photo", "Photo"), ("illustration", "Illustration"), ("graphic", "Graphic")],
                default="photo",
                help_text="Readers see it before the credit: 'Photo: Ana Ruiz / Dateline'.",
                max_length=20,
                verbose_name="credit kind",
            ),
        ),
        migrations.RunPython(move_typed_labels, migrations.RunPython.noop),
    ]
