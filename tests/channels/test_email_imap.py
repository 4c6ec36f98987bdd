"""IMAP polling against a real Dovecot (``.ci/dovecot.sh``): UID tracking across restarts."""

from __future__ import annotations

import os
import socket

import pytest
from imapclient import IMAPClient

from civique.channels.connectors.base import TransportError
from civique.channels.connectors.email import imap
from civique.channels.models import Channel
from civique.inbox.models import Message
from civique.ingest.actions import poll_channel_now, process_due_events
from civique.ingest.models import InboundEvent
from civique.ingest.tasks import poll_channel
from tests.channels.mail import eml, mail
from tests.services import IMAP_HOST, IMAP_PASSWORD, IMAP_PORT, IMAP_USER, need

pytestmark = pytest.mark.imap

# One folder per test process: the SQLite and PostgreSQL passes run side by side on one Dovecot.
FOLDER = f"Civique-tests-{os.getpid()}"


def empty(client: IMAPClient, folder: str) -> None:
    client.select_folder(folder)
    uids = client.search()
    if uids:
        client.delete_messages(uids)
        client.expunge()


@pytest.fixture
def mailbox():
    """A session on the test account, with an empty test folder before and after each test."""
    need("Dovecot IMAP", IMAP_HOST, IMAP_PORT)
    client = IMAPClient(IMAP_HOST, port=IMAP_PORT, ssl=False)
    client.login(IMAP_USER, IMAP_PASSWORD)
    if not client.folder_exists(FOLDER):
        client.create_folder(FOLDER)
    empty(client, FOLDER)
    yield client
    client.select_folder("INBOX")
    client.delete_folder(FOLDER)
    client.logout()


@pytest.fixture
def imap_channel(email_channel, mailbox) -> Channel:
    email_channel.settings.update(
        imap_host=IMAP_HOST,
        imap_port=IMAP_PORT,
        imap_security="none",
        imap_user=IMAP_USER,
        imap_folder=FOLDER,
    )
    email_channel.secrets = {"imap_password": IMAP_PASSWORD}
    email_channel.save()
    return email_channel


def poll(channel: Channel) -> int:
    """One poll on a fresh copy of the channel, as after a restart."""
    return poll_channel_now(Channel.objects.get(pk=channel.pk))


def append(client: IMAPClient, *raws: bytes) -> None:
    for raw in raws:
        client.append(FOLDER, raw)


def numbered(n: int) -> bytes:
    return mail(subject=f"Demande {n}", message_id=f"<demande-{n}@orange.fr>", body=f"n°{n}\n")


def test_it_stores_each_new_mail_as_one_event(imap_channel, mailbox):
    append(mailbox, eml("depot-sauvage-windows-1252.eml"), eml("iphone-photo-et-pdf.eml"))
    assert poll(imap_channel) == 2
    uidvalidity = mailbox.select_folder(FOLDER)[b"UIDVALIDITY"]
    uids = mailbox.search()
    events = list(InboundEvent.objects.order_by("id"))
    assert [e.external_id for e in events] == [f"imap:{uidvalidity}:{uid}" for uid in uids]
    assert bytes(events[0].payload) == eml("depot-sauvage-windows-1252.eml")
    imap_channel.refresh_from_db()
    assert imap_channel.cursor == {"uidvalidity": uidvalidity, "last_uid": max(uids)}
    process_due_events()
    subjects = set(Message.objects.values_list("subject", flat=True))
    assert subjects == {"Dépôt sauvage rue des Tilleuls", "Nid-de-poule avenue Jean-Jaurès"}


def test_a_restart_fetches_nothing_twice_and_only_new_mail_after(imap_channel, mailbox):
    append(mailbox, numbered(1), numbered(2))
    assert poll(imap_channel) == 2
    assert poll(imap_channel) == 0
    append(mailbox, numbered(3))
    assert poll(imap_channel) == 1
    assert InboundEvent.objects.count() == 3
    process_due_events()
    assert sorted(Message.objects.values_list("subject", flat=True)) == [
        "Demande 1",
        "Demande 2",
        "Demande 3",
    ]


def test_a_crash_before_the_cursor_moved_duplicates_nothing(imap_channel, mailbox):
    append(mailbox, numbered(1), numbered(2))
    poll(imap_channel)
    # The worker died after storing the events but before saving the cursor.
    Channel.objects.filter(pk=imap_channel.pk).update(cursor={})
    assert poll(imap_channel) == 0
    assert InboundEvent.objects.count() == 2
    imap_channel.refresh_from_db()
    assert imap_channel.cursor["last_uid"] == max(mailbox.search())


def test_mail_is_fetched_in_batches_oldest_first(imap_channel, mailbox, monkeypatch):
    monkeypatch.setattr(imap, "BATCH_SIZE", 2)
    append(mailbox, *[numbered(n) for n in range(1, 6)])
    assert poll(imap_channel) == 5
    process_due_events()
    subjects = list(Message.objects.order_by("id").values_list("subject", flat=True))
    assert subjects == [f"Demande {n}" for n in range(1, 6)]


def test_a_new_uidvalidity_refetches_everything_without_duplicate_messages(imap_channel, mailbox):
    append(mailbox, numbered(1), numbered(2))
    poll(imap_channel)
    process_due_events()
    old_validity = Channel.objects.get(pk=imap_channel.pk).cursor["uidvalidity"]
    # The folder is re-created on the server (a migration, a restore): UIDs start again.
    mailbox.select_folder("INBOX")
    mailbox.delete_folder(FOLDER)
    mailbox.create_folder(FOLDER)
    append(mailbox, numbered(1), numbered(2), numbered(3))
    new_validity = mailbox.select_folder(FOLDER)[b"UIDVALIDITY"]
    assert new_validity != old_validity
    assert poll(imap_channel) == 3
    process_due_events()
    assert Message.objects.count() == 3
    assert Channel.objects.get(pk=imap_channel.pk).cursor["uidvalidity"] == new_validity


