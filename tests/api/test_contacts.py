from civique.contacts.models import Identity
from tests.intake import deliver


def url(contact_id: int) -> str:
    return f"/api/v1/contacts/{contact_id}"


def test_it_shows_a_contact_with_identities_and_history_across_channels(
    client, agent, auth, webform_channel, api_channel
):
    first = deliver(webform_channel, email="Lea@Example.org", name="Léa Durand", text="Un")
    second = deliver(api_channel, email="lea@example.org", text="Deux")
    contact_id = first.author_contact_id
    assert second.author_contact_id == contact_id
    Identity.objects.create(contact_id=contact_id, kind="phone", value="+33612345678")

    response = client.get(url(contact_id), headers=auth(agent))

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Léa Durand"
    assert {(i["kind"], i["value"]) for i in body["identities"]} == {
        ("email", "lea@example.org"),
        ("phone", "+33612345678"),
    }
    assert [c["id"] for c in body["conversations"]] == [
        second.conversation_id,
        first.conversation_id,
    ]
    assert body["history_count"] == 2
    assert [m["text"] for m in body["history"]] == ["Deux", "Un"]
    assert body["history"][1]["conversation_reference"] == first.conversation.reference
    assert body["history"][1]["channel"]["kind"] == "webform"


def test_history_leaves_out_what_the_caller_may_not_see(
    client, agent, outsider, auth, webform_channel, voirie_channel
):
    ours = deliver(webform_channel, email="lea@example.org", text="Pour l'accueil")
    deliver(voirie_channel, email="lea@example.org", text="Pour la voirie")
    contact_id = ours.author_contact_id

    for_agent = client.get(url(contact_id), headers=auth(agent)).json()
    for_outsider = client.get(url(contact_id), headers=auth(outsider)).json()

    assert [m["text"] for m in for_agent["history"]] == ["Pour l'accueil"]
    assert [m["text"] for m in for_outsider["history"]] == ["Pour la voirie"]
    assert len(for_agent["conversations"]) == len(for_outsider["conversations"]) == 1


def test_it_paginates_the_history(client, agent, auth, api_channel):
    for number in range(3):
        message = deliver(api_channel, email="lea@example.org", text=f"Message {number}")

    body = client.get(
        url(message.author_contact_id), {"limit": 1, "offset": 1}, headers=auth(agent)
    ).json()

    assert body["history_count"] == 3
    assert [m["text"] for m in body["history"]] == ["Message 1"]


def test_an_outsider_finds_the_contact_but_none_of_another_teams_history(
    client, outsider, auth, webform_channel
):
    # The back office's rule: reception finds anyone, history stays within the agent's teams.
    message = deliver(webform_channel, email="lea@example.org")

    response = client.get(url(message.author_contact_id), headers=auth(outsider))

    assert response.status_code == 200
    body = response.json()
    assert body["conversations"] == [] and body["history"] == []
    assert body["history_count"] == 0


def test_an_unknown_contact_is_a_json_404(client, agent, auth):
    response = client.get(url(999999), headers=auth(agent))
    assert response.status_code == 404
    assert "detail" in response.json()
