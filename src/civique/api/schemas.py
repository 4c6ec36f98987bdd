"""What the API reads and writes. Datetimes go out in ISO 8601 with the offset of
``settings.TIME_ZONE``; ids are integers; references look like ``V-123``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from civique.contacts.models import IdentityKind
from civique.contacts.normalize import normalize_identity
from civique.inbox.access import SENSITIVE_PLACEHOLDER, can_read_text
from civique.inbox.models import Direction

MAX_ID = 2**63 - 1  # the database's bigint: beyond, a query would fail instead of answering
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=1)  # how far in the future a sender's clock may be
# C0 control characters and DEL, except tab, line feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _local_iso(value: datetime) -> str:
    """ISO 8601 in ``settings.TIME_ZONE``, or in UTC when that zone's offset for the date is
    not whole minutes (local mean time before 1911 in Paris), which a client cannot read."""
    try:
        local = timezone.localtime(value)
    except (OverflowError, ValueError):
        return value.astimezone(UTC).isoformat()
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        return value.astimezone(UTC).isoformat()
    return local.isoformat()


def _no_controls(value: str) -> str:
    if _CONTROLS.search(value):
        raise PydanticCustomError("control_character", "Control character")
    return value


def _plausible_date(value: datetime) -> datetime:
    if timezone.is_naive(value):
        return value  # refused with its own message by the schema
    if value < EARLIEST_DATE:
        raise PydanticCustomError("date_too_early", "Date too early")
    if value > timezone.now() + LATEST_AHEAD:
        raise PydanticCustomError("date_too_late", "Date too late")
    return value


class _Clean:
    """Refuses control characters (``control_character``), and says so in the description: a
    ``pattern`` that no string holding one matches, so that clients and generated tests know.
    ``non_blank``: the pattern also wants a character that is not whitespace, for the fields
    that must not be blank once stripped."""

    def __init__(self, *, non_blank: bool = False) -> None:
        self.pattern = NON_BLANK if non_blank else NO_CONTROLS

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_after_validator_function(_no_controls, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


# The same characters as _CONTROLS, in JSON Schema (ECMA-262) patterns; SPACES are those that
# stripping removes (Unicode White_Space but the controls).
_NOT_CONTROL = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]"
_SPACES = "\\t\\n\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NO_CONTROLS = f"^{_NOT_CONTROL}*$"
NON_BLANK = (
    f"^{_NOT_CONTROL}*[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f{_SPACES}]"
    f"{_NOT_CONTROL}*$"
)


class _Pattern:
    """Adds a ``pattern`` to a value's JSON schema, and nothing to its validation."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


# What the description can say of _plausible_date's window: years 1901 to 2099 (a date of 1900
# with an eastern offset is still 1899 in UTC); the end, one day after the server's clock,
# is said in words.
PLAUSIBLE_YEARS = _Pattern("^(190[1-9]|19[1-9][0-9]|20[0-9][0-9])-")
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Clean = _Clean()
NonBlank = _Clean(non_blank=True)


