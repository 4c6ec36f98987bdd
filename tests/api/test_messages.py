import json

from civique.contacts.models import Identity
from civique.inbox.models import Conversation, Message
from civique.ingest.models import InboundEvent

URL = "/api/v1/messages"


def failing_stage(ctx) -> None:
    """A pipeline stage that breaks, to see what the API answers when processing fails."""
    raise RuntimeError("panne simulée")


def post(client, headers, **body):
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_it_creates_a_contact_and_a_conversation(client, agent, auth, api_channel):
    response = post(
        client,
        auth(agent),
        channel=api_channel.pk,
        name="Léa Durand",
        email="Lea@Example.org",
        subject="Encombrants",
        text="Quand passe la collecte des encombrants ?",
    )

    assert response.status_code == 201
    body = response.json()
    message = Message.objects.get(pk=body["message_id"])
    conversation = message.conversation
    assert body["status"] == "created" and body["event_state"] == "done"
    assert body["reference"] == f"V-{conversation.pk}" == conversation.reference
    assert body["conversation_id"] == conversation.pk
    assert message.text == "Quand passe la collecte des encombrants ?"
    assert message.author_contact.display_name == "Léa Durand"
    assert Identity.objects.get(contact=message.author_contact).value == "lea@example.org"
    assert conversation.subject == "Encombrants" and conversation.team.slug == "accueil"


def test_the_same_external_id_twice_gives_one_message_and_200(client, agent, auth, api_channel):
    body = {
        "channel": api_channel.pk,
        "external_id": "crm-42",
        "email": "lea@example.org",
        "text": "Bonjour",
    }
    headers = auth(agent)

    first = post(client, headers, **body)
    second = post(client, headers, **body)

    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert {k: v for k, v in second.json().items() if k != "status"} == {
        k: v for k, v in first.json().items() if k != "status"
    }
    assert Message.objects.count() == 1 and InboundEvent.objects.count() == 1
    assert Message.objects.get().external_id == "crm-42"


def test_without_external_id_each_post_is_a_new_message(client, agent, auth, api_channel):
    body = {"channel": api_channel.pk, "email": "lea@example.org", "text": "Merci"}
    headers = auth(agent)

    post(client, headers, **body)
    post(client, headers, **body)

    assert Message.objects.count() == 2


def test_it_threads_messages_that_share_a_thread_key(client, agent, auth, api_channel):
    headers = auth(agent)
    body = {"channel": api_channel.pk, "phone": "06 12 34 56 78", "thread_key": "dossier-7"}

    first = post(client, headers, text="Premier message", **body).json()
    second = post(client, headers, text="Suite", **body).json()

    assert first["conversation_id"] == second["conversation_id"]
    assert Identity.objects.get().value == "+33612345678"


def test_it_keeps_the_category_the_location_and_an_external_identity(
    client, admin_user, auth, api_channel, category
):
    response = post(
        client,
        auth(admin_user),
        channel=api_channel.pk,
        identity_kind="api",
        identity_value="crm:usager:981",
        text="Trottoir abîmé",
        category="voirie",
        location={"lat": 48.1, "lon": -1.68, "address": "5 place de la Mairie"},
        occurred_at="2025-05-12T09:30:00+02:00",
    )

    assert response.status_code == 201
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.category == category and conversation.team == category.team
    assert (conversation.location_lat, conversation.location_lon) == (48.1, -1.68)
    assert conversation.location_address == "5 place de la Mairie"
    assert Identity.objects.get().kind == "api"
    assert Message.objects.get().platform_timestamp.isoformat() == "2025-05-12T07:30:00+00:00"


def test_missing_text_gives_422_naming_the_field(client, agent, auth, api_channel):
    response = post(client, auth(agent), channel=api_channel.pk, email="lea@example.org")

    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"loc": ["body", "text"], "msg": "Champ obligatoire.", "type": "missing"}
    ]
    assert body["detail"] == "Données invalides — text : Champ obligatoire."
    assert not InboundEvent.objects.exists()


def test_malformed_json_gives_a_json_400(client, agent, auth, api_channel):
    response = client.post(
        URL, b'{"channel": 1, "text": "oups"', content_type="application/json", headers=auth(agent)
    )

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_a_json_array_is_refused(client, agent, auth):
    response = client.post(URL, "[1, 2]", content_type="application/json", headers=auth(agent))

    assert response.status_code == 422
    assert "detail" in response.json()


