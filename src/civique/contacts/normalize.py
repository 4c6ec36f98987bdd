"""Normalisation of identity values: the one place that decides when two handles are equal."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


def normalize_email(raw: str) -> str:
    value = (raw or "").strip().strip("<>").lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(_("Adresse électronique invalide : %(v)s") % {"v": raw}) from None
    return value


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form (``+33612345678``); national numbers are read in PHONE_REGION."""
    try:
        number = phonenumbers.parse(raw or "", region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Numéro de téléphone invalide : %(v)s") % {"v": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Numéro de téléphone invalide : %(v)s") % {"v": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