DateTime = Annotated[
    datetime,
    PlainSerializer(_local_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
StatusName = Literal["new", "open", "pending", "resolved", "closed"]


# --- Out ----------------------------------------------------------------------------------


class ChannelRef(Schema):
    id: int
    kind: str
    name: str


class TeamRef(Schema):
    id: int
    slug: str
    name: str


class AgentRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class CategoryRef(Schema):
    id: int
    slug: str
    name: str


class ContactRef(Schema):
    id: int
    display_name: str


class Location(Schema):
    lat: float | None
    lon: float | None
    address: str


CommitmentName = Literal["acknowledgement", "first_answer", "resolution"]


class DueTimes(Schema):
    acknowledgement: DateTime | None = Field(
        description="Accusé de réception attendu avant (vide : pas d'engagement, ou en pause)"
    )
    first_answer: DateTime | None = Field(description="Première réponse attendue avant")
    resolution: DateTime | None = Field(description="Résolution attendue avant")


class CommitmentsOut(Schema):
    policy: str = Field(description="Nom de l'engagement appliqué (vide : aucun)")
    state: Literal["", "ok", "at_risk", "breached", "paused", "met"] = Field(
        description="« ok » dans les délais, « at_risk » bientôt en retard, « breached » en "
        "retard, « paused » en attente de l'usager, « met » engagements tenus, vide : aucun"
    )
    due: DueTimes = Field(description="Échéances par nom, en temps ouvré du service")
    next_due_at: DateTime | None = Field(description="Prochaine échéance encore en cours")
    breaches: list[CommitmentName] = Field(
        description="Engagements manqués (réponse tardive ou échéance dépassée), dans l'ordre"
    )


class ConversationOut(Schema):
    id: int
    reference: str = Field(examples=["V-123"])
    subject: str
    status: StatusName
    visibility: Literal["public", "private"]
    priority: int = Field(description="1 basse, 2 normale, 3 haute, 4 urgente")
    channel: ChannelRef
    team: TeamRef | None
    assignee: AgentRef | None
    category: CategoryRef | None
    contact: ContactRef | None
    created_at: DateTime
    last_message_at: DateTime | None
    waiting_since: DateTime | None
    first_response_at: DateTime | None
    acknowledged_at: DateTime | None
    resolved_at: DateTime | None
    closed_at: DateTime | None
    location: Location | None
    commitments: CommitmentsOut

    @staticmethod
    def resolve_commitments(obj) -> dict[str, Any]:
        return {
            "policy": obj.sla_policy,
            "state": obj.sla_state,
            "due": {
                "acknowledgement": obj.acknowledgement_due_at,
                "first_answer": obj.first_answer_due_at,
                "resolution": obj.resolution_due_at,
            },
            "next_due_at": obj.next_due_at,
            "breaches": list(obj.sla_breaches),
        }

    @staticmethod
    def resolve_location(obj) -> dict[str, Any] | None:
        if obj.location_lat is None and not obj.location_address:
            return None
        return {
            "lat": obj.location_lat,
            "lon": obj.location_lon,
            "address": obj.location_address,
        }


class ConversationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ConversationOut]


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    is_inline: bool


class DeliveryOut(Schema):
    state: Literal["queued", "sending", "sent", "retrying", "failed"]
    attempts: int
    next_attempt_at: DateTime
    sent_at: DateTime | None
    last_error: str


class OperationOut(Schema):
    """One operation on the platform (hide, unhide, delete) queued in the outbox."""

    id: int
    message_id: int
    operation: Literal["hide", "unhide", "delete"] = Field(alias="kind")
    state: Literal["queued", "sending", "sent", "retrying", "failed"]
    attempts: int
    next_attempt_at: DateTime
    sent_at: DateTime | None
    last_error: str


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: Literal["in", "out", "internal"]
    kind: str
    visibility: Literal["public", "private", "internal"]
    author_name: str
    author_contact_id: int | None
    author_agent_id: int | None
    subject: str
    text: str
    created_at: DateTime
    platform_timestamp: DateTime | None
    is_automated: bool
    hidden_at: DateTime | None = Field(description="Masqué sur la plateforme (confirmé) le")
    removed_at: DateTime | None = Field(description="Supprimé de la plateforme (confirmé) le")
    attachments: list[AttachmentOut]
    delivery: DeliveryOut | None = Field(description="État d'envoi, pour les messages sortants")

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_text(obj, context) -> str:
        """Health data: the text for administrators and supervisors only (as in the back
        office); a placeholder for other tokens."""
        if can_read_text(context["request"].auth, obj):
            return obj.text
        return _(SENSITIVE_PLACEHOLDER)

    @staticmethod
    def resolve_delivery(obj):
        if obj.direction != Direction.OUTBOUND:
            return None
        return getattr(obj, "delivery", None)


class HistoryMessageOut(MessageOut):
    conversation_reference: str
    channel: ChannelRef

    @staticmethod
    def resolve_conversation_reference(obj) -> str:
        return obj.conversation.reference


class TimelineEntryOut(Schema):
    id: int
    kind: str
    created_at: DateTime
    actor: AgentRef | None
    message_id: int | None
    data: dict[str, Any]


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    timeline: list[TimelineEntryOut]

    @staticmethod
    def resolve_messages(obj) -> list:
        return obj.messages_for_api

    @staticmethod
    def resolve_timeline(obj) -> list:
        return obj.timeline_for_api


class IdentityOut(Schema):
    kind: str
    value: str
    display: str


class ContactOut(Schema):
    id: int
    display_name: str
    is_organisation: bool
    notes: str
    created_at: DateTime
    merged_into_id: int | None = Field(description="Usager qui a absorbé celui-ci (fusion)")
    identities: list[IdentityOut]
    conversations: list[ConversationOut] = Field(
        description="Les demandes de l'usager visibles par l'agent du jeton (les autres ne "
        "sont ni listées ni comptées)"
    )
    history_count: int
    history: list[HistoryMessageOut]


class ContactSummary(Schema):
    id: int
    display_name: str
    is_organisation: bool
    created_at: DateTime
    identities: list[IdentityOut]


class ContactPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContactSummary]


