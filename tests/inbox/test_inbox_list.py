"""The inbox at /: what each user sees, filters, search, sort, pagination and HTMX fragments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civique.channels.models import Channel
from civique.inbox import actions
from civique.inbox.models import Category, Conversation
from tests.inbox.conftest import as_htmx
from tests.intake import request_from

pytestmark = pytest.mark.django_db
INBOX = "/"


@pytest.fixture
def voirie_channel(other_team) -> Channel:
    return Channel.objects.create(kind="webform", name="Formulaire voirie", team=other_team)


def subjects(response) -> list[str]:
    return [c.subject for c in response.context["conversations"]]


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_the_active_conversations_of_the_agents_teams(
    client, agent, webform_channel, voirie_channel
):
    request_from(webform_channel, subject="Lampadaire éteint", email="a@example.org")
    request_from(voirie_channel, subject="Nid de poule", email="b@example.org")
    closed = request_from(webform_channel, subject="Demande close", email="c@example.org")
    actions.change_status(agent, closed, "closed")
    client.force_login(agent)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert subjects(response) == ["Lampadaire éteint"]
    assert "1 demande trouvée" in response.text


def test_the_outsider_sees_only_the_other_teams_conversations(
    client, outsider, webform_channel, voirie_channel
):
    request_from(webform_channel, subject="Lampadaire éteint", email="a@example.org")
    request_from(voirie_channel, subject="Nid de poule", email="b@example.org")
    client.force_login(outsider)

    assert subjects(client.get(INBOX)) == ["Nid de poule"]


def test_an_administrator_sees_every_team(client, admin_user, webform_channel, voirie_channel):
    request_from(webform_channel, subject="Lampadaire éteint", email="a@example.org")
    request_from(voirie_channel, subject="Nid de poule", email="b@example.org")
    client.force_login(admin_user)

    assert set(subjects(client.get(INBOX))) == {"Lampadaire éteint", "Nid de poule"}


def test_each_row_shows_reference_contact_channel_team_status_and_waiting_time(
    client, agent, webform_channel
):
    conversation = request_from(
        webform_channel, hours_ago=3.2, subject="Poubelle", name="Jeanne Roux", email="j@ex.org"
    )
    client.force_login(agent)

    html = client.get(INBOX).text

    assert f"V-{conversation.pk}" in html
    assert "Jeanne Roux" in html
    assert "Portail citoyen" in html
    assert "Accueil" in html
    assert "Nouvelle" in html
    assert "en attente depuis 3" in html
    assert "<caption>" in html
    assert 'scope="col"' in html


def test_it_filters_by_status_channel_visibility_and_category(
    client, admin_user, webform_channel, phone_channel, category
):
    first = request_from(webform_channel, subject="Premier", email="a@example.org")
    request_from(webform_channel, subject="Deuxième", email="b@example.org", category=category.slug)
    request_from(phone_channel, subject="Appel", phone="0612345678")
    actions.change_status(admin_user, first, "resolved")
    client.force_login(admin_user)

    assert subjects(client.get(INBOX, {"status": "resolved"})) == ["Premier"]
    assert len(subjects(client.get(INBOX, {"status": ""}))) == 3
    assert subjects(client.get(INBOX, {"channel": phone_channel.pk})) == ["Appel"]
    assert subjects(client.get(INBOX, {"category": category.pk})) == ["Deuxième"]
    assert subjects(client.get(INBOX, {"visibility": "public"})) == []


def test_it_filters_by_team(client, admin_user, webform_channel, voirie_channel, other_team):
    request_from(webform_channel, subject="Accueil", email="a@example.org")
    request_from(voirie_channel, subject="Voirie", email="b@example.org")
    client.force_login(admin_user)

    assert subjects(client.get(INBOX, {"team": other_team.pk})) == ["Voirie"]


def test_it_filters_by_assignee_me_nobody_or_a_colleague(client, agent, colleague, webform_channel):
    mine = request_from(webform_channel, subject="À moi", email="a@example.org")
    theirs = request_from(webform_channel, subject="À Denis", email="b@example.org")
    request_from(webform_channel, subject="À personne", email="c@example.org")
    actions.assign_conversation(agent, mine, agent)
    actions.assign_conversation(colleague, theirs, colleague)
    client.force_login(agent)

    assert subjects(client.get(INBOX, {"assignee": "me"})) == ["À moi"]
    assert subjects(client.get(INBOX, {"assignee": "none"})) == ["À personne"]
    assert subjects(client.get(INBOX, {"assignee": colleague.pk})) == ["À Denis"]


def test_it_searches_words_of_the_messages_and_references(client, agent, webform_channel):
    request_from(
        webform_channel, subject="Question", email="a@example.org", text="Mon chat a disparu."
    )
    other = request_from(webform_channel, subject="Encombrants", email="b@example.org")
    client.force_login(agent)

    assert subjects(client.get(INBOX, {"q": "chat"})) == ["Question"]
    assert subjects(client.get(INBOX, {"q": f"V-{other.pk}"})) == ["Encombrants"]


def test_the_search_does_not_reveal_health_data_to_those_who_may_not_read_it(
    client, agent, supervisor, webform_channel
):
    conversation = request_from(
        webform_channel, subject="Question", email="a@example.org", text="Mon diabète empire."
    )
    message = conversation.messages.get()
    message.meta = {**message.meta, "sensitive": "health"}
    message.save(update_fields=["meta"])
    client.force_login(agent)
    assert subjects(client.get(INBOX, {"q": "diabète"})) == []
    client.force_login(supervisor)
    assert subjects(client.get(INBOX, {"q": "diabète"})) == ["Question"]


def test_it_sorts_by_longest_waiting_first_by_default(client, agent, webform_channel):
    request_from(webform_channel, hours_ago=1, subject="Récente", email="a@example.org")
    request_from(webform_channel, hours_ago=30, subject="Ancienne", email="b@example.org")
    client.force_login(agent)

    assert subjects(client.get(INBOX)) == ["Ancienne", "Récente"]
    assert subjects(client.get(INBOX, {"sort": "recent"})) == ["Récente", "Ancienne"]


def test_it_sorts_by_priority(client, agent, webform_channel):
    request_from(webform_channel, hours_ago=30, subject="Normale", email="a@example.org")
    urgent = request_from(webform_channel, hours_ago=1, subject="Urgente", email="b@example.org")
    actions.change_priority(agent, urgent, 4)
    client.force_login(agent)

    assert subjects(client.get(INBOX, {"sort": "priority"})) == ["Urgente", "Normale"]


def test_invalid_filter_values_are_ignored_rather_than_failing(client, agent, webform_channel):
    request_from(webform_channel, subject="Lampadaire", email="a@example.org")
    client.force_login(agent)

    response = client.get(INBOX, {"channel": "abc", "status": "nimporte", "sort": "x"})

    assert response.status_code == 200
    assert subjects(response) == ["Lampadaire"]


def test_it_paginates_by_fifty(client, agent, webform_channel):
    for number in range(51):
        Conversation.objects.create(
            subject=f"Demande {number}", channel=webform_channel, team=webform_channel.team
        )
    client.force_login(agent)

    first = client.get(INBOX)
    second = client.get(INBOX, {"page": 2})

    assert len(subjects(first)) == 50
    assert len(subjects(second)) == 1
    assert "page 1 sur 2" in first.text


def test_an_htmx_request_gets_only_the_results_and_the_announced_count(
    client, agent, webform_channel
):
    request_from(webform_channel, subject="Lampadaire", email="a@example.org")
    client.force_login(agent)

    response = client.get(INBOX, {"q": "Lampadaire"}, **as_htmx())

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<table" in response.text
    assert 'id="nombre-resultats"' in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_gets_the_full_page(client, agent, webform_channel):
    client.force_login(agent)

    response = client.get(INBOX, **as_htmx(HTTP_HX_HISTORY_RESTORE_REQUEST="true"))

    assert "<html" in response.text


def test_the_page_works_without_javascript_and_loads_htmx_from_static(client, agent):
    client.force_login(agent)

    html = client.get(INBOX).text

    assert 'method="get"' in html
    assert 'hx-get="/"' in html
    assert 'hx-push-url="true"' in html
    assert "django_htmx/htmx-2.min.js" in html
    assert "includeIndicatorStyles" in html
    assert "<script>" not in html
    assert 'style="' not in html


def test_the_header_shows_the_organisation_the_agent_and_the_navigation(client, agent, admin_user):
    client.force_login(agent)
    html = client.get(INBOX).text
    assert "Ville de Valmont" in html
    assert "Bruno Martin" in html
    assert "Boîte de réception" in html
    assert reverse("contacts:list") in html
    assert reverse("ingest:events") not in html
    assert 'action="/deconnexion/"' in html

    client.force_login(admin_user)
    assert reverse("ingest:events") in client.get(INBOX).text


def test_the_category_filter_lists_every_category(client, agent):
    Category.objects.create(slug="dechets", name="Déchets")
    client.force_login(agent)

    assert "Déchets" in client.get(INBOX).text
