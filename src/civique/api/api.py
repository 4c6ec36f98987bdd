"""The REST API under /api/v1/: parse the request, fetch through the access checks, call the
action, answer JSON. Every route needs a token (see auth.py); OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer

from civique.api.actions import Intake, receive_api_message
from civique.api.auth import TokenAuth
from civique.api.errors import install_exception_handlers, limit_body_size
from civique.api.knowledge import router as knowledge_router
from civique.api.schemas import (
    ContactOut,
    ContactPage,
    ContactQuery,
    ConversationDetail,
    ConversationPage,
    ConversationQuery,
    ErrorOut,
    HistoryQuery,
    Id,
    InboundMessageIn,
    IntakeOut,
    MessageOut,
    OperationOut,
    PrivateReplyIn,
    ReplyIn,
)
from civique.channels.models import Channel
from civique.core.access import visible_teams
from civique.core.audit import audit
from civique.inbox.access import (
    access_contact,
    access_conversation,
    access_message,
    contact_history,
    conversations_for,
    exact_matches,
    search_contacts,
)
from civique.inbox.actions import (
    ActionError,
    delete_message,
    hide_message,
    record_exact_finds,
    reply_privately,
    reply_to_conversation,
    unhide_message,
)
from civique.inbox.models import Category, Message
from civique.inbox.queries import InboxFilters, inbox_queryset
from civique.ingest.models import EventState

MAX_BODY_BYTES = 1024 * 1024


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # French text stays readable


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Ninja's description, with the ``Retry-After`` header of every 429 stated."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if str(status) == "429":
                        answer["headers"] = {"Retry-After": RETRY_AFTER}
        return schema


RETRY_AFTER = {
    "description": "Secondes à attendre avant que le budget de requêtes soit renouvelé",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}

api = Api(
    title="Civique API",
    version="1",
    description=(
        "API REST de Civique. Authentification : en-tête "
        "`Authorization: Bearer <jeton>` (jeton créé par `civique apitoken IDENTIFIANT`). "
        "Limites (sinon 422) : identifiants de 1 à 2^63 − 1 ; aucun caractère de contrôle dans "
        "les textes, hors tabulation et retours à la ligne ; `occurred_at` depuis 1900, au plus "
        "un jour à venir. Débit : chaque jeton a son budget de requêtes "
        "(`CIVIQUE_API_RATE_LIMIT`, 600 par minute par défaut), et chaque adresse le sien pour "
        "les requêtes sans jeton valide (`CIVIQUE_API_RATE_LIMIT_ANONYMOUS`, 60 par minute) ; "
        "au-delà, 429 avec l'en-tête `Retry-After` (secondes à attendre)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    auth=TokenAuth(),
    renderer=Renderer(),
)
install_exception_handlers(api)
api.add_router("/knowledge", knowledge_router)  # api/knowledge.py

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _messages(queryset):
    return queryset.select_related("channel", "conversation").prefetch_related(
        "attachments", "deliveries"
    )


@api.get("/conversations", response={200: ConversationPage, **ERRORS}, tags=["demandes"])
def list_conversations(request: HttpRequest, query: Query[ConversationQuery]):
    """Les demandes visibles par l'agent du jeton, avec les filtres de la boîte de réception."""
    filters = InboxFilters(
        channel=query.channel,
        status=query.status or "",
        team=query.team,
        assignee=query.assignee,
        visibility=query.visibility or "",
        category=query.category,
        q=query.q,
        sort=query.sort,
        sla_state=query.sla_state or "",
    )
    queryset = inbox_queryset(request.auth, filters)
    items = list(queryset[query.offset : query.offset + query.limit])
    return {
        "count": queryset.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": items,
    }


@api.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetail, **ERRORS},
    tags=["demandes"],
)
def get_conversation(request: HttpRequest, conversation_id: Id):
    """Une demande, ses messages (avec l'état d'envoi des réponses) et son historique."""
    conversation = access_conversation(request.auth, conversation_id)
    conversation.messages_for_api = list(_messages(conversation.messages.all()))
    conversation.timeline_for_api = list(conversation.timeline.select_related("actor"))
    return conversation


@api.get("/contacts", response={200: ContactPage, **ERRORS}, tags=["usagers"])
def list_contacts(request: HttpRequest, query: Query[ContactQuery]):
    """Les usagers visibles par l'agent du jeton (ceux de ses demandes, ou tous si un de ses
    services voit tous les usagers), filtrés par `q` ; un autre usager n'est trouvé que si
    `q` est exactement son adresse électronique ou son numéro de téléphone."""
    exact = exact_matches(query.q)
    record_exact_finds(request.auth, exact, via="api", request=request)
    queryset = search_contacts(request.auth, query.q, exact=exact).prefetch_related("identities")
    queryset = queryset.order_by("display_name", "id")
    return {
        "count": queryset.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(queryset[query.offset : query.offset + query.limit]),
    }


