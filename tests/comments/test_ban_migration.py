"""Existing bans after network bans became separate: the person stays banned, the address for a week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("comments", "0004_substring_search_indexes")]
AFTER = [("comments", "0006_bans_without_address_column")]


@pytest.mark.django_db(transaction=True)
def test_old_bans_keep_the_person_and_turn_the_address_into_a_network_ban_that_ends():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Ban = old_apps.get_model("comments", "BannedCommenter")
    Ban.objects.create(email="troll@readers.example", ip_address="203.0.113.5", reason="abuse")
    Ban.objects.create(ip_address="2001:db8::7", reason="spam run")
    Ban.objects.create(email="quiet@readers.example")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    Ban = executor.loader.project_state(AFTER).apps.get_model("comments", "BannedCommenter")
    people = set(Ban.objects.filter(network="").values_list("email", "expires_at"))
    assert people == {("troll@readers.example", None), ("quiet@readers.example", None)}
    networks = {ban.network: ban for ban in Ban.objects.exclude(network="")}
    assert set(networks) == {"203.0.113.5/32", "2001:db8::7/128"}
    for ban in networks.values():
        assert (ban.email, ban.user_id) == ("", None)
        assert timedelta(days=6) < ban.expires_at - timezone.now() <= timedelta(days=7)
    assert "abuse" in networks["203.0.113.5/32"].reason

    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
