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


def test_an_agent_of_another_team_gets_a_404_for_the_contact(
    client, outsider, auth, webform_channel
):
    # Contacts are private by team: the same answer as for a contact that does not exist.
    message = deliver(webform_channel, email="lea@example.org", name="Léa Durand")

    response = client.get(url(message.author_contact_id), headers=auth(outsider))

    assert response.status_code == 404
    assert "lea@example.org" not in response.text


def test_reading_a_contact_is_audited(client, agent, auth, webform_channel):
    from civique.core.models import AuditEvent

    message = deliver(webform_channel, email="lea@example.org")

    client.get(url(message.author_contact_id), headers=auth(agent))

    event = AuditEvent.objects.get(verb="contact.read")
    assert event.actor == agent
    assert event.object_id == str(message.author_contact_id)
    assert event.changes["via"] == "api"


def search(client, headers, q: str) -> list[str]:
    response = client.get("/api/v1/contacts", {"q": q}, headers=headers)
    assert response.status_code == 200
    return [item["display_name"] for item in response.json()["items"]]


def test_the_list_gives_only_the_contacts_of_the_callers_conversations(
    client, agent, outsider, auth, webform_channel
):
    deliver(webform_channel, email="lea@example.org", name="Léa Durand", phone="0612345678")

    assert search(client, auth(agent), "") == ["Léa Durand"]
    assert search(client, auth(agent), "durand") == ["Léa Durand"]
    assert search(client, auth(outsider), "") == []
    assert search(client, auth(outsider), "durand") == []
    assert search(client, auth(outsider), "lea@example") == []


def test_an_exact_email_or_phone_finds_the_contact_for_anyone(
    client, outsider, auth, webform_channel
):
    message = deliver(
        webform_channel, email="lea@example.org", name="Léa Durand", phone="0612345678"
    )

    assert search(client, auth(outsider), "Lea@Example.org") == ["Léa Durand"]
    assert search(client, auth(outsider), "06 12 34 56 78") == ["Léa Durand"]
    # Found, yet still not open: the record and its history stay with the team.
    assert client.get(url(message.author_contact_id), headers=auth(outsider)).status_code == 404


def test_a_contact_listed_only_by_its_exact_email_is_journaled(
    client, outsider, agent, auth, webform_channel
):
    from civique.core.models import AuditEvent

    message = deliver(webform_channel, email="lea@example.org", name="Léa Durand")

    search(client, auth(outsider), "lea@example.org")
    search(client, auth(agent), "lea@example.org")  # the team's own contact: a plain search

    found = AuditEvent.objects.filter(verb="contact.found")
    assert [(e.actor_id, e.object_id, e.changes) for e in found] == [
        (outsider.pk, str(message.author_contact_id), {"via": "api", "exact_search": True})
    ]


def test_an_unknown_contact_is_a_json_404(client, agent, auth):
    response = client.get(url(999999), headers=auth(agent))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_administrator_and_a_team_set_to_all_contacts_list_everyone(
    client, admin_user, outsider, other_team, auth, webform_channel
):
    from civique.core.models import ContactVisibility

    deliver(webform_channel, email="lea@example.org", name="Léa Durand")

    assert search(client, auth(admin_user), "durand") == ["Léa Durand"]
    other_team.contact_visibility = ContactVisibility.ALL
    other_team.save()
    assert search(client, auth(outsider), "durand") == ["Léa Durand"]


def test_a_search_too_long_is_a_json_422(client, agent, auth):
    response = client.get("/api/v1/contacts", {"q": "x" * 201}, headers=auth(agent))

    assert response.status_code == 422
    assert "detail" in response.json()


def test_the_openapi_description_documents_the_contact_search(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    description = paths["/api/v1/contacts"]["get"]["description"]
    assert "exactement" in description
    assert "404" in paths["/api/v1/contacts/{contact_id}"]["get"]["description"]
