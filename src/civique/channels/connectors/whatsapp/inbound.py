"""What a person sends to the number, and the statuses of what we sent: the ``messages`` field.

Shape (WhatsApp Cloud API, « messages webhook reference »)::

    {"messaging_product": "whatsapp",
     "metadata": {"display_phone_number": "…", "phone_number_id": "…"},
     "contacts": [{"profile": {"name": "…"}, "wa_id": "33612345678"}],
     "messages": [{"from": "33612345678", "id": "wamid.…", "timestamp": "1795000000",
                   "type": "text", "text": {"body": "…"}, "context": {"from": "…", "id": "…"}}],
     "statuses": [{"id": "wamid.…", "status": "delivered", "timestamp": "…",
                   "recipient_id": "…", "errors": [{"code": 131047, "title": "…", …}]}]}

A person is known by their WhatsApp id (``wa_id``, their number in international form without
"+"): their identity is that number in E.164, their conversation's thread key
``whatsapp:<wa_id>``. Every message and every status is its own ``ParsedMessage``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civique.channels.connectors.base import ParsedMessage, ParseError, Sender
from civique.channels.connectors.meta import as_dict, as_id, as_list, as_str, from_epoch

if TYPE_CHECKING:
    from civique.channels.connectors.whatsapp.media import MediaFetcher

MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
STATUSES = ("sent", "delivered", "read", "failed")
MAX_SHARED_CONTACTS = 20


def _names(value: dict[str, Any]) -> dict[str, str]:
    """Profile names by WhatsApp id, from ``contacts[]``."""
    names = {}
    for contact in as_list(value.get("contacts"), "contacts"):
        contact = as_dict(contact, "contacts[]")
        profile = contact.get("profile")
        profile = as_dict(profile, "contacts[].profile") if profile is not None else {}
        wa_id = as_id(contact.get("wa_id"), "contacts[].wa_id")
        names[wa_id] = as_str(profile.get("name"), "contacts[].profile.name")
    return names


def parse_value(value: dict[str, Any], fetcher: MediaFetcher) -> list[ParsedMessage]:
    names = _names(value)
    result = []
    for message in as_list(value.get("messages"), "messages"):
        parsed = _message(as_dict(message, "messages[]"), names, fetcher)
        if parsed is not None:
            result.append(parsed)
    return result


def _message(
    message: dict[str, Any], names: dict[str, str], fetcher: MediaFetcher
) -> ParsedMessage | None:
    kind = as_str(message.get("type"), "messages[].type")
    if kind == "reaction":
        return None  # an emoji on a message: nothing to answer
    wamid = as_id(message.get("id"), "messages[].id")
    if not wamid:
        raise ParseError("Message WhatsApp sans identifiant (id).")
    wa_id = as_id(message.get("from"), "messages[].from")
    context = message.get("context")
    context = as_dict(context, "context") if context is not None else {}
    parsed = ParsedMessage(
        external_id=wamid,
        sender=Sender("whatsapp", f"+{wa_id.lstrip('+')}", names.get(wa_id, "")) if wa_id else None,
        thread_key=f"whatsapp:{wa_id}" if wa_id else "",
        in_reply_to=as_id(context.get("id"), "context.id"),
        platform_timestamp=from_epoch(message.get("timestamp")),
        meta={"platform": "whatsapp", "type": kind, "wa_id": wa_id},
    )
    if context.get("forwarded") is True or context.get("frequently_forwarded") is True:
        parsed.meta["forwarded"] = True
    READERS.get(kind, _unsupported)(parsed, message, kind, fetcher)
    return parsed


def _part(message: dict[str, Any], kind: str) -> dict[str, Any]:
    part = message.get(kind)
    return as_dict(part, kind) if part is not None else {}


def _text(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    parsed.text = as_str(_part(message, "text").get("body"), "text.body")


def _media(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    media = _part(message, kind)
    parsed.text = as_str(media.get("caption"), f"{kind}.caption")
    media_id = as_id(media.get("id"), f"{kind}.id")
    parsed.meta["media_id"] = media_id
    if not media_id:
        parsed.notices.append(_("Pièce jointe WhatsApp sans identifiant : non téléchargée."))
        return
    attachment, notice = fetcher.fetch(
        media_id,
        kind=kind,
        filename=as_str(media.get("filename"), f"{kind}.filename"),
        mime_type=as_str(media.get("mime_type"), f"{kind}.mime_type"),
    )
    if attachment is not None:
        parsed.attachments.append(attachment)
    if notice:
        parsed.notices.append(notice)


def _number(value: Any, what: str) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParseError(f"Champ « {what} » : nombre attendu.") from None
    return number


def _location(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    place = _part(message, "location")
    lat = _number(place.get("latitude"), "location.latitude")
    lon = _number(place.get("longitude"), "location.longitude")
    name = as_str(place.get("name"), "location.name")
    address = as_str(place.get("address"), "location.address")
    label = ", ".join(part for part in (name, address) if part)
    valid = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    if valid:
        parsed.location = {"lat": lat, "lon": lon, "address": label}
        coordinates = f"{lat:.6f}, {lon:.6f}"
        parsed.text = _("Position partagée : %(place)s") % {
            "place": f"{label} ({coordinates})" if label else coordinates
        }
    else:
        parsed.text = _("Position partagée : %(place)s") % {"place": label or "?"}
        parsed.notices.append(_("Coordonnées de la position WhatsApp illisibles."))
    parsed.meta["location"] = {"name": name, "address": address, "url": _url(place)}


def _url(place: dict[str, Any]) -> str:
    url = as_str(place.get("url"), "location.url")
    return url if url.startswith(("https://", "http://")) else ""


def _shared_contact(item: Any) -> dict[str, Any]:
    item = as_dict(item, "contacts[]")
    name = item.get("name")
    name = as_dict(name, "contacts[].name") if name is not None else {}
    formatted = as_str(name.get("formatted_name"), "contacts[].name.formatted_name")
    if not formatted:
        parts = ("first_name", "last_name")
        formatted = " ".join(as_str(name.get(p), f"contacts[].name.{p}") for p in parts).strip()
    phones = [
        as_str(as_dict(phone, "phones[]").get("phone"), "phones[].phone")
        for phone in as_list(item.get("phones"), "contacts[].phones")
    ]
    emails = [
        as_str(as_dict(email, "emails[]").get("email"), "emails[].email")
        for email in as_list(item.get("emails"), "contacts[].emails")
    ]
    org = item.get("org")
    org = as_dict(org, "contacts[].org") if org is not None else {}
    return {
        "name": formatted,
        "phones": [p for p in phones if p],
        "emails": [e for e in emails if e],
        "company": as_str(org.get("company"), "contacts[].org.company"),
    }


def _contacts(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    """Shared vCards: their names and numbers as text, their structure in ``meta``."""
    shared = [
        _shared_contact(item)
        for item in as_list(message.get("contacts"), "contacts")[:MAX_SHARED_CONTACTS]
    ]
    lines = [
        " — ".join(filter(None, [c["name"] or _("(sans nom)"), *c["phones"], *c["emails"]]))
        for c in shared
    ]
    parsed.text = "\n".join([_("Contact partagé :"), *lines])
    parsed.meta["shared_contacts"] = shared


def _interactive(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    """A reply button or list row tapped: its title is the text, its id in ``meta``."""
    interactive = _part(message, "interactive")
    reply_kind = as_str(interactive.get("type"), "interactive.type")
    reply = interactive.get(reply_kind) if reply_kind in ("button_reply", "list_reply") else None
    if reply is None:
        _unsupported(parsed, message, f"interactive/{reply_kind}", fetcher)
        return
    reply = as_dict(reply, f"interactive.{reply_kind}")
    parsed.text = as_str(reply.get("title"), f"{reply_kind}.title")
    parsed.meta["reply_id"] = as_str(reply.get("id"), f"{reply_kind}.id")


def _button(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    """A quick-reply button of one of our templates."""
    button = _part(message, "button")
    parsed.text = as_str(button.get("text"), "button.text")
    parsed.meta["reply_id"] = as_str(button.get("payload"), "button.payload")


def _unsupported(parsed: ParsedMessage, message: dict[str, Any], kind: str, fetcher: Any) -> None:
    notice = _(
        "Message WhatsApp d'un type que Civique ne lit pas (%(type)s) : demandez à la personne "
        "de l'envoyer autrement (texte, photo, document)."
    ) % {"type": kind[:40] or "?"}
    parsed.text = notice
    parsed.meta["type"] = kind[:40]


READERS = {
    "text": _text,
    **dict.fromkeys(MEDIA_TYPES, _media),
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
}


# --- Statuses of our own messages -----------------------------------------------------------

# Error codes of the WhatsApp Cloud API (« Error codes ») explained to the agent.
ERRORS = {
    131047: gettext_noop(
        "Plus de 24 heures depuis le dernier message de la personne : seul un modèle "
        "approuvé peut lui être envoyé."
    ),
    131026: gettext_noop(
        "Message non remis : ce numéro n'utilise pas WhatsApp, ou son application est trop "
        "ancienne. Contactez la personne par un autre canal."
    ),
    131049: gettext_noop(
        "WhatsApp n'a pas remis ce message pour limiter les envois à cette personne : "
        "réessayez plus tard ou passez par un autre canal."
    ),
    131050: gettext_noop("La personne a choisi de ne plus recevoir de messages de ce numéro."),
    131052: gettext_noop("La pièce jointe n'a pas pu être téléchargée par WhatsApp."),
    131053: gettext_noop(
        "La pièce jointe n'a pas pu être envoyée (format ou taille refusé par WhatsApp)."
    ),
    131048: gettext_noop(
        "Envoi limité par WhatsApp (trop de messages signalés) : réessayez plus tard."
    ),
    131056: gettext_noop(
        "Trop de messages envoyés à cette personne en peu de temps : réessayez plus tard."
    ),
    130429: gettext_noop("Débit d'envoi de WhatsApp dépassé : réessayez plus tard."),
    131031: gettext_noop(
        "Le compte WhatsApp Business de la collectivité est bloqué : voyez WhatsApp Manager."
    ),
    131042: gettext_noop(
        "Problème de paiement du compte WhatsApp Business : voyez WhatsApp Manager."
    ),
    131021: gettext_noop("Le destinataire est le numéro de la collectivité lui-même."),
    131000: gettext_noop("Erreur passagère de WhatsApp : le message n'a pas été remis."),
}


def _explain_failure(status: dict[str, Any]) -> str:
    errors = as_list(status.get("errors"), "statuses[].errors")
    if not errors:
        return _("WhatsApp n'a pas pu remettre ce message.")
    error = as_dict(errors[0], "statuses[].errors[]")
    code_text = as_str(error.get("code"), "errors[].code")
    code = int(code_text) if code_text.isdigit() and len(code_text) <= 9 else 0
    data = error.get("error_data")
    data = as_dict(data, "errors[].error_data") if data is not None else {}
    platform = as_str(data.get("details"), "error_data.details") or as_str(
        error.get("message") or error.get("title"), "errors[].title"
    )
    known = ERRORS.get(code)
    text = _(known) if known else _("WhatsApp n'a pas pu remettre ce message.")
    return f"{text} (WhatsApp : {platform[:300]}, code {code_text[:12] or '?'})"


def parse_status(status: Any) -> ParsedMessage | None:
    """One ``statuses[]`` item → the status of one of our messages (None: not one we follow)."""
    status = as_dict(status, "statuses[]")
    wamid = as_id(status.get("id"), "statuses[].id")
    state = as_str(status.get("status"), "statuses[].status")
    if not wamid or state not in STATUSES:
        return None
    return ParsedMessage(
        external_id=f"{wamid}#status:{state}",
        sender=None,
        status_of=wamid,
        status=state,
        text=_explain_failure(status) if state == "failed" else "",
        platform_timestamp=from_epoch(status.get("timestamp")),
        meta={
            "platform": "whatsapp",
            "recipient_id": as_id(status.get("recipient_id"), "statuses[].recipient_id"),
        },
    )
