"""Redirecting to a partner body answers the person, counts as answered, and forwards by mail
only with consent."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from civique.inbox import clocks
from civique.inbox.actions import ActionError
from civique.inbox.models import Status
from civique.knowledge import actions
from civique.knowledge.models import Redirection


def test_the_redirect_form_is_prefilled_with_the_bodys_details(
    client, agent, caf, conversation_factory
):
    conversation = conversation_factory("mes APL ne sont pas versées")
    client.force_login(agent)
    page = client.get(reverse("knowledge:redirect", args=[conversation.pk, caf.pk]))
    assert page.status_code == 200
    assert (
        "Votre demande relève de Caisse d&#x27;allocations familiales (CAF) : 09 69 32 21 52"
        in (page.content.decode())
    )


def test_redirecting_counts_as_answered_and_marks_the_conversation(
    client, agent, caf, conversation_factory
):
    conversation = conversation_factory("mes APL ne sont pas versées")
    assert conversation.first_response_at is None
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:redirect", args=[conversation.pk, caf.pk]),
        {"text": "Adressez-vous à la CAF."},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.waiting_since is None
    assert conversation.status == Status.RESOLVED
    redirection = Redirection.objects.get(conversation=conversation)
    assert redirection.institution == caf and redirection.forward_to == ""
    assert redirection.message.text == "Adressez-vous à la CAF."
    assert redirection.message.meta["outcome"] == "redirected"
    entry = conversation.timeline.filter(kind="system").last()
    assert entry.data["redirected_to"] == "caf"
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert "Orientée vers Caisse d" in page
    assert len(mail.outbox) == 0


def test_a_redirection_stays_an_answer_when_the_clocks_are_recomputed(
    agent, caf, conversation_factory
):
    conversation = conversation_factory("mes APL ne sont pas versées")
    redirection = actions.redirect_conversation(agent, conversation, caf, "Voyez la CAF.")
    conversation.refresh_from_db()
    answered_at = conversation.first_response_at
    clocks.recompute(conversation)
    conversation.refresh_from_db()
    assert clocks.counts_as_answer(redirection.message)
    assert conversation.first_response_at == answered_at == redirection.message.when
    assert conversation.waiting_since is None


def test_forwarding_without_consent_is_refused(client, agent, caf, conversation_factory):
    conversation = conversation_factory("APL")
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:redirect", args=[conversation.pk, caf.pk]),
        {"text": "Adressez-vous à la CAF.", "forward": "on"},
    )
    assert response.status_code == 422
    assert "Sans l&#x27;accord de la personne" in response.content.decode()
    assert not Redirection.objects.exists()
    with pytest.raises(ActionError):
        actions.redirect_conversation(agent, conversation, caf, "x", forward=True, consent=False)


def test_forwarding_with_consent_mails_the_body(
    client, agent, caf, conversation_factory, django_capture_on_commit_callbacks
):
    conversation = conversation_factory("mes APL ne sont pas versées depuis mars")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge:redirect", args=[conversation.pk, caf.pk]),
            {"text": "Nous transmettons à la CAF.", "forward": "on", "consent": "on"},
        )
    assert response.status_code == 302
    redirection = Redirection.objects.get()
    assert redirection.consent_at is not None and redirection.forward_sent_at is not None
    assert mail.outbox[0].to == ["contact@caf.example"]
    assert "depuis mars" in mail.outbox[0].body


def test_a_public_redirect_needs_the_public_confirmation(
    client, agent, team, caf, conversation_factory
):
    from civique.channels.models import Channel

    facebook = Channel.objects.create(kind="facebook", name="Page", team=team)
    conversation = conversation_factory("APL", channel=facebook, visibility="public")
    client.force_login(agent)
    url = reverse("knowledge:redirect", args=[conversation.pk, caf.pk])
    assert client.post(url, {"text": "Voyez la CAF."}).status_code == 422


def test_using_a_partner_body_from_the_reply_box_opens_the_redirect_form(
    client, agent, caf, conversation_factory
):
    from civique.knowledge.models import EntryKind, SearchEntry

    conversation = conversation_factory("APL")
    entry = SearchEntry.objects.get(kind=EntryKind.INSTITUTION, object_id=caf.pk)
    client.force_login(agent)
    url = reverse("knowledge:use", args=[conversation.pk])
    target = reverse("knowledge:redirect", args=[conversation.pk, caf.pk])
    assert client.post(url, {"entry": entry.pk})["Location"] == target
    htmx = client.post(url, {"entry": entry.pk}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == target
