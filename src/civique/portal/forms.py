"""The citizen portal's forms: a request (demande) and the tracking lookup (suivi)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.contacts.normalize import NAME_MAX_LENGTH, clean_display_name, normalize_phone
from civique.inbox.attachments import AttachmentRejected
from civique.inbox.images import prepare_image
from civique.inbox.models import Category

MESSAGE_MAX_LENGTH = 5000
# Bidirectional embeddings, overrides and isolates: invisible, yet they reorder displayed text.
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


@dataclass
class Photo:
    """A photo checked and re-encoded: no metadata left; ``gps`` read from EXIF beforehand."""

    filename: str
    content: bytes
    content_type: str
    gps: dict[str, float] | None


def _size(size: int) -> str:
    """A size as citizens read it: "10 Mo", "2,5 Mo", "500 ko"."""
    if size < 1_048_576:
        return _("%(n)s ko") % {"n": max(1, round(size / 1024))}
    megabytes = round(size / 1_048_576, 1)
    text = f"{megabytes:g}".replace(".", ",")
    return _("%(n)s Mo") % {"n": text}


class PhoneField(forms.CharField):
    """A phone number, returned in E.164; French national forms are read in PHONE_REGION."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValidationError:
            raise ValidationError(
                _("Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78."),
                code="invalid",
            ) from None


@dataclass
class ErrorItem:
    anchor: str  # the id of the field to jump to
    label: str
    message: str


class ErrorSummaryMixin:
    """The errors of a portal form for the summary at the top of its page."""

    def error_items(self) -> list[ErrorItem]:
        """Every error, in field order, for the summary at the top of the page."""
        items = []
        for name in self.fields:
            bound = self[name]
            for message in bound.errors:
                items.append(ErrorItem(bound.id_for_label, str(bound.label), str(message)))
        first = self[next(iter(self.fields))].id_for_label
        items += [ErrorItem(first, "", str(m)) for m in self.non_field_errors()]
        return items


