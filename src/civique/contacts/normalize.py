"""Normalisation of identity values: the one place that decides when two handles are equal."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 200
# Invisible characters that reorder displayed text (a name could disguise itself with them).
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_display_name(raw: str) -> str:
    """A name safe to show and to put in a mail header: every run of whitespace (CR, LF and tabs
    included) becomes one space, other control characters go, at most NAME_MAX_LENGTH."""
    kept = "".join(
        " " if char.isspace() else char
        for char in raw or ""
        if char.isspace() or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    )
    return " ".join(kept.split())[:NAME_MAX_LENGTH].strip()


def normalize_email(raw: str) -> str:
    value = (raw or "").strip().strip("<>").lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(_("Adresse électronique invalide : %(v)s") % {"v": raw}) from None
    return value


# French overseas departments and communities dial national numbers like metropolitan France
# ("0692 12 34 56" in La Réunion) but have their own country codes.
FRENCH_OVERSEAS = ["RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF"]


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form (``+33612345678``); national numbers are read in PHONE_REGION, and
    for France also in the overseas regions."""
    region = region or settings.PHONE_REGION
    regions = [region, *(FRENCH_OVERSEAS if region == "FR" else [])]
    for candidate in regions:
        try:
            number = phonenumbers.parse(raw or "", candidate)
        except phonenumbers.NumberParseException:
            break
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationError(_("Numéro de téléphone invalide : %(v)s") % {"v": raw})


def format_phone(e164: str) -> str:
    """National format for French numbers, international otherwise (for display)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def normalize_identity(kind: str, raw: str) -> str:
    if kind == "email":
        return normalize_email(raw)
    if kind in {"phone", "whatsapp"}:
        return normalize_phone(raw)
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Identifiant vide."))
    return value
