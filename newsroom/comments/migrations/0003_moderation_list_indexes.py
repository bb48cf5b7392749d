from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_moderator_group_and_word_list"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                models.Case(models.When(status="pending", then=models.Value(0)), default=models.Value(1)),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="comment_pending_first",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(condition=models.Q(("flag_count__gt", 0)), fields=["-created_at"], name="comment_flagged"),
        ),
    ]