class IntakeOut(Schema):
    status: Literal["created", "duplicate", "stored"] = Field(
        description="created : traité ; duplicate : déjà reçu (même external_id) ; "
        "stored : enregistré mais pas encore traité (voir event_state et error)"
    )
    event_id: int
    event_state: Literal["pending", "done", "retrying", "parked"]
    error: str = ""
    reference: str | None = None
    conversation_id: int | None = None
    message_id: int | None = None


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] | None = None


# --- In -----------------------------------------------------------------------------------

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000), NonBlank
]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), Clean]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Clean]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ConversationQuery(Schema):
    channel: Id | None = None
    status: Literal["new", "open", "pending", "resolved", "closed", "active"] | None = Field(
        None, description="« active » : nouvelles, en cours et en attente"
    )
    team: Id | None = None
    assignee: str = Field(
        "",
        pattern=r"^(|me|none|[1-9]\d{0,17})$",
        description="« me », « none » ou l'id d'un agent",
    )
    visibility: Literal["public", "private"] | None = None
    category: Id | None = None
    q: Annotated[str, Clean] = Field(
        "", max_length=200, description="Recherche plein texte ou référence V-123"
    )
    sort: Literal["waiting", "recent", "oldest", "priority", "due"] = Field(
        "waiting", description="« due » : échéance la plus proche d'abord"
    )
    sla_state: Literal["ok", "at_risk", "breached", "paused", "met", "late"] | None = Field(
        None, description="État des délais ; « late » : en retard ou bientôt"
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_ID)


class ContactQuery(Schema):
    q: Annotated[str, Clean] = Field(
        "",
        max_length=200,
        description="Nom, adresse électronique ou téléphone. Un usager sans demande visible "
        "par l'agent n'est trouvé que par son adresse ou son numéro exacts.",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_ID)


class HistoryQuery(Schema):
    limit: int = Field(100, ge=1, le=500, description="Messages de l'historique, du plus récent")
    offset: int = Field(0, ge=0, le=MAX_ID)


class ReplyIn(InputSchema):
    text: Text
    status: StatusName | None = Field(None, description="Statut à donner après la réponse")


class PrivateReplyIn(InputSchema):
    text: Text


class LocationIn(InputSchema):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    address: Short = ""


# The shape of a phone number (E.164, or national with spaces, dots or dashes); whether it is
# a number at all is phonenumbers' judgement, said by the format « phone ».
PHONE = "^(\\+[1-9]|0)[0-9 .-]{6,20}$"


