"""What the queue shows of a case to someone who may not read its text (health data)."""

from __future__ import annotations

import pytest

from civique.moderation.models import ModerationCase, ModeratorTeam
from tests.moderation.conftest import analysed, finding, receive, signed_in

pytestmark = pytest.mark.django_db

HEALTH_TEXT = "Ma chimiothérapie est reportée à cause de vos travaux, ras le bol !"


@pytest.fixture
def angry_health(page_routes):
    message = receive(page_routes, HEALTH_TEXT, author="51", name="Odile Marchand")
    # The case the intake opened from the real analysers' findings gives way to these findings.
    ModerationCase.objects.filter(message=message).delete()
    case = analysed(
        message,
        finding("tone.angry", 0.8, "ras le bol", 56),
        finding("health", 0.9, "chimiothérapie", 3),
    )
    message.refresh_from_db()
    assert case.angry and message.meta.get("sensitive") == "health"
    return case


def test_the_calming_reply_does_not_restate_unreadable_health_text(agent, angry_health):
    ModeratorTeam.objects.create(team=agent.teams.get())
    html = signed_in(agent).get("/moderation/").content.decode()
    assert "Bonjour Odile" in html
    assert "chimiothérapie" not in html
    assert "reportée" not in html


def test_a_supervisor_still_gets_the_problem_restated(moderator, angry_health):
    html = signed_in(moderator).get("/moderation/").content.decode()
    assert "Ma chimiothérapie est reportée" in html


def test_previous_exchanges_show_only_the_reader_s_teams_and_hide_health_text(
    agent, other_team, page_routes
):
    ModeratorTeam.objects.create(team=agent.teams.get())
    elsewhere = receive(page_routes, "Mon dossier de logement social est bloqué", author="61")
    sick = receive(page_routes, "Mon diabète s'aggrave depuis la fermeture", author="61")
    assert elsewhere.conversation_id != sick.conversation_id
    elsewhere.conversation.team = other_team
    elsewhere.conversation.save(update_fields=["team"])
    sick.meta = {**sick.meta, "sensitive": "health"}
    sick.save(update_fields=["meta"])
    angry = receive(
        page_routes, "Trois semaines que le lampadaire est en panne, ras le bol !", author="61"
    )
    assert angry.moderation.angry
    html = signed_in(agent).get("/moderation/").content.decode()
    start = html.find("Échanges précédents de cette personne")
    assert start > 0
    previous = html[start : html.find("</ul>", start)]
    assert "logement social" not in html
    assert "diabète" not in previous
    assert "Contenu masqué : données de santé" in previous
