"""The connector registry: channel kind slug → connector instance."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from civique.channels.connectors.base import Connector

CONNECTORS = [
    "civique.channels.connectors.email.EmailConnector",
    "civique.channels.connectors.structured.WebFormConnector",
    "civique.channels.connectors.structured.PhoneConnector",
    "civique.channels.connectors.structured.CounterConnector",
    "civique.channels.connectors.structured.ApiConnector",
    "civique.channels.connectors.facebook.FacebookConnector",
    "civique.channels.connectors.whatsapp.WhatsAppConnector",
    "civique.channels.connectors.instagram.InstagramConnector",
]


class UnknownConnector(LookupError):
    pass


@cache
def all_connectors() -> dict[str, Connector]:
    result: dict[str, Connector] = {}
    for path in CONNECTORS:
        cls = import_string(path)
        result[cls.kind] = cls()
    return result


def get_connector(kind: str) -> Connector:
    try:
        return all_connectors()[kind]
    except KeyError:
        raise UnknownConnector(f"Aucun connecteur pour le type de canal « {kind} ».") from None


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(c.label)) for kind, c in all_connectors().items()]
