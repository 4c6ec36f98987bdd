"""IMAP polling with UID tracking.

The channel's cursor holds ``{"uidvalidity": V, "last_uid": U}``. Each poll fetches the UIDs above
U, oldest first, writes each mail as an InboundEvent (external id ``imap:V:UID``) and advances the
cursor only after that event is committed. A crash between the two re-fetches one mail whose
event already exists, so nothing is fetched twice into the log and nothing is skipped. When the
server's UIDVALIDITY changes, every UID is re-read; the pipeline's Message-ID deduplication keeps
one message per mail. Mail on the server is never moved or deleted.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from civique.channels.connectors.base import Store, TransportError, WebhookDelivery
from civique.channels.connectors.email.parse import TRUNCATED_HEADER
from civique.channels.connectors.email.transport import security_and_port, tls_context

if TYPE_CHECKING:
    from civique.channels.models import Channel

logger = logging.getLogger(__name__)
BATCH_SIZE = 50
# At most this much mail is held in memory by one FETCH.
FETCH_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 60


@dataclass
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str
    mark_seen: bool
    ca_file: str = ""


def imap_settings(channel: Channel) -> ImapSettings:
    """Read and check the channel's IMAP settings; a missing one is a permanent error."""
    conf = channel.settings or {}
    host, user = conf.get("imap_host"), conf.get("imap_user")
    if not host or not user:
        raise TransportError(
            _("Réglages IMAP incomplets : imap_host et imap_user sont obligatoires."),
            permanent=True,
        )
    security, port = security_and_port(
        conf, "imap", "ssl", {"ssl": 993, "starttls": 143, "none": 143}
    )
    return ImapSettings(
        host=str(host),
        port=port,
        security=security,
        user=str(user),
        password=str((channel.secrets or {}).get("imap_password") or ""),
        folder=str(conf.get("imap_folder") or "INBOX"),
        mark_seen=bool(conf.get("imap_mark_seen", False)),
        ca_file=str(conf.get("tls_ca_file") or ""),
    )


def connect(conf: ImapSettings) -> IMAPClient:
    """Open and authenticate a session. Raises TransportError (permanent on refused login)."""
    context = tls_context(conf.ca_file) if conf.security != "none" else None
    where = f"{conf.host}:{conf.port}"
    try:
        client = IMAPClient(
            conf.host,
            port=conf.port,
            ssl=conf.security == "ssl",
            ssl_context=context,
            timeout=TIMEOUT_SECONDS,
        )
        if conf.security == "starttls":
            client.starttls(context)
    except (OSError, IMAPClientError) as exc:
        raise TransportError(
            _("Connexion IMAP à %(where)s impossible : %(err)s") % {"where": where, "err": exc}
        ) from None
    try:
        client.login(conf.user, conf.password)
    except LoginError as exc:
        _logout(client)
        raise TransportError(
            _("Identifiants IMAP refusés par %(where)s : %(err)s") % {"where": where, "err": exc},
            permanent=_login_refusal_is_final(str(exc)),
        ) from None
    except (OSError, IMAPClientError) as exc:
        _logout(client)
        raise TransportError(
            _("Connexion IMAP à %(where)s interrompue : %(err)s") % {"where": where, "err": exc}
        ) from None
    return client


# RFC 5530 codes of a refusal that will not change by trying again; [UNAVAILABLE], [SERVERBUG],
# [INUSE]... are the server's passing trouble.
FINAL_LOGIN_CODES = ("[AUTHENTICATIONFAILED]", "[AUTHORIZATIONFAILED]", "[EXPIRED]")
FINAL_SELECT_CODES = ("[NONEXISTENT]", "[NOPERM]")


def _refusal_is_final(answer: str, final_codes: tuple[str, ...]) -> bool:
    """A refusal is final when the server says so, or gives no reason code at all."""
    upper = answer.upper()
    return any(code in upper for code in final_codes) or "[" not in upper


def _login_refusal_is_final(answer: str) -> bool:
    return _refusal_is_final(answer, FINAL_LOGIN_CODES)


def _logout(client: IMAPClient) -> None:
    # Closing a broken session must not hide the error that broke it.
    with contextlib.suppress(Exception):
        client.logout()


def poll_mailbox(channel: Channel, store: Store) -> int:
    """Hand every mail not seen yet to ``store``; return how many events are new.

    Precondition: not inside a transaction, so that each event and each cursor advance is
    committed on its own. A channel without ``imap_host`` is not polled (send-only, or fed by
    ``civique ingest``).
    """
    if not (channel.settings or {}).get("imap_host"):
        return 0
    conf = imap_settings(channel)
    client = connect(conf)
    try:
        return _poll(client, channel, conf, store)
    except (OSError, IMAPClientError) as exc:
        raise TransportError(
            _("Relève IMAP de %(folder)s interrompue : %(err)s")
            % {"folder": conf.folder, "err": exc}
        ) from None
    finally:
        _logout(client)


