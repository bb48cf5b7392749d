from django.conf import settings
from django.db import migrations, models

LIVE = ("published", "scheduled")


def copy_listing_order(apps, schema_editor):
    """Fill the new columns of every existing context link from its story."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE newsroom_taggedstory AS t SET story_date = s.date, story_publish_at = s.publish_at, "
            "listed = s.status = ANY(%s) FROM newsroom_story AS s WHERE s.id = t.content_object_id",
            [list(LIVE)],
        )
        return
    TaggedStory = apps.get_model("newsroom", "TaggedStory")
    Story = apps.get_model("newsroom", "Story")
    stories = Story.objects.filter(pk=models.OuterRef("content_object_id"))
    TaggedStory.objects.update(
        story_date=models.Subquery(stories.values("date")[:1]),
        story_publish_at=models.Subquery(stories.values("publish_at")[:1]),
        listed=models.Exists(stories.filter(status__in=LIVE)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0007_roles"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="taggedstory",
            name="listed",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="taggedstory",
            name="story_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="taggedstory",
            name="story_publish_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(copy_listing_order, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                condition=models.Q(("status__in", ("published", "scheduled"))),
                fields=["-date", "-publish_at", "-id"],
                name="story_live_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                condition=models.Q(("status__in", ("published", "scheduled"))),
                fields=["-publish_at", "-id"],
                name="story_live_publish_at",
            ),
        ),
        migrations.AddIndex(
            model_name="taggedstory",
            index=models.Index(
                condition=models.Q(("listed", True)),
                fields=["tag", "-story_date", "-story_publish_at", "-content_object"],
                name="tagged_story_listing",
            ),
        ),
    ]
