"""Bans name a person (account or email) or a network (an address or a range), never both, and a network
ban always ends.

Until now banning a commenter also banned their address for good, which silenced everyone else behind
the same office, university or mobile carrier. Existing address bans become network bans ending seven
days from this migration; the person bans they were part of stay as they were. The old address column goes
in the next migration, in a transaction of its own: PostgreSQL will not alter a table in the transaction
that has just written rows to it.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

NETWORK_BAN_DAYS = 7


def split_address_bans(apps, schema_editor):
    Ban = apps.get_model("comments", "BannedCommenter")
    ends = timezone.now() + timedelta(days=NETWORK_BAN_DAYS)
    for ban in Ban.objects.exclude(ip_address__isnull=True).order_by("pk"):
        network = str(ipaddress.ip_network(ban.ip_address))
        if ban.email or ban.user_id:
            Ban.objects.create(
                network=network,
                expires_at=ends,
                reason=(ban.reason or "")[:240] + " (address of an earlier ban)",
                banned_by_id=ban.banned_by_id,
            )
            ban.ip_address = None
            ban.save(update_fields=["ip_address"])
        else:
            ban.network, ban.expires_at = network, ends
            ban.save(update_fields=["network", "expires_at"])


def join_address_bans(apps, schema_editor):
    Ban = apps.get_model("comments", "BannedCommenter")
    for ban in Ban.objects.exclude(network="").order_by("pk"):
        parsed = ipaddress.ip_network(ban.network)
        if parsed.num_addresses == 1:
            ban.ip_address, ban.network = str(parsed.network_address), ""
            ban.save(update_fields=["ip_address", "network"])
        else:
            # The older schema has no ranges.
            ban.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_substring_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="bannedcommenter",
            options={"ordering": ["-created_at"], "verbose_name": "ban", "verbose_name_plural": "bans"},
        ),
        migrations.RemoveConstraint(model_name="bannedcommenter", name="ban_names_someone"),
        migrations.AddField(
            model_name="bannedcommenter",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the ban lifts by itself. Empty: until a moderator lifts it (not allowed for a network).",
                null=True,
                verbose_name="ends",
            ),
        ),
        migrations.AddField(
            model_name="bannedcommenter",
            name="network",
            field=models.CharField(
                blank=True,
                help_text=(
                    "An address (203.0.113.7) or a range (203.0.113.0/24) whose comments are refused. "
                    "Many readers can share one address: a network ban must have an end."
                ),
                max_length=49,
                verbose_name="network",
            ),
        ),
        migrations.RunPython(split_address_bans, join_address_bans),
    ]
