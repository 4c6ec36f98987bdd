"""The conversation page: what it shows, who may see it, and every action through its view."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from civique.core.models import AuditEvent, Team
from civique.inbox.models import (
    Delivery,
    DeliveryState,
    Direction,
    Message,
    MessageKind,
    TimelineEntry,
)
from tests.inbox.conftest import as_htmx
from tests.intake import request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(webform_channel):
    return request_from(
        webform_channel,
        subject="Lampadaire éteint",
        name="Jeanne Roux",
        email="jeanne@example.org",
        text="Le lampadaire devant le 12 rue des Lilas est éteint.",
        location={"lat": 45.1, "lon": 5.7, "address": "12 rue des Lilas"},
    )


def url(name: str, conversation) -> str:
    return reverse(f"inbox:{name}", args=[conversation.pk])


def test_it_shows_the_header_and_the_timeline(client, agent, conversation):
    client.force_login(agent)

    response = client.get(url("detail", conversation))

    html = response.text
    assert response.status_code == 200
    assert f"V-{conversation.pk}" in html
    assert "Lampadaire éteint" in html
    assert "Le lampadaire devant le 12 rue des Lilas est éteint." in html
    assert "12 rue des Lilas" in html
    assert reverse("contacts:detail", args=[conversation.contact_id]) in html
    assert "Orientée vers le service Accueil" in html
    assert "Portail citoyen" in html


def test_the_outsider_gets_a_404_on_another_teams_conversation(client, outsider, conversation):
    client.force_login(outsider)

    assert client.get(url("detail", conversation)).status_code == 404
    assert client.post(url("note", conversation), {"note-text": "x"}).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, conversation):
    response = client.get(url("detail", conversation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_automated_mail_carries_a_badge(client, agent, conversation):
    Message.objects.filter(conversation=conversation).update(is_automated=True)
    client.force_login(agent)

    assert "Message automatique" in client.get(url("detail", conversation)).text


def test_html_only_messages_are_shown_as_inert_cleaned_markup(client, agent, conversation):
    Message.objects.filter(conversation=conversation).update(
        text="", html='<p>Bonjour <b>madame</b></p><img src="https://pixel.example/t.gif">'
    )
    client.force_login(agent)

    html = client.get(url("detail", conversation)).text

    assert "<p>Bonjour <b>madame</b></p>" in html
    assert "pixel.example" not in html


def test_message_text_is_escaped(client, agent, webform_channel):
    conversation = request_from(
        webform_channel, email="x@example.org", text="<script>alert(1)</script>"
    )
    client.force_login(agent)

    html = client.get(url("detail", conversation)).text

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_reply_goes_through_the_outbox_and_redirects_back(client, agent, conversation):
    client.force_login(agent)

    response = client.post(
        url("reply", conversation),
        {"reply-text": "Nos services interviennent demain.", "reply-then_status": "pending"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("detail", conversation)
    reply = Message.objects.get(conversation=conversation, direction=Direction.OUTBOUND)
    assert reply.text == "Nos services interviennent demain."
    assert reply.delivery.state == DeliveryState.QUEUED
    conversation.refresh_from_db()
    assert conversation.status == "pending"
    assert conversation.assignee == agent
    page = unescape(client.get(url("detail", conversation)).text)
    assert "En file d'attente" in page
    assert "Réponse enregistrée" in page


def test_a_failed_delivery_shows_its_error(client, agent, conversation):
    client.force_login(agent)
    client.post(url("reply", conversation), {"reply-text": "Réponse."})
    Delivery.objects.update(state=DeliveryState.FAILED, last_error="550 <boîte> inconnue")

    html = client.get(url("detail", conversation)).text

    assert "Échec définitif" in html
    assert "550 &lt;boîte&gt; inconnue" in html


def test_an_empty_reply_is_refused_with_a_linked_error(client, agent, conversation):
    client.force_login(agent)

    response = client.post(url("reply", conversation), {"reply-text": ""})

    assert response.status_code == 422
    assert 'aria-describedby="id_reply-text_helptext id_reply-text_error"' in response.text
    assert 'id="id_reply-text_error"' in response.text
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_reply_is_disabled_with_an_explanation_on_a_phone_conversation(
    client, agent, phone_channel
):
    conversation = request_from(phone_channel, phone="0612345678", text="Appel reçu.")
    client.force_login(agent)

    page = client.get(url("detail", conversation)).text
    response = client.post(url("reply", conversation), {"reply-text": "Bonjour"})

    assert "ne permet pas de répondre" in page
    assert "reply-text" not in page
    assert response.status_code == 422
    assert "ne permet pas de répondre" in response.text


def test_an_internal_note_is_added_to_the_timeline(client, agent, conversation):
    client.force_login(agent)

    response = client.post(url("note", conversation), {"note-text": "Voir avec la voirie."})

    assert response.status_code == 302
    note = Message.objects.get(conversation=conversation, kind=MessageKind.NOTE)
    assert note.author_agent == agent
    assert "Voir avec la voirie." in client.get(url("detail", conversation)).text


def test_an_agent_takes_then_releases_a_conversation(client, agent, conversation):
    client.force_login(agent)

    client.post(url("assign", conversation), {"assign-assignee": "me"})
    conversation.refresh_from_db()
    assert conversation.assignee == agent

    client.post(url("assign", conversation), {"assign-assignee": "none"})
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_agent_cannot_assign_a_colleague(client, agent, colleague, conversation):
    client.force_login(agent)

    response = client.post(url("assign", conversation), {"assign-assignee": colleague.pk})

    assert response.status_code == 422
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_agent_cannot_release_a_colleagues_conversation(client, agent, colleague, conversation):
    conversation.assignee = colleague
    conversation.save()
    client.force_login(agent)

    response = client.post(url("assign", conversation), {"assign-assignee": "none"})

    assert response.status_code == 422
    assert "Seul un superviseur" in response.text
    conversation.refresh_from_db()
    assert conversation.assignee == colleague


def test_a_supervisor_assigns_an_agent_of_the_team(client, supervisor, agent, conversation):
    client.force_login(supervisor)

    response = client.post(url("assign", conversation), {"assign-assignee": agent.pk})

    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == agent
    assert AuditEvent.objects.filter(verb="conversation.assign", actor=supervisor).exists()


def test_an_agent_cannot_transfer_to_another_team(client, agent, other_team, conversation):
    client.force_login(agent)

    response = client.post(url("transfer", conversation), {"transfer-team": other_team.pk})

    assert response.status_code == 422
    conversation.refresh_from_db()
    assert conversation.team.slug == "accueil"


def test_a_supervisor_transfers_and_lands_on_the_inbox_when_it_leaves_their_teams(
    client, supervisor, other_team, conversation
):
    client.force_login(supervisor)

    response = client.post(url("transfer", conversation), {"transfer-team": other_team.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:list")
    conversation.refresh_from_db()
    assert conversation.team == other_team


def test_status_category_and_priority_changes_reach_the_timeline(
    client, agent, category, conversation
):
    client.force_login(agent)

    client.post(url("status", conversation), {"status-status": "resolved"})
    client.post(url("category", conversation), {"category-category": category.pk})
    client.post(url("priority", conversation), {"priority-priority": "4"})

    conversation.refresh_from_db()
    assert (conversation.status, conversation.category, conversation.priority) == (
        "resolved",
        category,
        4,
    )
    html = client.get(url("detail", conversation)).text
    assert "Statut : Nouvelle → Résolue" in html
    assert "Thème : aucun → Voirie" in html
    assert "Priorité : Normale → Urgente" in html


def test_an_unknown_status_is_a_form_error(client, agent, conversation):
    client.force_login(agent)

    response = client.post(url("status", conversation), {"status-status": "perdu"})

    assert response.status_code == 422
    conversation.refresh_from_db()
    assert conversation.status == "new"


def test_an_htmx_action_answers_with_the_updated_fragment_and_an_announcement(
    client, agent, conversation
):
    client.force_login(agent)

    response = client.post(url("note", conversation), {"note-text": "Rappeler lundi."}, **as_htmx())

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="conversation"' in response.text
    assert "Rappeler lundi." in response.text
    assert 'id="annonce" hx-swap-oob="innerHTML"' in response.text
    assert "Note interne ajoutée" in response.text


def test_an_htmx_action_refused_answers_422_with_the_error(client, agent, conversation):
    client.force_login(agent)

    response = client.post(url("note", conversation), {"note-text": ""}, **as_htmx())

    assert response.status_code == 422
    assert 'id="conversation"' in response.text
    assert "errorlist" in response.text


def test_an_htmx_transfer_away_redirects_the_browser_to_the_inbox(
    client, supervisor, other_team, conversation
):
    client.force_login(supervisor)

    response = client.post(
        url("transfer", conversation), {"transfer-team": other_team.pk}, **as_htmx()
    )

    assert response["HX-Redirect"] == reverse("inbox:list")


def test_actions_need_a_csrf_token(agent, conversation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(url("note", conversation), {"note-text": "x"})

    assert response.status_code == 403
    assert "csrfmiddlewaretoken" in client.get(url("detail", conversation)).text


def test_actions_refuse_get(client, agent, conversation):
    client.force_login(agent)

    assert client.get(url("note", conversation)).status_code == 405


def test_transfer_targets_are_the_other_teams(client, supervisor, other_team, conversation):
    Team.objects.create(slug="etat-civil", name="État civil")
    client.force_login(supervisor)

    form = client.get(url("detail", conversation)).context["transfer_form"]

    assert {t.slug for t in form.fields["team"].queryset} == {"voirie", "etat-civil"}


def test_timeline_entries_are_ordered(client, agent, conversation):
    client.force_login(agent)
    client.post(url("note", conversation), {"note-text": "Première note"})
    client.post(url("note", conversation), {"note-text": "Deuxième note"})

    html = client.get(url("detail", conversation)).text

    assert html.index("Première note") < html.index("Deuxième note")
    assert TimelineEntry.objects.filter(conversation=conversation).count() >= 4


def test_a_located_conversation_shows_its_place_as_text_a_link_and_a_map(
    client, agent, conversation
):
    client.force_login(agent)
    response = client.get(url("detail", conversation))
    html = response.content.decode()
    assert "latitude 45.100000, longitude 5.700000" in html
    assert 'href="https://www.openstreetmap.org/?mlat=45.100000&amp;mlon=5.700000' in html
    assert 'data-map data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert 'aria-label="Carte : 12 rue des Lilas (coordonnées et lien ci-dessus)"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/civique/map.js" in html
    policy = response.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img_src.split()[1:] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_without_tiles_the_place_stays_as_text_and_link_without_map(
    client, agent, conversation, settings
):
    settings.CIVIQUE_MAP_TILES_URL = ""
    client.force_login(agent)
    html = client.get(url("detail", conversation)).content.decode()
    assert "latitude 45.100000, longitude 5.700000" in html
    assert "www.openstreetmap.org/?mlat=45.100000" in html
    assert "data-map" not in html and "leaflet" not in html


def test_a_conversation_without_place_has_no_map(client, agent, webform_channel):
    client.force_login(agent)
    plain = request_from(webform_channel, email="lea@example.org")
    assert "data-map" not in client.get(url("detail", plain)).content.decode()


@pytest.mark.parametrize(
    "path",
    ["vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "civique/map.js"],
)
def test_the_map_s_scripts_and_styles_are_served_by_us(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
