"""Display helpers for the back office: waiting times, labels of stored codes, phones, HTML."""

from __future__ import annotations

import nh3
from django import template
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from civique.channels.connectors.base import OperationKind
from civique.contacts.normalize import format_phone
from civique.inbox.access import can_read_text
from civique.inbox.extensions import nav_links
from civique.inbox.models import DeliveryState, MessageKind, Priority, Status

register = template.Library()

# Tags kept when showing an email's cleaned HTML: text structure only, no images or styles.
DISPLAY_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip


@register.filter
def waiting_for(value) -> str:
    """'3 heures': the largest unit only, for lists read at a glance."""
    return timesince(value, depth=1) if value else ""


@register.filter
def status_label(code) -> str:
    try:
        return str(Status(code).label)
    except ValueError:
        return str(code or "")


@register.filter
def priority_label(value) -> str:
    try:
        return str(Priority(int(value)).label)
    except (TypeError, ValueError):
        return str(value or "")


@register.filter
def kind_label(code) -> str:
    try:
        return str(MessageKind(code).label)
    except ValueError:
        return str(code or "")


@register.filter
def delivery_label(code) -> str:
    try:
        return str(DeliveryState(code).label)
    except ValueError:
        return str(code or "")


OPERATION_DONE = {
    OperationKind.SEND: _("Réponse envoyée"),
    OperationKind.REPLY_PUBLIC: _("Réponse publique publiée"),
    OperationKind.REPLY_PRIVATE: _("Réponse privée envoyée"),
    OperationKind.HIDE: _("Message masqué sur la plateforme"),
    OperationKind.UNHIDE: _("Message de nouveau visible sur la plateforme"),
    OperationKind.DELETE: _("Message supprimé de la plateforme (conservé ici)"),
    OperationKind.EDIT: _("Réponse modifiée sur la plateforme"),
    OperationKind.BLOCK: _("Auteur bloqué sur la plateforme"),
}
OPERATION_ASKED = {
    OperationKind.HIDE: _("Masquage demandé"),
    OperationKind.UNHIDE: _("Réaffichage demandé"),
    OperationKind.DELETE: _("Suppression demandée"),
    OperationKind.EDIT: _("Modification demandée"),
    OperationKind.BLOCK: _("Blocage de l'auteur demandé"),
}


@register.filter
def operation_done(code) -> str:
    """What a delivery did once the platform confirmed it (entries before kinds: a send)."""
    return str(OPERATION_DONE.get(code or OperationKind.SEND, code))


@register.filter
def operation_asked(code) -> str:
    return str(OPERATION_ASKED.get(code, code or ""))


@register.filter
def operation_label(code) -> str:
    """'Masquer un message': the operation, capitalised, for 'Masquer un message : Échec'."""
    try:
        return capfirst(str(OperationKind(code).label))
    except ValueError:
        return str(code or "")


@register.filter
def phone(value: str) -> str:
    return format_phone(value) if value else ""


@register.filter
def identity_value(identity) -> str:
    """Phones in their national form; other handles as the contact wrote them."""
    if identity.kind in {"phone", "whatsapp"}:
        return format_phone(identity.value)
    return identity.display or identity.value


@register.filter
def is_image(attachment) -> bool:
    return attachment.content_type.startswith("image/")


@register.filter
def display_html(html: str) -> str:
    """Stored HTML is already cleaned by nh3 at intake; cleaned again here to a smaller set of
    tags (no images: nothing remote is fetched) so that what reaches the page is inert."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=DISPLAY_TAGS,
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # output of nh3.clean just above


@register.simple_tag
def field_id(form, name: str) -> str:
    return form[name].auto_id


@register.filter
def outcome_label(code) -> str:
    from civique.inbox.actions import OUTCOMES

    return str(OUTCOMES.get(code, code or ""))


PLATFORM_STATUSES = {
    "sent": _("envoyé"),
    "delivered": _("remis"),
    "read": _("lu"),
    "failed": _("non remis"),
}


@register.filter
def platform_status_label(code) -> str:
    """A delivery status reported by the platform (WhatsApp: sent, delivered, read, failed)."""
    return str(PLATFORM_STATUSES.get(code, code or ""))


@register.filter
def readable_by(message, user) -> bool:
    return can_read_text(user, message)


@register.simple_tag
def extension_nav_links() -> list:
    """Links other apps add to the main navigation (inbox/extensions.py)."""
    return nav_links()
