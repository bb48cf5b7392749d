"""The old address column of bans goes; bans now name a person or a network (see the previous migration)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("comments", "0005_bans_of_people_or_networks")]

    operations = [
        migrations.RemoveIndex(model_name="bannedcommenter", name="ban_address"),
        migrations.RemoveField(model_name="bannedcommenter", name="ip_address"),
        migrations.AddIndex(
            model_name="bannedcommenter",
            index=models.Index(fields=["network"], name="ban_network"),
        ),
        migrations.AddConstraint(
            model_name="bannedcommenter",
            constraint=models.CheckConstraint(
                condition=~models.Q(email="") | models.Q(user__isnull=False) | ~models.Q(network=""),
                name="ban_names_someone",
                violation_error_message="Give an email, an account or a network to ban.",
            ),
        ),
        migrations.AddConstraint(
            model_name="bannedcommenter",
            constraint=models.CheckConstraint(
                condition=models.Q(network="") | models.Q(email="", user__isnull=True),
                name="ban_person_or_network",
                violation_error_message="Ban a person (account or email) or a network, not both in one ban.",
            ),
        ),
        migrations.AddConstraint(
            model_name="bannedcommenter",
            constraint=models.CheckConstraint(
                condition=models.Q(network="") | models.Q(expires_at__isnull=False),
                name="ban_network_ends",
                violation_error_message="A network ban needs an end: many readers can share one address.",
            ),
        ),
    ]
