"""What IMAP and SMTP share: how a channel's settings choose the secured connection."""

from __future__ import annotations

import ssl
from typing import Any

from django.utils.translation import gettext as _

from civique.channels.connectors.base import TransportError

SECURITY_CHOICES = ("ssl", "starttls", "none")


def security_and_port(
    conf: dict[str, Any], protocol: str, default_security: str, default_ports: dict[str, int]
) -> tuple[str, int]:
    """Read ``<protocol>_security`` and ``<protocol>_port``; a bad value is a permanent error.
    The port defaults to the protocol's usual one for that security."""
    security = str(conf.get(f"{protocol}_security") or default_security).lower()
    if security not in SECURITY_CHOICES:
        raise TransportError(
            _("%(key)s doit valoir ssl, starttls ou none (reçu « %(v)s »).")
            % {"key": f"{protocol}_security", "v": security},
            permanent=True,
        )
    try:
        port = int(conf.get(f"{protocol}_port") or default_ports[security])
    except (TypeError, ValueError):
        raise TransportError(
            _("%(key)s doit être un nombre.") % {"key": f"{protocol}_port"}, permanent=True
        ) from None
    return security, port


def tls_context(ca_file: str) -> ssl.SSLContext:
    """A verifying TLS context; ``ca_file`` (a PEM bundle, e.g. a town hall's internal CA) is
    trusted in addition to the system's CAs. An unusable file is a permanent error."""
    context = ssl.create_default_context()
    if not ca_file:
        return context
    try:
        context.load_verify_locations(cafile=ca_file)
    except OSError as exc:  # missing, unreadable, or not PEM certificates (ssl.SSLError)
        raise TransportError(
            _(
                "Fichier d'autorités de certification tls_ca_file « %(path)s » inutilisable : "
                "%(err)s"
            )
            % {"path": ca_file, "err": exc},
            permanent=True,
        ) from None
    return context
