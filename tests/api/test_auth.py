from datetime import timedelta

from django.test import Client
from django.utils import timezone

from civique.api.actions import create_token, revoke_token
from civique.api.models import ApiToken
from tests.intake import deliver

URL = "/api/v1/conversations"


def test_it_refuses_a_request_without_a_token(client, db):
    response = client.get(URL)

    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_wrong_token(client, agent):
    create_token(agent)

    response = client.get(URL, headers={"Authorization": "Bearer pas-le-bon-jeton-du-tout"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton d'API invalide ou révoqué."}


def test_it_refuses_a_token_whose_prefix_matches_but_not_the_rest(client, agent):
    secret = create_token(agent).secret

    response = client.get(URL, headers={"Authorization": f"Bearer {secret[:8]}{'x' * 35}"})

    assert response.status_code == 401


def test_it_refuses_a_revoked_token(client, agent):
    issued = create_token(agent)
    revoke_token(issued.token)

    response = client.get(URL, headers={"Authorization": f"Bearer {issued.secret}"})

    assert response.status_code == 401


def test_it_refuses_the_token_of_an_inactive_user(client, agent):
    secret = create_token(agent).secret
    agent.is_active = False
    agent.save()

    response = client.get(URL, headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401


def test_it_refuses_an_other_scheme(client, agent):
    secret = create_token(agent).secret

    response = client.get(URL, headers={"Authorization": f"Basic {secret}"})

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_it_accepts_the_token_scheme_too(client, agent):
    secret = create_token(agent).secret

    response = client.get(URL, headers={"Authorization": f"Token {secret}"})

    assert response.status_code == 200


def test_it_ignores_the_session_of_a_logged_in_agent(client, agent):
    client.force_login(agent)

    assert client.get(URL).status_code == 401


def test_it_needs_no_csrf_token(agent, auth, webform_channel):
    message = deliver(webform_channel, email="lea@example.org", text="Horaires ?")
    csrf_client = Client(enforce_csrf_checks=True)

    response = csrf_client.post(
        f"/api/v1/conversations/{message.conversation_id}/replies",
        {"text": "De 9 h à 17 h."},
        content_type="application/json",
        headers=auth(agent),
    )

    assert response.status_code == 201


def test_it_records_the_last_use_at_most_once_a_minute(client, agent):
    issued = create_token(agent)
    headers = {"Authorization": f"Bearer {issued.secret}"}

    client.get(URL, headers=headers)
    first_use = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    client.get(URL, headers=headers)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first_use

    ApiToken.objects.filter(pk=issued.token.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=2)
    )
    client.get(URL, headers=headers)
    assert first_use is not None
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > timezone.now() - timedelta(
        seconds=30
    )
