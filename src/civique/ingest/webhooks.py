"""The one webhook door: ``/hooks/<connector kind>/<channel id>/``.

It checks the request with the channel's connector, stores what was delivered with
``receive_event`` and answers at once; a worker does the rest. Nothing here depends on a platform:
the connector answers the subscription check, verifies the signature and splits the body. A
delivery naming another account (an app serving several Pages posts them all to one URL) is
stored on that account's channel when the request is signed for it too.

Answers: 200 stored (or already known); 403 wrong verify token or signature; 404 no such active
channel of that kind; 413 body over ``CIVIQUE_MAX_EVENT_BYTES``; 400 a GET that is not a
subscription check. Short plain-text bodies that say nothing of the channel or its settings.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civique.channels.connectors.base import (
    Connector,
    WebhookRefused,
    WebhookRequest,
)
from civique.channels.models import Channel
from civique.channels.registry import UnknownConnector, get_connector
from civique.core.wakeup import wake
from civique.core.write_turn import write_turn
from civique.ingest.actions import EventTooLarge, receive_event
from civique.ingest.tasks import process_inbound_events

logger = logging.getLogger(__name__)


def _text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _webhook_channel(kind: str, channel_id: int) -> tuple[Channel, Connector] | None:
    """The active channel of that id and kind, when its connector receives webhooks."""
    try:
        connector = get_connector(kind)
    except UnknownConnector:
        return None
    if not connector.webhook:
        return None
    channel = Channel.objects.filter(pk=channel_id, kind=kind, is_active=True).first()
    return (channel, connector) if channel is not None else None


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or None when it is over ``limit`` bytes. Read from the stream, not through
    ``request.body``, so Django's form-upload limit does not apply to platform payloads."""
    if _declared_length(request) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _webhook_request(request: HttpRequest, body: bytes) -> WebhookRequest:
    return WebhookRequest(
        method=request.method or "",
        headers={name.lower(): value for name, value in request.headers.items()},
        query={key: request.GET.get(key, "") for key in request.GET},
        body=body,
        content_type=request.content_type or "",
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive_webhook(request: HttpRequest, kind: str, channel_id: int) -> HttpResponse:
    found = _webhook_channel(kind, channel_id)
    if found is None:
        return _text("Inconnu.", 404)
    channel, connector = found
    if request.method == "GET":
        return _handshake(channel, connector, _webhook_request(request, b""))
    body = _read_body(request, settings.CIVIQUE_MAX_EVENT_BYTES)
    if body is None:
        return _text("Contenu trop volumineux.", 413)
    hook = _webhook_request(request, body)
    if not connector.verify_webhook(channel, hook):
        logger.warning("Webhook refusé : signature absente ou fausse (canal %s).", channel.pk)
        return _text("Signature invalide.", 403)
    return _store(channel, connector, hook)


def _handshake(channel: Channel, connector: Connector, hook: WebhookRequest) -> HttpResponse:
    try:
        answer = connector.handshake(channel, hook)
    except WebhookRefused:
        logger.warning("Vérification d'abonnement refusée (canal %s).", channel.pk)
        return _text("Jeton de vérification invalide.", 403)
    if answer is None:
        return _text("Requête de vérification attendue.", 400)
    return _text(answer, 200)


def _account_channels(
    channel: Channel, connector: Connector, hook: WebhookRequest
) -> dict[str, Channel]:
    """The active channels of ``channel``'s kind by platform account, among those the request
    is also signed for (the same app), ``channel`` first."""
    found: dict[str, Channel] = {connector.webhook_account(channel): channel}
    for other in Channel.objects.filter(kind=channel.kind, is_active=True).exclude(pk=channel.pk):
        account = connector.webhook_account(other)
        if account not in found and connector.verify_webhook(other, hook):
            found[account] = other
    return found


def _store(channel: Channel, connector: Connector, hook: WebhookRequest) -> HttpResponse:
    """Store every delivery on its account's channel (an app subscribed to several Pages posts
    them all to one URL), else on the URL's channel; then wake the worker once."""
    created = 0
    by_account: dict[str, Channel] | None = None
    try:
        for delivery in connector.webhook_deliveries(channel, hook):
            target = channel
            if delivery.account and delivery.account != connector.webhook_account(channel):
                by_account = by_account or _account_channels(channel, connector, hook)
                target = by_account.get(delivery.account, channel)
            created += receive_event(
                target,
                delivery.payload,
                delivery.content_type,
                delivery.external_id,
                enqueue=False,
            ).created
    except EventTooLarge:
        return _text("Contenu trop volumineux.", 413)
    if created:
        with write_turn():  # it may enqueue a task: a write
            wake(process_inbound_events)
    return _text("OK", 200)