@api.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, tags=["usagers"])
def get_contact(request: HttpRequest, contact_id: Id, query: Query[HistoryQuery]):
    """Un usager visible par l'agent du jeton (sinon 404), ses identifiants, et son historique
    (du plus récent au plus ancien) dans les demandes que l'agent peut voir. Chaque lecture est
    inscrite au journal d'audit."""
    user = request.auth
    contact = access_contact(user, contact_id)
    conversations = conversations_for(user).filter(contact=contact).order_by("-created_at", "-id")
    history = _messages(contact_history(user, contact))
    audit(
        user,
        "contact.read",
        contact,
        {"via": "api", "offset": query.offset},
        request=request,
    )
    return {
        "id": contact.pk,
        "display_name": contact.display_name,
        "is_organisation": contact.is_organisation,
        "notes": contact.notes,
        "created_at": contact.created_at,
        "merged_into_id": contact.merged_into_id,
        "identities": list(contact.identities.all()),
        "conversations": list(conversations),
        "history_count": history.count(),
        "history": list(history[query.offset : query.offset + query.limit]),
    }


@api.post(
    "/conversations/{conversation_id}/replies",
    response={201: MessageOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    tags=["demandes"],
)
def post_reply(request: HttpRequest, conversation_id: Id, payload: ReplyIn):
    """Répond sur le canal de la demande ; la réponse part par la file d'envoi (état « queued »)."""
    conversation = access_conversation(request.auth, conversation_id)
    try:
        message = reply_to_conversation(
            request.auth, conversation, payload.text, then_status=payload.status
        )
    except ActionError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201, _messages(Message.objects.filter(pk=message.pk)).get())


@api.post(
    "/messages/{message_id}/private-replies",
    response={201: MessageOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    tags=["modération"],
)
def post_private_reply(request: HttpRequest, message_id: Id, payload: PrivateReplyIn):
    """Répond en privé à un commentaire public reçu (réponse privée de Facebook : une seule par
    commentaire, dans les 7 jours). Le message rejoint la demande du commentaire et part par la
    file d'envoi (état « queued »)."""
    comment = access_message(request.auth, message_id)
    try:
        message = reply_privately(request.auth, comment, payload.text)
    except ActionError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201, _messages(Message.objects.filter(pk=message.pk)).get())


def _moderate(request: HttpRequest, message_id: Id, action) -> Status:
    message = access_message(request.auth, message_id)
    try:
        delivery = action(request.auth, message)
    except ActionError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(202, delivery)


MODERATED = {202: OperationOut, 409: ErrorOut, **ERRORS}


@api.post("/messages/{message_id}/hide", response=MODERATED, tags=["modération"])
def post_hide(request: HttpRequest, message_id: Id):
    """Masque un message reçu sur sa plateforme (un commentaire public). 202 : l'opération est
    en file ; `hidden_at` du message est posé quand la plateforme l'a confirmée."""
    return _moderate(request, message_id, hide_message)


@api.post("/messages/{message_id}/unhide", response=MODERATED, tags=["modération"])
def post_unhide(request: HttpRequest, message_id: Id):
    """Réaffiche un message masqué ; `hidden_at` est effacé quand la plateforme l'a confirmé."""
    return _moderate(request, message_id, unhide_message)


@api.post("/messages/{message_id}/delete", response=MODERATED, tags=["modération"])
def post_delete(request: HttpRequest, message_id: Id):
    """Supprime un message public de sa plateforme (un commentaire, une de nos réponses). Notre
    copie est gardée : `removed_at` est posé quand la plateforme l'a confirmé."""
    return _moderate(request, message_id, delete_message)


@api.post(
    "/messages",
    response={
        200: IntakeOut,
        201: IntakeOut,
        202: IntakeOut,
        400: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        **ERRORS,
    },
    tags=["messages entrants"],
)
@decorate_view(limit_body_size(api, MAX_BODY_BYTES))
def post_message(request: HttpRequest, payload: InboundMessageIn):
    """Dépose un message d'usager sur un canal de type « api ».

    201 : message créé. 200 : cet `external_id` avait déjà été reçu ; rien n'est créé, la
    réponse redonne le résultat du premier envoi. 202 : message enregistré mais pas encore
    traité (nouvel essai automatique) ; `event_state` et `error` disent pourquoi.
    """
    channel = _api_channel(request.auth, payload.channel)
    if payload.category and not Category.objects.filter(slug=payload.category).exists():
        raise Http404(_("Thème inconnu : %(slug)s") % {"slug": payload.category})
    return _intake_answer(receive_api_message(channel, payload.to_payload()))


def _api_channel(user, channel_id: int) -> Channel:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None or not visible_teams(user).filter(pk=channel.team_id).exists():
        raise Http404(_("Canal introuvable."))
    if channel.kind != "api":
        raise HttpError(
            409,
            _(
                "Le canal « %(name)s » est de type %(kind)s : seuls les canaux « api » reçoivent "
                "des messages par l'API."
            )
            % {"name": channel.name, "kind": channel.kind},
        )
    if not channel.is_active:
        raise HttpError(409, _("Le canal « %(name)s » est désactivé.") % {"name": channel.name})
    return channel


def _intake_answer(intake: Intake):
    event = intake.event
    answer = {"event_id": event.pk, "event_state": event.state, "error": event.last_error}
    if event.state != EventState.DONE:
        return Status(202, {**answer, "status": "stored"})
    message = (
        Message.objects.select_related("conversation").filter(pk__in=event.message_ids).first()
    )
    if message is not None:
        answer.update(
            reference=message.conversation.reference,
            conversation_id=message.conversation_id,
            message_id=message.pk,
        )
    if intake.created:
        return Status(201, {**answer, "status": "created"})
    return Status(200, {**answer, "status": "duplicate"})
