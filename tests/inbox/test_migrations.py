"""Migrations keep existing rows valid."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("inbox", "0002_message_author_identity")
AFTER = ("inbox", "0004_delivery_operation_kind")


def migrate(inbox_target=None):
    """Migrate inbox to ``inbox_target`` (the latest when None), every other app to its latest;
    return the models as they are then."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    targets = [n for n in leaves if n[0] != "inbox" or inbox_target is None]
    targets += [inbox_target] if inbox_target else []
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_turns_existing_deliveries_into_send_operations(team):
    apps = migrate(BEFORE)
    try:
        channel = apps.get_model("channels", "Channel").objects.create(
            kind="email", name="Mairie", team_id=team.pk
        )
        conversation = apps.get_model("inbox", "Conversation").objects.create(channel=channel)
        message = apps.get_model("inbox", "Message").objects.create(
            conversation=conversation, channel=channel, direction="out", kind="message",
            visibility="private", text="Bonjour.",
        )  # fmt: skip
        apps.get_model("inbox", "Delivery").objects.create(message=message, state="sent")
        apps = migrate(AFTER)
        delivery = apps.get_model("inbox", "Delivery").objects.get()
        assert (delivery.kind, delivery.state, delivery.message_id) == ("send", "sent", message.pk)
    finally:
        migrate()
