"""Hiding, showing again, deleting a message and answering a comment in private through the
API: the same actions and the same permission checks as the conversation page, then the outbox
to the local fake of the Graph API."""

from __future__ import annotations

import pytest

from civique.inbox.models import Delivery, Message
from civique.inbox.outbox import deliver_due
from tests.channels.facebook import (  # noqa: F401 - page_fixture is the fixture "page"
    TOP,
    arrive,
    page_fixture,
)
from tests.hooks import PAGE_ID

pytestmark = pytest.mark.django_db


def post(client, headers, message_id: int, action: str, **body):
    return client.post(
        f"/api/v1/messages/{message_id}/{action}",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_hiding_a_comment_answers_202_with_the_queued_operation(
    client, agent, auth, page, graph_api
):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", TOP, {"success": True})

    response = post(client, auth(agent), comment.pk, "hide")

    assert response.status_code == 202
    body = response.json()
    assert (body["operation"], body["state"], body["message_id"]) == ("hide", "queued", comment.pk)
    deliver_due()
    assert graph_api.made("POST", TOP)[0].json == {"is_hidden": True}
    shown = client.get(f"/api/v1/conversations/{comment.conversation_id}", headers=auth(agent))
    assert shown.json()["messages"][0]["hidden_at"] is not None


def test_a_hidden_comment_is_shown_again_then_deleted(client, agent, auth, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", TOP, {"success": True})
    graph_api.route("DELETE", TOP, {"success": True})
    headers = auth(agent)

    for action in ("hide", "unhide", "delete"):
        assert post(client, headers, comment.pk, action).json()["operation"] == action
        deliver_due()

    comment.refresh_from_db()
    assert comment.hidden_at is None and comment.removed_at is not None
    assert [d.kind for d in comment.deliveries.order_by("id")] == ["hide", "unhide", "delete"]
    assert len(graph_api.made("DELETE", TOP)) == 1


def test_a_refused_moderation_is_a_409_in_french(client, agent, auth, page):
    message = arrive(page, "messenger-text.json")

    response = post(client, auth(agent), message.pk, "delete")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Seul un message public peut être masqué")
    assert not Delivery.objects.exists()


def test_a_private_reply_answers_201_and_leaves_through_the_outbox(
    client, agent, auth, page, graph_api
):
    comment = arrive(page, "comment-add.json")
    graph_api.route(
        "POST", rf"{PAGE_ID}/messages", {"recipient_id": "1", "message_id": "m_prive_1"}
    )

    response = post(client, auth(agent), comment.pk, "private-replies", text="Votre adresse ?")

    assert response.status_code == 201
    body = response.json()
    assert (body["visibility"], body["delivery"]["state"]) == ("private", "queued")
    assert body["conversation_id"] == comment.conversation_id
    deliver_due()
    assert Message.objects.get(pk=body["id"]).external_id == "m_prive_1"


def test_a_second_private_reply_is_a_409(client, agent, auth, page, graph_api):
    comment = arrive(page, "comment-add.json")
    headers = auth(agent)
    post(client, headers, comment.pk, "private-replies", text="Bonjour.")

    response = post(client, headers, comment.pk, "private-replies", text="Bonjour encore.")

    assert response.status_code == 409
    assert "déjà été envoyée pour ce commentaire" in response.json()["detail"]


def test_an_empty_private_reply_is_a_422(client, agent, auth, page):
    comment = arrive(page, "comment-add.json")

    response = post(client, auth(agent), comment.pk, "private-replies", text="   ")

    assert response.status_code == 422
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.parametrize("action", ["hide", "unhide", "delete", "private-replies"])
def test_an_outsider_gets_404_and_nothing_is_queued(client, outsider, auth, page, action):
    comment = arrive(page, "comment-add.json")

    response = post(client, auth(outsider), comment.pk, action, text="Bonjour.")

    assert response.status_code == 404
    assert response.json() == {"detail": "Message introuvable."}
    assert not Delivery.objects.exists()


def test_an_unknown_message_is_a_404(client, agent, auth, db):
    assert post(client, auth(agent), 999999, "hide").status_code == 404


def test_without_a_token_it_is_a_401(client, page):
    comment = arrive(page, "comment-add.json")
    assert post(client, {}, comment.pk, "hide").status_code == 401


def test_the_openapi_document_lists_the_moderation_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for action in ("hide", "unhide", "delete", "private-replies"):
        assert "post" in paths[f"/api/v1/messages/{{message_id}}/{action}"]