def _sender_rule(schema: dict[str, Any]) -> None:
    """The sender is given one way: email, phone, or identity_kind with identity_value. Said in
    the description (``oneOf``), as ``_check_sender`` enforces it; ``phone`` is a number
    (format « phone » : E.164 or national), an identity of kind email or phone (whatsapp) too."""
    absent = {"type": "null"}
    others = ("email", "phone", "identity_kind", "identity_value")

    def only(**present: Any) -> dict[str, Any]:
        properties = {name: absent for name in others if name not in present}
        return {"required": list(present), "properties": {**properties, **present}}

    text = {"type": "string", "minLength": 1, "pattern": NON_BLANK, "maxLength": 255}
    phone = {"type": "string", "format": "phone", "pattern": PHONE, "maxLength": 40}
    handles = [k for k in IdentityKind.values if k not in ("email", "phone", "whatsapp")]
    schema["oneOf"] = [
        only(email={"type": "string", "format": "email", "maxLength": 255}),
        only(phone=phone),
        only(
            identity_kind={"enum": ["email"]},
            identity_value={"type": "string", "format": "email", "maxLength": 255},
        ),
        only(
            identity_kind={"enum": ["phone", "whatsapp"]},
            identity_value=phone,
        ),
        only(identity_kind={"enum": handles}, identity_value=text),
    ]


class InboundMessageIn(InputSchema):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_sender_rule)

    channel: Id = Field(description="Id d'un canal de type « api »")
    external_id: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NonBlank
        ]
        | None
    ) = Field(None, description="Votre identifiant du message : le rend idempotent")
    name: Name = ""
    email: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), Clean] | None = (
        None
    )
    identity_kind: Annotated[str, Clean] | None = Field(
        None, description=", ".join(IdentityKind.values)
    )
    identity_value: Short | None = None
    text: Text
    subject: Short = ""
    category: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), Clean] | None
    ) = Field(None, description="Identifiant (slug) d'un thème")
    thread_key: Short | None = Field(None, description="Regroupe les messages d'un même fil")
    location: LocationIn | None = None
    occurred_at: Annotated[datetime, AfterValidator(_plausible_date), PLAUSIBLE_YEARS] | None = (
        Field(
            None, description="Date du message, avec fuseau ; depuis 1900, au plus un jour à venir"
        )
    )

    @model_validator(mode="after")
    def _check_sender(self) -> InboundMessageIn:
        by_identity = bool(self.identity_kind or self.identity_value)
        if [bool(self.email), bool(self.phone), by_identity].count(True) != 1:
            raise ValueError(
                _(
                    "Indiquez l'expéditeur par un seul moyen : email, phone, "
                    "ou identity_kind et identity_value."
                )
            )
        if by_identity and not (self.identity_kind and self.identity_value):
            raise ValueError(_("identity_kind et identity_value vont ensemble."))
        if by_identity and self.identity_kind not in IdentityKind.values:
            raise ValueError(
                _("identity_kind inconnu : %(kind)s (attendu : %(known)s).")
                % {"kind": self.identity_kind, "known": ", ".join(IdentityKind.values)}
            )
        try:
            normalize_identity(*self.sender)
        except DjangoValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        if self.occurred_at is not None and timezone.is_naive(self.occurred_at):
            raise ValueError(_("occurred_at doit porter un fuseau horaire (ex. +02:00 ou Z)."))
        return self

    @property
    def sender(self) -> tuple[str, str]:
        if self.email:
            return "email", self.email
        if self.phone:
            return "phone", self.phone
        return self.identity_kind or "", self.identity_value or ""

    def to_payload(self) -> dict[str, Any]:
        """The structured connector's document (see channels/connectors/structured.py)."""
        kind, value = self.sender
        payload: dict[str, Any] = {
            "external_id": self.external_id or "",
            "name": self.name,
            "text": self.text,
            "subject": self.subject,
            "category": self.category or "",
            "thread_key": self.thread_key or "",
        }
        if kind in ("email", "phone"):
            payload[kind] = value
        else:
            payload["identity_kind"], payload["identity_value"] = kind, value
        if self.location is not None:
            payload["location"] = self.location.model_dump()
        if self.occurred_at is not None:
            payload["occurred_at"] = self.occurred_at.isoformat()
        return payload
