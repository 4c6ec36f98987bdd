"""The conversation page tells who will read an answer before it is sent: a public reply under
a Facebook comment must be confirmed as public; a private reply to the comment is offered beside
it; a Messenger conversation is answered as a private message to the person."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from civique.inbox.models import Delivery, Message
from civique.inbox.outbox import deliver_due
from tests.channels.facebook import (  # noqa: F401 - page_fixture is the fixture "page"
    TOP,
    arrive,
    page_fixture,
)
from tests.channels.mail import ingest, mail
from tests.hooks import PAGE_ID

pytestmark = pytest.mark.django_db


def detail(conversation) -> str:
    return f"/demandes/{conversation.pk}/"


def test_a_public_conversation_says_the_reply_is_public_and_asks_to_confirm(client, agent, page):
    comment = arrive(page, "comment-add.json")
    client.force_login(agent)

    html = unescape(client.get(detail(comment.conversation)).text)

    assert "Réponse publique, visible de tous sous la publication" in html
    assert 'class="audience audience-public"' in html
    # Read with the text field by screen readers, not only shown above it.
    assert 'aria-describedby="id_reply-text_helptext"' in html
    assert "Je confirme : cette réponse sera publique, visible de tous." in html
    assert "Publier la réponse publique" in html
    assert "Envoyer la réponse<" not in html


def test_an_unconfirmed_public_reply_is_refused_and_nothing_is_sent(client, agent, page):
    comment = arrive(page, "comment-add.json")
    client.force_login(agent)

    response = client.post(f"/demandes/{comment.conversation.pk}/repondre/", {"reply-text": "Ok"})

    assert response.status_code == 422
    assert "Cochez la case pour confirmer que la réponse sera publique." in unescape(response.text)
    assert not Message.objects.filter(direction="out").exists()


def test_a_confirmed_public_reply_is_published_under_the_comment(client, agent, page, graph_api):
    comment = arrive(page, "comment-add.json")
    graph_api.route("POST", rf"{TOP}/comments", {"id": f"{TOP}_900"})
    client.force_login(agent)

    response = client.post(
        f"/demandes/{comment.conversation.pk}/repondre/",
        {"reply-text": "Passage jeudi.", "reply-confirm_public": "on"},
    )
    deliver_due()

    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert (reply.visibility, reply.external_id) == ("public", f"{TOP}_900")


def test_a_messenger_conversation_says_the_reply_is_a_private_message_to_the_person(
    client, agent, page
):
    message = arrive(page, "messenger-text.json")
    message.conversation.contact.display_name = "Jeanne Morel"
    message.conversation.contact.save()
    client.force_login(agent)

    html = unescape(client.get(detail(message.conversation)).text)

    assert "Message privé à Jeanne Morel" in html
    assert 'class="audience audience-private"' in html
    assert "reply-confirm_public" not in html
    assert "Envoyer la réponse" in html
    assert "Répondre en privé" not in html  # no public comment to answer in private here


def test_a_comment_offers_an_answer_in_private_that_goes_through_the_outbox(
    client, agent, page, graph_api
):
    comment = arrive(page, "comment-add.json", ago=timedelta(days=2))
    graph_api.route(
        "POST", rf"{PAGE_ID}/messages", {"recipient_id": "1", "message_id": "m_prive_1"}
    )
    client.force_login(agent)
    page_html = unescape(
        client.get(f"{detail(comment.conversation)}?commentaire={comment.pk}").text
    )
    assert f'href="?commentaire={comment.pk}#repondre-en-prive"' in page_html
    assert "Message privé à Renée Lefèvre" in page_html
    assert f'<option value="{comment.pk}" selected>' in page_html

    response = client.post(
        f"/demandes/{comment.conversation.pk}/repondre-en-prive/",
        {"private-comment": comment.pk, "private-text": "Quel est votre numéro de rue ?"},
    )
    deliver_due()

    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert (reply.visibility, reply.in_reply_to, reply.external_id) == (
        "private",
        TOP,
        "m_prive_1",
    )
    assert Delivery.objects.get(message=reply).kind == "reply_private"
    shown = unescape(client.get(detail(comment.conversation)).text)
    assert "Réponse privée enregistrée sur la demande" in shown


def test_a_second_private_reply_to_the_same_comment_is_refused_on_the_page(
    client, agent, page, graph_api
):
    comment = arrive(page, "comment-add.json")
    graph_api.route(
        "POST", rf"{PAGE_ID}/messages", {"recipient_id": "1", "message_id": "m_prive_1"}
    )
    client.force_login(agent)
    data = {"private-comment": comment.pk, "private-text": "Bonjour."}
    client.post(f"/demandes/{comment.conversation.pk}/repondre-en-prive/", data)

    response = client.post(f"/demandes/{comment.conversation.pk}/repondre-en-prive/", data)

    assert response.status_code == 422
    assert "déjà été envoyée pour ce commentaire" in unescape(response.text)
    assert Delivery.objects.filter(kind="reply_private").count() == 1


def test_an_outsider_cannot_reply_in_private(client, outsider, page):
    comment = arrive(page, "comment-add.json")
    client.force_login(outsider)

    response = client.post(
        f"/demandes/{comment.conversation.pk}/repondre-en-prive/",
        {"private-comment": comment.pk, "private-text": "Bonjour."},
    )

    assert response.status_code == 404
    assert not Delivery.objects.exists()


def test_an_email_conversation_offers_no_private_reply(client, agent, email_channel):
    received = Message.objects.get(pk=ingest(email_channel, mail()).message_ids[0])
    client.force_login(agent)

    html = unescape(client.get(detail(received.conversation)).text)

    assert "Répondre en privé" not in html
    assert "Message privé à" in html


# --- Messenger's window, told before writing ---------------------------------------------


@pytest.mark.parametrize(
    ("ago", "told"),
    [
        (timedelta(hours=3), None),
        (timedelta(days=3), "la réponse partira avec l'étiquette « agent humain »"),
        (timedelta(days=8), "Cette réponse ne pourra pas partir par Messenger."),
    ],
)
def test_the_reply_box_tells_where_messengers_window_stands(client, agent, page, ago, told):
    message = arrive(page, "messenger-text.json", ago=ago)
    client.force_login(agent)

    html = unescape(client.get(detail(message.conversation)).text)

    if told is None:
        assert 'id="fenetre-de-reponse"' not in html
    else:
        assert 'id="fenetre-de-reponse"' in html and told in html


def test_a_reply_refused_by_messengers_window_is_explained_on_the_page(
    client, agent, page, graph_api
):
    message = arrive(page, "messenger-text.json", ago=timedelta(days=8))
    client.force_login(agent)
    client.post(f"/demandes/{message.conversation.pk}/repondre/", {"reply-text": "Bonjour."})
    deliver_due()

    html = unescape(client.get(detail(message.conversation)).text)

    assert "Échec définitif" in html
    assert "Messenger refuse les messages envoyés plus de 7 jours après" in html
    assert graph_api.calls == []
