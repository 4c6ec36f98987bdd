"""Serialising the events that decide the same conversations.

Which conversation a message joins, and which contact it comes from, is decided by reading what
earlier messages left. Two workers processing a mail and its reply at the same moment would each
read the database without the other's message and open two conversations; two workers creating
the same new contact would collide on the unique identity. So each event's transaction first
takes one lock per person and thread it concerns: the sender's identities, the contact an agent
named, the platform's thread. An event waits only for those sharing one of its keys.

- PostgreSQL: transaction-level advisory locks, taken in sorted order (no deadlock between two
  events sharing several keys), released at commit or rollback. In READ COMMITTED each later
  statement sees what the event that held the lock committed.
- SQLite: nothing to take. Every write transaction begins IMMEDIATE (settings), which holds the
  database's only write lock from its first statement: events are already processed one at a
  time, each seeing all that was committed before it.

The order in which a mail and its reply are processed is not serialised (a crashed worker's
mail waits its backoff while its reply goes through): ``find_conversation`` threads a message on
a reply already stored as well as on a parent.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import connection

from civique.channels.connectors.base import ParsedMessage, Sender
from civique.channels.models import Channel
from civique.contacts.normalize import normalize_identity


def _identity_key(sender: Sender) -> str | None:
    try:
        value = normalize_identity(sender.identity_kind, sender.identity_value)
    except ValidationError:
        return None
    return f"identity:{sender.identity_kind}:{value}"


def lock_keys(channel: Channel, parsed: list[ParsedMessage]) -> list[str]:
    """The sorted, distinct keys of what these messages may read and decide."""
    keys: set[str] = set()
    for item in parsed:
        senders = [item.sender, *item.other_identities] if item.sender else item.other_identities
        keys.update(key for key in map(_identity_key, senders) if key)
        if item.contact_id:
            keys.add(f"contact:{item.contact_id}")
        if item.thread_key:
            keys.add(f"thread:{channel.pk}:{item.thread_key}")
    return sorted(keys)


def advisory_key(key: str) -> int:
    """A signed 64-bit number for ``key``, as pg_advisory_xact_lock takes."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def hold_locks(channel: Channel, parsed: list[ParsedMessage]) -> None:
    """Take this event's locks until the end of the current transaction (a no-op on SQLite, see
    the module's docstring). Must be called inside ``transaction.atomic``."""
    if connection.vendor != "postgresql":
        return
    keys = lock_keys(channel, parsed)
    if not keys:
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(key)])
