# Hourly view counts behind the "most read now" list.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0004_story_search_vector'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoryViewCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField(help_text='Start of the hour, in UTC.')),
                ('views', models.PositiveIntegerField(default=0)),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='view_counts', to='newsroom.story')),
            ],
            options={
                'indexes': [models.Index(fields=['hour', 'story'], name='story_view_count_hour')],
                'constraints': [models.UniqueConstraint(fields=('story', 'hour'), name='story_view_count_unique_hour')],
            },
        ),
    ]
