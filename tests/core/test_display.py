"""Bidirectional controls are neutralised wherever text is shown, and kept where it is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civique.core.display import MARKER, neutralise_bidi
from civique.inbox.models import Attachment
from tests.intake import attachment, request_from

pytestmark = pytest.mark.django_db

RLO = "\u202e"


@pytest.fixture
def reversed_request(webform_channel):
    return request_from(
        webform_channel,
        email="camille@example.fr",
        name=f"Camille {RLO}Durand",
        subject=f"Lampadaire {RLO}12 rue",
        text=f"Voir la photo{RLO}gnp.exe jointe.",
        attachments=[attachment(f"photo{RLO}gnp.exe", b"MZ contenu", "application/pdf")],
    )


def test_it_replaces_every_bidirectional_control_by_a_visible_marker():
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert neutralise_bidi(f"a{controls}b") == "a" + MARKER * len(controls) + "b"
    assert neutralise_bidi("12 rue de l'Église, שלום") == "12 rue de l'Église, שלום"


def test_the_stored_text_keeps_what_was_received(reversed_request):
    message = reversed_request.messages.get()
    assert RLO in message.text
    assert RLO in Attachment.objects.get(message=message).filename


def test_the_inbox_list_the_conversation_and_the_contact_pages_show_no_override(
    client, agent, reversed_request
):
    client.force_login(agent)
    pages = [
        reverse("inbox:list"),
        reverse("inbox:detail", args=[reversed_request.pk]),
        reverse("contacts:detail", args=[reversed_request.contact_id]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert RLO not in html, url
        assert "12 rue" in html or url != pages[0], url
    html = client.get(pages[1]).content.decode()
    assert f"photo{MARKER}gnp.exe" in html
    assert f"Voir la photo{MARKER}gnp.exe jointe." in html


def test_the_attachment_download_name_shows_no_override(client, agent, reversed_request):
    client.force_login(agent)
    pk = Attachment.objects.get(message__conversation=reversed_request).pk
    disposition = client.get(reverse("inbox:attachment", args=[pk]))["Content-Disposition"]
    assert "%E2%80%AE" not in disposition.upper()
    assert "photo%EF%BF%BDgnp.exe" in disposition


def test_the_portal_tracking_page_shows_no_override(client, reversed_request):
    response = client.post(
        reverse("portal:track"),
        {"reference": reversed_request.reference, "email": "camille@example.fr"},
    )
    html = response.content.decode()
    assert f"Demande {reversed_request.reference}" in html
    assert RLO not in html
    assert f"Voir la photo{MARKER}gnp.exe jointe." in html


def test_the_api_shows_no_override(client, agent, reversed_request):
    from civique.api.actions import create_token

    token = create_token(agent).secret
    response = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    listed = response.json()["items"][0]
    assert listed["subject"] == f"Lampadaire {MARKER}12 rue"
    assert "202e" not in response.content.decode().lower()