def test_mail_stays_on_the_server_unread(imap_channel, mailbox):
    append(mailbox, numbered(1))
    poll(imap_channel)
    mailbox.select_folder(FOLDER, readonly=True)
    (uid,) = mailbox.search()
    assert b"\\Seen" not in mailbox.get_flags([uid])[uid]


def test_it_can_mark_fetched_mail_as_read(imap_channel, mailbox):
    imap_channel.settings["imap_mark_seen"] = True
    imap_channel.save()
    append(mailbox, numbered(1))
    poll(imap_channel)
    mailbox.select_folder(FOLDER, readonly=True)
    (uid,) = mailbox.search()
    assert b"\\Seen" in mailbox.get_flags([uid])[uid]


def test_a_mail_over_the_size_limit_is_traced_by_its_headers(imap_channel, mailbox, settings):
    settings.CIVIQUE_MAX_EVENT_BYTES = 2000
    append(mailbox, eml("iphone-photo-et-pdf.eml"))  # about 3 kB
    assert poll(imap_channel) == 1
    process_due_events()
    message = Message.objects.get()
    assert message.subject == "Nid-de-poule avenue Jean-Jaurès"
    assert message.external_id == "<8E3F0C1B-7D2A-4C55-9B1E-2F6A3D4C5B6A@icloud.com>"
    notes = [e.data.get("text", "") for e in message.conversation.timeline.filter(kind="system")]
    assert any("trop volumineux" in note for note in notes)


def test_a_wrong_password_is_a_permanent_error(imap_channel):
    imap_channel.secrets = {"imap_password": "pas-le-bon"}
    imap_channel.save()
    with pytest.raises(TransportError) as caught:
        poll(imap_channel)
    assert caught.value.permanent
    assert "pas-le-bon" not in str(caught.value)


def test_a_refused_password_suspends_polling_but_not_replies(imap_channel):
    imap_channel.secrets = {"imap_password": "pas-le-bon"}
    imap_channel.save()
    assert poll_channel.call(imap_channel.pk) == 0
    imap_channel.refresh_from_db()
    assert imap_channel.polling_suspended is True
    assert imap_channel.is_active is True  # replies still leave through SMTP
    assert imap_channel.last_error.startswith("Relève suspendue")
    assert "pas-le-bon" not in imap_channel.last_error
    # Suspended, it is left alone until someone sets a new password or clears the flag.
    assert poll_channel.call(imap_channel.pk) == 0


@pytest.mark.parametrize(
    ("answer", "final"),
    [
        ("[AUTHENTICATIONFAILED] Authentication failed.", True),
        ("Invalid credentials", True),  # no reason code: treated as final
        ("[UNAVAILABLE] Temporary authentication failure.", False),
        ("[SERVERBUG] Internal error occurred.", False),
    ],
)
def test_only_a_final_login_refusal_suspends_polling(answer, final):
    from civique.channels.connectors.email.imap import _login_refusal_is_final

    assert _login_refusal_is_final(answer) is final


def test_an_unknown_folder_is_a_permanent_error(imap_channel):
    imap_channel.settings["imap_folder"] = "Inexistant"
    imap_channel.save()
    with pytest.raises(TransportError, match="Inexistant") as caught:
        poll(imap_channel)
    assert caught.value.permanent


def test_an_unreachable_server_is_a_temporary_error(imap_channel):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        imap_channel.settings["imap_port"] = sock.getsockname()[1]
    imap_channel.save()
    with pytest.raises(TransportError, match="impossible") as caught:
        poll(imap_channel)
    assert not caught.value.permanent


def test_the_poll_task_shows_the_error_on_the_channel(imap_channel):
    imap_channel.secrets = {"imap_password": "pas-le-bon"}
    imap_channel.save()
    assert poll_channel.call(imap_channel.pk) == 0
    imap_channel.refresh_from_db()
    assert "Identifiants IMAP refusés" in imap_channel.last_error


def test_the_poll_task_counts_new_mail(imap_channel, mailbox):
    append(mailbox, numbered(1))
    assert poll_channel.call(imap_channel.pk) == 1
    imap_channel.refresh_from_db()
    assert imap_channel.last_polled_at is not None


def test_a_channel_without_imap_settings_is_not_polled(email_channel):
    assert poll(email_channel) == 0
    assert poll_channel.call(email_channel.pk) == 0
    email_channel.refresh_from_db()
    assert email_channel.last_error == ""
    assert email_channel.cursor == {}


def test_incomplete_imap_settings_are_a_permanent_error(email_channel):
    email_channel.settings["imap_host"] = IMAP_HOST
    email_channel.save()
    with pytest.raises(TransportError, match="imap_user") as caught:
        poll(email_channel)
    assert caught.value.permanent


def test_fetches_are_grouped_so_memory_stays_bounded():
    from civique.channels.connectors.email.imap import FETCH_BYTES, _size_groups

    sizes = {
        1: {b"RFC822.SIZE": FETCH_BYTES // 2},
        2: {b"RFC822.SIZE": FETCH_BYTES // 2},
        3: {b"RFC822.SIZE": 10},
        4: {b"RFC822.SIZE": FETCH_BYTES * 2},
        5: {b"RFC822.SIZE": 10},
    }
    assert _size_groups([1, 2, 3, 4, 5], sizes) == [[1, 2], [3], [4], [5]]