def _poll(client: IMAPClient, channel: Channel, conf: ImapSettings, store: Store) -> int:
    try:
        info = client.select_folder(conf.folder, readonly=not conf.mark_seen)
    except IMAPClientError as exc:
        raise TransportError(
            _("Dossier IMAP « %(folder)s » inaccessible : %(err)s")
            % {"folder": conf.folder, "err": exc},
            permanent=_refusal_is_final(str(exc), FINAL_SELECT_CODES),
        ) from None
    uidvalidity = int(info[b"UIDVALIDITY"])
    cursor = channel.cursor or {}
    last_uid = int(cursor.get("last_uid") or 0)
    if cursor.get("uidvalidity") != uidvalidity:
        if cursor:
            logger.warning(
                "Canal %s : UIDVALIDITY passé de %s à %s, relecture complète du dossier.",
                channel.pk,
                cursor.get("uidvalidity"),
                uidvalidity,
            )
        last_uid = 0
    # "N:*" always matches the highest UID, even when it is below N: filter again.
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    created = 0
    for start in range(0, len(uids), BATCH_SIZE):
        created += _fetch_batch(
            client, channel, conf, uidvalidity, uids[start : start + BATCH_SIZE], store
        )
    if not uids and cursor.get("uidvalidity") != uidvalidity:
        _advance(channel, uidvalidity, last_uid)
    return created


def _size_groups(uids: list[int], sizes: dict) -> list[list[int]]:
    """Split ``uids`` (in order) into groups whose mails weigh at most FETCH_BYTES together, so
    that one FETCH never holds more than that in memory (a single larger mail goes alone)."""
    groups: list[list[int]] = []
    group: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, {}).get(b"RFC822.SIZE", 0)
        if group and total + size > FETCH_BYTES:
            groups.append(group)
            group, total = [], 0
        group.append(uid)
        total += size
    if group:
        groups.append(group)
    return groups


def _fetch_batch(
    client: IMAPClient,
    channel: Channel,
    conf: ImapSettings,
    uidvalidity: int,
    uids: list[int],
    store: Store,
) -> int:
    sizes = client.fetch(uids, ["RFC822.SIZE"])
    return sum(
        _fetch_group(client, channel, conf, uidvalidity, group, sizes, store)
        for group in _size_groups(uids, sizes)
    )


def _fetch_group(
    client: IMAPClient,
    channel: Channel,
    conf: ImapSettings,
    uidvalidity: int,
    uids: list[int],
    sizes: dict,
    store: Store,
) -> int:
    limit = settings.CIVIQUE_MAX_EVENT_BYTES
    whole = [uid for uid in uids if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) <= limit]
    data = client.fetch(whole, ["BODY.PEEK[]"]) if whole else {}
    created = 0
    for uid in uids:
        if uid in data:
            raw = data[uid].get(b"BODY[]") or b""
        elif uid in sizes:
            raw = _headers_only(client, uid, sizes[uid].get(b"RFC822.SIZE", 0))
        else:
            continue  # expunged meanwhile
        created += int(store(WebhookDelivery(raw, "message/rfc822", f"imap:{uidvalidity}:{uid}")))
        _advance(channel, uidvalidity, uid)
        if conf.mark_seen:
            client.add_flags([uid], [b"\\Seen"], silent=True)
    return created


def _headers_only(client: IMAPClient, uid: int, size: int) -> bytes:
    """A mail over the event size limit: its headers and a note, so that it is still traced.

    Its MIME headers are dropped (with their continuation lines): the body they describe is
    not there.
    """
    header = client.fetch([uid], ["BODY.PEEK[HEADER]"]).get(uid, {}).get(b"BODY[HEADER]") or b""
    lines: list[bytes] = []
    skipping = False
    for line in header.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                lines.append(line)
            continue
        skipping = line.lower().startswith((b"content-", b"mime-version"))
        if not skipping and line.strip():
            lines.append(line)
    lines += [
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=utf-8",
        f"{TRUNCATED_HEADER}: {size}".encode(),
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _advance(channel: Channel, uidvalidity: int, uid: int) -> None:
    channel.cursor = {"uidvalidity": uidvalidity, "last_uid": uid}
    channel.save(update_fields=["cursor"])
