"""The moderation queue page: most severe first, evidence explained, filters, permissions."""

from __future__ import annotations

import pytest
from django.test import Client

from civique.core.models import Role, User
from civique.moderation.models import ModeratorTeam
from tests.moderation.conftest import analysed, finding, receive, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def comments(page_routes):
    """Four comments: spam, hate, angry-but-legitimate, insult (received in this order)."""
    spam = receive(page_routes, "Achetez des montres sur promo.example", author="11", name="Promo")
    hate = receive(page_routes, "Dehors tous ces étrangers", author="12", name="Anonyme")
    angry = receive(page_routes, "Trois semaines que le lampadaire est en panne, ras le bol !")
    insult = receive(page_routes, "Le maire est un incapable", author="13", name="Gérard")
    analysed(spam, finding("spam.advertising", 0.9, "Achetez"))
    analysed(hate, finding("abuse.hate", 0.8, "étrangers", 16))
    analysed(angry, finding("tone.angry", 0.8, "ras le bol", 47))
    analysed(insult, finding("abuse.insult", 0.9, "incapable", 16))
    return {"spam": spam, "hate": hate, "angry": angry, "insult": insult}


def order_on_page(html: str, comments: dict) -> list[str]:
    positions = {name: html.find(f'id="cas-{m.moderation.pk}"') for name, m in comments.items()}
    assert all(p > 0 for p in positions.values()), positions
    return sorted(positions, key=positions.get)


def test_it_lists_the_most_severe_first(moderator, comments):
    html = signed_in(moderator).get("/moderation/").content.decode()
    assert order_on_page(html, comments) == ["hate", "insult", "spam", "angry"]


def test_it_marks_the_evidence_and_explains_the_labels_in_french(moderator, comments):
    html = signed_in(moderator).get("/moderation/").content.decode()
    assert '<mark title="Injure ou outrage">incapable' in html
    assert "Haine ou discrimination" in html
    assert "Art. 3 — Haine et discriminations" in html
    assert "score 0,80 sur 1" in html or "score 0.80 sur 1" in html


def test_an_angry_complaint_gets_a_de_escalating_answer_not_a_hide_button(moderator, comments):
    html = signed_in(moderator).get("/moderation/").content.decode()
    start = html.find(f'id="cas-{comments["angry"].moderation.pk}"')
    angry = html[start : html.find("</li>", html.find("moderation-actions", start))]
    assert "Colère légitime" in angry
    assert "Bonjour Renée" in angry
    assert "Trois semaines que le lampadaire est en panne, ras le bol" in angry
    assert "appeler" in angry
    assert 'value="hide"' not in angry


def test_it_filters_by_label(moderator, comments):
    html = signed_in(moderator).get("/moderation/?label=abuse.insult").content.decode()
    assert f'id="cas-{comments["insult"].moderation.pk}"' in html
    assert f'id="cas-{comments["hate"].moderation.pk}"' not in html


def test_an_agent_without_the_right_gets_403(agent, comments):
    assert signed_in(agent).get("/moderation/").status_code == 403
    case = comments["insult"].moderation
    response = signed_in(agent).post(f"/moderation/{case.pk}/", {"action": "hide"})
    assert response.status_code == 403
    assert not case.message.deliveries.exists()


def test_an_agent_of_a_moderator_team_moderates_its_own_channels_only(
    agent, outsider, other_team, comments
):
    ModeratorTeam.objects.create(team=other_team)
    case = comments["insult"].moderation
    # The outsider's team moderates, but not this channel's team: not even found.
    assert signed_in(outsider).get("/moderation/").status_code == 200
    response = signed_in(outsider).post(f"/moderation/{case.pk}/", {"action": "hide"})
    assert response.status_code == 404
    ModeratorTeam.objects.create(team=agent.teams.get())
    response = signed_in(agent).post(f"/moderation/{case.pk}/", {"action": "hide"})
    assert response.status_code == 302
    assert case.message.deliveries.filter(kind="hide").exists()


def test_the_navigation_links_the_queue_for_moderators_only(moderator, agent, db):
    assert "/moderation/" in signed_in(moderator).get("/").content.decode()
    assert "/moderation/" not in signed_in(agent).get("/").content.decode()


def test_a_bad_action_gets_a_french_error_not_a_500(moderator, comments):
    case = comments["insult"].moderation
    client = signed_in(moderator)
    response = client.post(f"/moderation/{case.pk}/", {"action": "launch-missiles"}, follow=True)
    assert response.status_code == 200
    assert "Rien n&#x27;a été enregistré" in response.content.decode()
    response = client.post(f"/moderation/{case.pk}/", {"action": "reply_public"}, follow=True)
    assert "Écrivez la réponse." in response.content.decode()


def test_an_administrator_sees_every_team(comments, db):
    admin = User.objects.create_user("chef", password="x-motdepasse", role=Role.ADMINISTRATOR)
    html = signed_in(admin).get("/moderation/").content.decode()
    assert html.count('class="moderation-case') == 4


def test_the_portal_publishes_the_enabled_articles(db):
    from civique.moderation.models import CharterRule

    CharterRule.objects.filter(slug="droit-auteur").update(enabled=False)
    html = Client().get("/portail/charte/").content.decode()
    assert "Article 1 — Injures et outrages" in html
    assert "article 9 du RGPD" in html
    assert "Droit d&#x27;auteur" not in html and "Droit d'auteur" not in html


def test_an_angry_complaint_with_a_phone_number_gets_both_hiding_and_a_call(moderator, page_routes):
    text = "Deux signalements pour la fuite et toujours rien, c'est scandaleux ! 06 12 34 56 78"
    case = analysed(
        receive(page_routes, text, author="41", name="Yves Caron"),
        finding("tone.angry", 0.8, "scandaleux", 50),
        finding("personal.phone", 0.95, "06 12 34 56 78", 63),
    )
    assert case.angry and case.charter_rule.slug == "donnees-personnelles"
    html = signed_in(moderator).get("/moderation/").content.decode()
    assert "Bonjour Yves" in html
    assert "Nous pouvons vous appeler au numéro que vous nous avez laissé" in html
    assert "Tâche : rappeler au 06 12 34 56 78" in html
    assert 'value="hide"' in html
