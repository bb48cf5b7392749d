from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="event",
            name="event_category",
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["category", "story_ptr"], name="event_category_story"),
        ),
    ]
