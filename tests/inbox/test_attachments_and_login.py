"""Attachment downloads (access checked), the login page, logout and the language switch."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from civique.inbox.models import Attachment
from tests.intake import attachment, request_from

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def with_pdf(webform_channel):
    conversation = request_from(
        webform_channel,
        email="a@example.org",
        attachments=[attachment("facture.pdf", b"%PDF-1.4 contenu", "application/pdf")],
    )
    return Attachment.objects.get(message__conversation=conversation)


def test_an_agent_downloads_an_attachment_of_a_conversation_they_see(client, agent, with_pdf):
    client.force_login(agent)

    response = client.get(reverse("inbox:attachment", args=[with_pdf.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "facture.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 contenu"


def test_the_conversation_page_links_its_attachments(client, agent, with_pdf):
    client.force_login(agent)

    html = client.get(reverse("inbox:detail", args=[with_pdf.message.conversation_id])).text

    assert reverse("inbox:attachment", args=[with_pdf.pk]) in html
    assert "facture.pdf" in html


def test_images_are_shown_inline(client, agent, webform_channel):
    conversation = request_from(
        webform_channel,
        email="a@example.org",
        attachments=[attachment("photo.png", png_bytes(), "image/png")],
    )
    image = Attachment.objects.get(message__conversation=conversation)
    client.force_login(agent)

    response = client.get(reverse("inbox:attachment", args=[image.pk]))

    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"].startswith("image/")


def test_the_outsider_cannot_download_another_teams_attachment(client, outsider, with_pdf):
    client.force_login(outsider)

    assert client.get(reverse("inbox:attachment", args=[with_pdf.pk])).status_code == 404


def test_anonymous_visitors_cannot_download_attachments(client, with_pdf):
    response = client.get(reverse("inbox:attachment", args=[with_pdf.pk]))

    assert response.status_code == 302


def test_the_login_page_has_labelled_fields(client):
    html = client.get(reverse("login")).text

    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'lang="fr"' in html


def test_an_agent_logs_in_and_lands_on_the_inbox(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "motdepasse-agent"})

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:list")


def test_a_wrong_password_gives_an_error(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "non"})

    assert response.status_code == 200
    assert 'role="alert"' in response.text


def test_logout_is_a_post(client, agent):
    client.force_login(agent)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("inbox:list")).status_code == 302


def test_the_language_switch_offers_english_and_remembers_it(client, agent):
    client.force_login(agent)
    assert 'value="en"' in client.get(reverse("inbox:list")).text

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert 'lang="en"' in client.get(reverse("inbox:list")).text
