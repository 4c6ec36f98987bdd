"""Preparation stages, in the order of ``settings.CIVIQUE_PREPARE``.

They run on each message's ``Context`` before the event's write transaction and must not touch
the database: whatever is slow (cleaning HTML, decoding and re-encoding photos, and later the
analysers) happens here, so that the write lock the transaction takes on the embedded profile is
held for milliseconds, and the intake keeps answering while a hostile mail is read. Each stage
is bounded: its cost grows at most linearly with the size of the message.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC
from typing import Any

import nh3
from django.conf import settings
from django.utils.translation import gettext as _

from civique.analysis import analyse_many
from civique.channels.connectors.base import ParseError
from civique.inbox.attachments import AttachmentRejected, prepare_attachment
from civique.inbox.models import Direction, MessageKind, MessageVisibility
from civique.ingest.pipeline import Context, batch_stage

# C0 controls but tab, line feed and carriage return, and DEL: PostgreSQL refuses NUL in text,
# and none of them means anything in a message.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone surrogates (undecodable bytes smuggled through) cannot be encoded to UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")

# HTML cleaning (html5ever, through nh3) slows down faster than the square of the nesting depth:
# 10,000 nested <div> take 0.4 s, 40,000 take 12 s. Real mail nests a few dozen levels; beyond
# MAX_HTML_DEPTH, or beyond MAX_HTML_BYTES, the message is shown as its text, with a notice.
MAX_HTML_DEPTH = 1000
MAX_HTML_BYTES = 4 * 1024 * 1024
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Void elements, and elements whose end tag is optional: neither deepens the tree for long.
_FLAT_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rp", "rt",
}  # fmt: skip


def storable_text(value: str) -> str:
    """``value`` without control characters nor lone surrogates: what every database stores."""
    value = _CONTROLS.sub("", value)
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return value


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_storable(item) for item in value)
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            setattr(value, item.name, _storable(getattr(value, item.name)))
    return value


def make_storable(ctx: Context) -> None:
    """Every text the platform gave can be stored: no NUL or other control character, no lone
    surrogate, and a platform date the database can hold (else the reception time counts)."""
    _storable(ctx.parsed)
    _check_choices(ctx)
    stamp = ctx.parsed.platform_timestamp
    if stamp is not None and stamp.tzinfo is not None:
        try:
            stamp.astimezone(UTC)
        except OverflowError:
            ctx.parsed.platform_timestamp = None
            ctx.notes.append(
                _("Date d'envoi hors des dates possibles : date de réception retenue.")
            )


def _check_choices(ctx: Context) -> None:
    """A direction, kind or visibility no message may have (the payload is ours, so it was
    damaged or forged) cannot be stored: the event is parked at once with the reason."""
    parsed = ctx.parsed
    for name, value, choices in (
        ("direction", parsed.direction, Direction.values),
        ("kind", parsed.kind, MessageKind.values),
        ("visibility", parsed.visibility, MessageVisibility.values),
    ):
        if value not in choices:
            raise ParseError(
                _("Valeur inconnue pour « %(name)s » : %(value)s (attendu : %(choices)s).")
                % {"name": name, "value": repr(value)[:40], "choices": ", ".join(choices)}
            )


def html_depth(html: str) -> int:
    """The deepest nesting of elements in ``html``, counted in one linear pass over its tags."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _drop_remote_images(tag: str, attribute: str, value: str) -> str | None:
    """Images may only point inside the message (cid:); a remote one is a tracking pixel."""
    if tag == "img" and attribute in ("src", "srcset") and not value.startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """No scripts, styles, event handlers or remote images; links open safely. The caller keeps
    ``html`` within MAX_HTML_BYTES and MAX_HTML_DEPTH."""
    return nh3.clean(
        html,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        attribute_filter=_drop_remote_images,
    )


def clean_html(ctx: Context) -> None:
    """Sanitise the message's HTML into ``ctx.html``, or leave it out when it is too large or too
    deeply nested to clean in bounded time (the text is kept, and a notice says why)."""
    html = ctx.parsed.html
    if not html:
        return
    if len(html) > MAX_HTML_BYTES or html_depth(html) > MAX_HTML_DEPTH:
        ctx.notes.append(
            _("Mise en forme HTML trop volumineuse ou trop imbriquée : seul le texte est affiché.")
        )
        return
    ctx.html = sanitize_html(html)


def prepare_attachments(ctx: Context) -> None:
    """Check, type and re-encode the attachments; those refused are noted with their reason."""
    for item in ctx.parsed.attachments:
        try:
            ctx.attachments.append(prepare_attachment(item))
        except AttachmentRejected as exc:
            ctx.notes.append(str(exc))


# The channel settings that hold the institution's own address or number on that channel.
OWN_CONTACT_SETTINGS = ("address", "phone", "phone_number", "display_phone_number", "email")


def own_contacts(channel) -> list[str]:
    """The institution's published contacts: ``CIVIQUE_OWN_CONTACTS`` and the channel's own
    address or number, which the analysers never report as personal data."""
    found = list(settings.CIVIQUE_OWN_CONTACTS)
    channel_settings = channel.settings or {}
    found += [
        str(channel_settings[key]) for key in OWN_CONTACT_SETTINGS if channel_settings.get(key)
    ]
    return found


def _carries_text(ctx: Context) -> bool:
    """An inbound message or its edit: statuses, removals and hides say nothing of their own."""
    parsed = ctx.parsed
    return (
        parsed.direction == Direction.INBOUND
        and not parsed.status_of
        and not parsed.removed
        and parsed.hidden is None
    )


@batch_stage
def analyse_texts(contexts: list[Context]) -> None:
    """Run the analysers over the text of every inbound message of the event, in one batch;
    the result goes on ``ctx.analysis`` and ``persist_message`` stores it (or, for an edit,
    ``apply_platform_change`` with the new text)."""
    inbound = [ctx for ctx in contexts if _carries_text(ctx)]
    if not inbound:
        return
    results = analyse_many(
        [ctx.parsed.text for ctx in inbound],
        own_contacts=own_contacts(inbound[0].channel),
        public_figures=settings.CIVIQUE_PUBLIC_FIGURES,
        ner=settings.CIVIQUE_ANALYSIS_NER,
    )
    for ctx, result in zip(inbound, results, strict=True):
        ctx.analysis = result