class ContactFieldsMixin(ErrorSummaryMixin, forms.Form):
    """Email or phone, at least one: how the administration answers or recognises the citizen."""

    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": gettext_lazy(
                "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."
            )
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = PhoneField(
        label=gettext_lazy("Numéro de téléphone"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Par exemple 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def _require_email_or_phone(self, message: str) -> None:
        data = self.cleaned_data
        if "email" in data and "phone" in data and not data["email"] and not data["phone"]:
            self.add_error("email", message)


class RequestForm(ContactFieldsMixin):
    field_order = ["name", "email", "phone", "category", "message", "photo", "address"]

    # No max_length validator: the length is capped after cleaning (clean_display_name), so
    # that line breaks or padding around a name of the right length never refuse it.
    name = forms.CharField(
        label=gettext_lazy("Votre nom"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": NAME_MAX_LENGTH}),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Thème"),
        queryset=Category.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Je ne sais pas"),
        help_text=gettext_lazy("Aide à transmettre votre demande au bon service."),
    )
    message = forms.CharField(
        label=gettext_lazy("Votre message"),
        max_length=MESSAGE_MAX_LENGTH,
        help_text=gettext_lazy("Décrivez votre demande ; 5 000 caractères au plus."),
        error_messages={"required": gettext_lazy("Écrivez votre message.")},
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    address = forms.CharField(
        label=gettext_lazy("Adresse ou lieu concerné"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Par exemple : 12 rue de la Mairie, ou devant l'école Jean-Moulin."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    # Filled by the "Utiliser ma position" button; a bad value is dropped, never an error the
    # citizen could not see or fix.
    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive robots.
    website = forms.CharField(
        label=gettext_lazy("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_public=True).order_by("name")
        max_bytes = settings.CIVIQUE_MAX_ATTACHMENT_BYTES
        self.fields["photo"].help_text = _(
            "Format JPEG, PNG ou WebP, %(max)s au plus. Les informations cachées "
            "de la photo (appareil, date) sont effacées ; sa position, si elle en contient une, "
            "sert à situer le lieu concerné."
        ) % {"max": _size(max_bytes)}

    @property
    def is_spam(self) -> bool:
        """True when the honeypot was filled: the caller pretends success and stores nothing."""
        return bool(self.data.get("website", "").strip())

    def clean_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("name") or "")

    def clean_photo(self) -> Photo | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        max_bytes = settings.CIVIQUE_MAX_ATTACHMENT_BYTES
        if upload.size > max_bytes:
            raise ValidationError(photo_too_large_message(), code="too_big")
        content = upload.read()
        try:
            clean, content_type, meta = prepare_image(content, upload.name)
        except AttachmentRejected as exc:
            if exc.reason == AttachmentRejected.TOO_MANY_PIXELS:
                message = _("Les dimensions de la photo sont trop grandes.")
            else:
                message = _(
                    "Ce fichier n'est pas une photo lisible. Choisissez une image JPEG, PNG "
                    "ou WebP."
                )
            raise ValidationError(message, code=exc.reason or "invalid") from None
        return Photo(upload.name, clean, content_type, meta.get("gps"))

    def clean(self):
        data = super().clean()
        self._require_email_or_phone(
            _(
                "Indiquez une adresse électronique ou un numéro de téléphone pour que nous "
                "puissions vous répondre."
            )
        )
        lat = _coordinate(data.get("latitude"), 90)
        lon = _coordinate(data.get("longitude"), 180)
        if lat is None or lon is None:
            lat = lon = None
        data["latitude"], data["longitude"] = lat, lon
        return data


def photo_too_large_message() -> str:
    return _("La photo pèse plus de %(max)s : choisissez une image plus légère.") % {
        "max": _size(settings.CIVIQUE_MAX_ATTACHMENT_BYTES)
    }


def _coordinate(raw: str | None, limit: float) -> float | None:
    try:
        value = float((raw or "").replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(value) or not -limit <= value <= limit:
        return None
    return round(value, 6)


REFERENCE_RE = re.compile(r"^\[?#?\s*(?:([a-z]{1,10})\s*-?\s*)?(\d{1,12})\]?$", re.IGNORECASE)
RECEIPT_PREFIX = "ENR"


@dataclass
class Reference:
    kind: str  # "conversation" (V-123) or "receipt" (ENR-45, given when processing was delayed)
    number: int


def parse_reference(raw: str) -> Reference | None:
    match = REFERENCE_RE.match((raw or "").strip().replace(" ", ""))
    if not match:
        return None
    prefix = (match.group(1) or "").upper()
    number = int(match.group(2))
    if prefix == RECEIPT_PREFIX:
        return Reference("receipt", number)
    if prefix in ("", settings.CIVIQUE_REFERENCE_PREFIX.upper()):
        return Reference("conversation", number)
    return None


class TrackForm(ContactFieldsMixin):
    reference = forms.CharField(
        label=gettext_lazy("Référence de la demande"),
        max_length=30,
        error_messages={"required": gettext_lazy("Indiquez la référence de votre demande.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["reference", "email", "phone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        prefix = settings.CIVIQUE_REFERENCE_PREFIX
        self.fields["reference"].help_text = _(
            "Elle figure sur la page de confirmation et dans nos messages, par exemple %(example)s."
        ) % {"example": f"{prefix}-1234"}
        self.fields["email"].help_text = _("Celle que vous avez donnée avec votre demande.")
        self.fields["phone"].help_text = _("Celui que vous avez donné avec votre demande.")

    def clean_reference(self) -> Reference:
        reference = parse_reference(self.cleaned_data["reference"])
        if reference is None:
            raise ValidationError(
                _("Cette référence n'a pas la forme attendue, par exemple %(example)s.")
                % {"example": f"{settings.CIVIQUE_REFERENCE_PREFIX}-1234"},
                code="invalid",
            )
        return reference

    def clean(self):
        data = super().clean()
        self._require_email_or_phone(
            _("Indiquez l'adresse électronique ou le numéro de téléphone donné avec la demande.")
        )
        return data