def test_the_sender_must_be_named_one_valid_way(client, agent, auth, api_channel):
    headers = auth(agent)
    base = {"channel": api_channel.pk, "text": "Bonjour"}

    nobody = post(client, headers, **base)
    two_ways = post(client, headers, email="lea@example.org", phone="0612345678", **base)
    half = post(client, headers, identity_kind="api", **base)
    bad_kind = post(client, headers, identity_kind="fax", identity_value="123", **base)
    bad_email = post(client, headers, email="lea@", **base)
    bad_phone = post(client, headers, phone="12", **base)

    for response in (nobody, two_ways, half, bad_kind, bad_email, bad_phone):
        assert response.status_code == 422, response.content
    assert "un seul moyen" in nobody.json()["detail"]
    assert "un seul moyen" in two_ways.json()["detail"]
    assert "vont ensemble" in half.json()["detail"]
    assert "identity_kind inconnu" in bad_kind.json()["detail"]
    assert "Adresse électronique invalide" in bad_email.json()["detail"]
    assert "Numéro de téléphone invalide" in bad_phone.json()["detail"]
    assert not InboundEvent.objects.exists()


def test_unknown_fields_are_refused(client, agent, auth, api_channel):
    response = post(
        client,
        auth(agent),
        channel=api_channel.pk,
        email="lea@example.org",
        text="Bonjour",
        contact_id=1,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "loc": ["body", "contact_id"],
        "msg": "Champ inconnu.",
        "type": "extra_forbidden",
    }


def test_an_unknown_category_or_a_naive_date_is_refused(client, agent, auth, api_channel):
    headers = auth(agent)
    base = {"channel": api_channel.pk, "email": "lea@example.org", "text": "Bonjour"}

    category = post(client, headers, category="inconnu", **base)
    naive = post(client, headers, occurred_at="2025-05-12T09:30:00", **base)

    # A slug of the right shape that names no category is an unknown resource, as an unknown
    # channel is (the description cannot list the categories); a naive date breaks the format.
    assert category.status_code == 404
    assert category.json()["detail"] == "Thème inconnu : inconnu"
    assert naive.status_code == 422
    assert "fuseau" in naive.json()["detail"]
    assert not InboundEvent.objects.exists()


def test_a_channel_that_is_not_an_api_channel_is_refused_as_a_conflict(
    client, agent, auth, webform_channel
):
    response = post(
        client, auth(agent), channel=webform_channel.pk, email="lea@example.org", text="Bonjour"
    )

    assert response.status_code == 409
    assert "seuls les canaux « api »" in response.json()["detail"]


def test_an_inactive_channel_is_refused(client, agent, auth, api_channel):
    api_channel.is_active = False
    api_channel.save()

    response = post(
        client, auth(agent), channel=api_channel.pk, email="lea@example.org", text="Bonjour"
    )

    assert response.status_code == 409
    assert "désactivé" in response.json()["detail"]


def test_the_channel_of_another_team_is_not_found_but_an_administrator_may_post(
    client, outsider, admin_user, auth, api_channel
):
    body = {"channel": api_channel.pk, "email": "lea@example.org", "text": "Bonjour"}

    refused = post(client, auth(outsider), **body)
    accepted = post(client, auth(admin_user), **body)

    assert refused.status_code == 404
    assert refused.json() == {"detail": "Canal introuvable."}
    assert accepted.status_code == 201


def test_a_payload_over_one_megabyte_gives_413(client, agent, auth, api_channel):
    body = json.dumps(
        {"channel": api_channel.pk, "email": "lea@example.org", "text": "a" * 1_100_000}
    )

    response = client.post(URL, body, content_type="application/json", headers=auth(agent))

    assert response.status_code == 413
    assert "trop volumineux" in response.json()["detail"]
    assert not InboundEvent.objects.exists()


def test_a_failed_processing_gives_202_and_keeps_the_event(
    client, agent, auth, api_channel, settings
):
    settings.CIVIQUE_PIPELINE = [
        *settings.CIVIQUE_PIPELINE,
        "tests.api.test_messages.failing_stage",
    ]
    body = {
        "channel": api_channel.pk,
        "external_id": "crm-7",
        "email": "lea@example.org",
        "text": "Bonjour",
    }
    headers = auth(agent)

    first = post(client, headers, **body)
    again = post(client, headers, **body)

    assert first.status_code == again.status_code == 202
    answer = first.json()
    assert answer["status"] == "stored" and answer["event_state"] == "retrying"
    assert answer["error"] == "RuntimeError: panne simulée"
    assert answer["reference"] is None and answer["message_id"] is None
    event = InboundEvent.objects.get()
    assert event.pk == answer["event_id"] and event.attempts == 1
    assert json.loads(bytes(event.payload))["text"] == "Bonjour"
    assert not Message.objects.exists()
