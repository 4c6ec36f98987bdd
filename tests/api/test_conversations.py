import re

from civique.inbox.actions import assign_conversation, change_status
from civique.inbox.models import Conversation
from tests.intake import deliver

URL = "/api/v1/conversations"
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def references(response) -> list[str]:
    return [item["reference"] for item in response.json()["items"]]


def test_it_lists_the_conversations_of_the_agents_teams(
    client, agent, auth, webform_channel, voirie_channel
):
    ours = deliver(webform_channel, email="lea@example.org", text="Horaires de la mairie ?")
    deliver(voirie_channel, email="marc@example.org", text="Nid-de-poule rue Haute")

    response = client.get(URL, headers=auth(agent))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == ours.conversation_id
    assert item["reference"] == f"V-{ours.conversation_id}"
    assert item["subject"] == "Horaires de la mairie ?"
    assert item["status"] == "new"
    assert item["visibility"] == "private"
    assert item["priority"] == 2
    assert item["channel"] == {
        "id": webform_channel.pk,
        "kind": "webform",
        "name": "Portail citoyen",
    }
    assert item["team"]["slug"] == "accueil"
    assert item["assignee"] is None
    assert item["contact"] == {"id": ours.author_contact_id, "display_name": ""}
    assert OFFSET.match(item["created_at"])
    assert OFFSET.match(item["waiting_since"])
    assert item["first_response_at"] is None and item["location"] is None


def test_an_outsider_gets_an_empty_list(client, outsider, auth, webform_channel):
    deliver(webform_channel, email="lea@example.org")

    response = client.get(URL, headers=auth(outsider))

    assert response.json() == {"count": 0, "limit": 50, "offset": 0, "items": []}


def test_an_administrator_sees_every_team(
    client, admin_user, auth, webform_channel, voirie_channel
):
    deliver(webform_channel, email="lea@example.org")
    deliver(voirie_channel, email="marc@example.org")

    assert client.get(URL, headers=auth(admin_user)).json()["count"] == 2


def test_it_filters_like_the_inbox(client, agent, auth, webform_channel, api_channel):
    new = deliver(webform_channel, email="lea@example.org", text="Carte d'identité").conversation
    mine = deliver(api_channel, email="paul@example.org", text="Passeport perdu").conversation
    assign_conversation(agent, mine, agent)
    resolved = deliver(api_channel, email="anne@example.org", text="Merci !").conversation
    change_status(agent, resolved, "resolved")
    headers = auth(agent)

    def refs(**params):
        return set(references(client.get(URL, params, headers=headers)))

    assert refs(status="active") == {new.reference, mine.reference}
    assert refs(status="resolved") == {resolved.reference}
    assert refs(channel=webform_channel.pk) == {new.reference}
    assert refs(assignee="me") == {mine.reference}
    assert refs(assignee="none") == {new.reference, resolved.reference}
    assert refs(assignee=str(agent.pk)) == {mine.reference}
    assert refs(visibility="public") == set()
    assert refs(q="passeport") == {mine.reference}
    assert refs(q=new.reference) == {new.reference}


def test_it_filters_by_category_and_team(client, admin_user, auth, api_channel, category):
    report = deliver(api_channel, email="lea@example.org", category="voirie").conversation
    deliver(api_channel, email="paul@example.org")
    headers = auth(admin_user)

    by_category = client.get(URL, {"category": category.pk}, headers=headers)
    by_team = client.get(URL, {"team": category.team_id}, headers=headers)

    assert references(by_category) == references(by_team) == [report.reference]


def test_it_sorts_and_paginates(client, agent, auth, api_channel):
    for number in range(5):
        deliver(api_channel, email=f"usager{number}@example.org", text=f"Demande {number}")
    ids = list(Conversation.objects.order_by("created_at", "id").values_list("pk", flat=True))
    headers = auth(agent)

    page = client.get(URL, {"sort": "oldest", "limit": 2, "offset": 2}, headers=headers).json()

    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [item["id"] for item in page["items"]] == ids[2:4]


def test_it_refuses_a_limit_over_200_or_an_unknown_filter_value(client, agent, auth):
    headers = auth(agent)

    too_many = client.get(URL, {"limit": 500}, headers=headers)
    bad_status = client.get(URL, {"status": "perdu"}, headers=headers)
    bad_assignee = client.get(URL, {"assignee": "quelqu'un"}, headers=headers)

    assert too_many.status_code == bad_status.status_code == bad_assignee.status_code == 422
    assert too_many.json()["errors"][0] == {
        "loc": ["query", "limit"],
        "msg": "Doit être inférieur ou égal à 200.",
        "type": "less_than_equal",
    }
    assert "limit" in too_many.json()["detail"]
    assert bad_status.json()["errors"][0]["loc"] == ["query", "status"]


def test_it_shows_a_conversation_with_its_messages_and_timeline(
    client, agent, auth, webform_channel
):
    message = deliver(
        webform_channel,
        email="lea@example.org",
        name="Léa Durand",
        text="Lampadaire éteint",
        location={"lat": 48.85, "lon": 2.35, "address": "2 rue Haute"},
    )
    conversation = message.conversation
    client.post(
        f"{URL}/{conversation.pk}/replies",
        {"text": "Nous transmettons."},
        content_type="application/json",
        headers=auth(agent),
    )

    response = client.get(f"{URL}/{conversation.pk}", headers=auth(agent))

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == conversation.reference
    assert body["status"] == "open"
    assert body["assignee"]["username"] == "agent"
    assert body["location"] == {"lat": 48.85, "lon": 2.35, "address": "2 rue Haute"}
    inbound, reply = body["messages"]
    assert inbound["direction"] == "in" and inbound["text"] == "Lampadaire éteint"
    assert inbound["author_name"] == "Léa Durand" and inbound["delivery"] is None
    assert inbound["attachments"] == []
    assert reply["direction"] == "out" and reply["author_agent_id"] == agent.pk
    assert reply["delivery"]["state"] == "queued"
    assert OFFSET.match(reply["created_at"])
    kinds = [entry["kind"] for entry in body["timeline"]]
    assert kinds[0] == "message" and "status" in kinds and "assignment" in kinds
    assert body["timeline"][0]["message_id"] == inbound["id"]


def test_an_outsider_gets_404_for_a_conversation_of_another_team(
    client, outsider, auth, webform_channel
):
    conversation = deliver(webform_channel, email="lea@example.org").conversation

    response = client.get(f"{URL}/{conversation.pk}", headers=auth(outsider))

    assert response.status_code == 404
    assert response.json() == {"detail": "Demande introuvable."}


def test_an_unknown_conversation_is_a_json_404(client, agent, auth):
    response = client.get(f"{URL}/999999", headers=auth(agent))

    assert response.status_code == 404
    assert response.json()["detail"] == "Demande introuvable."


def test_a_non_numeric_id_is_a_json_error(client, agent, auth):
    response = client.get(f"{URL}/V-12", headers=auth(agent))

    assert response.status_code in (404, 422)
    assert "detail" in response.json()
