"""Each API token has its own request budget; requests without a valid token share their
address's. Beyond it: a French 429 with Retry-After, and the others are not held back."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from civique.api.actions import create_token


@pytest.fixture(autouse=True)
def _fresh_budgets(settings):
    settings.API_RATE_LIMIT = "3/m"
    settings.API_RATE_LIMIT_ANONYMOUS = "2/m"
    cache.clear()
    yield
    cache.clear()


def _list(client, headers, address="10.0.0.1"):
    return client.get("/api/v1/conversations", headers=headers, REMOTE_ADDR=address)


def test_it_refuses_a_token_beyond_its_budget_in_french_with_retry_after(client, agent, auth):
    headers = auth(agent)

    answers = [_list(client, headers) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("application/json")
    assert "Trop de requêtes avec ce jeton" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_another_token_is_not_held_back_even_from_the_same_address(client, agent, auth):
    spent, fresh = auth(agent), auth(agent)
    for _ in range(4):
        _list(client, spent)

    assert _list(client, spent).status_code == 429
    assert _list(client, fresh).status_code == 200


def test_a_token_is_counted_whatever_address_it_comes_from(client, agent, auth):
    headers = auth(agent)

    answers = [_list(client, headers, address=f"10.0.0.{n}") for n in range(1, 5)]

    assert answers[-1].status_code == 429


def test_requests_without_a_valid_token_are_limited_per_address(client, agent):
    wrong = {"Authorization": "Bearer " + "x" * 43}

    first = [_list(client, wrong).status_code for _ in range(2)]
    refused = _list(client, {})
    elsewhere = _list(client, wrong, address="10.0.0.2")

    assert first == [401, 401]
    assert refused.status_code == 429
    assert "sans jeton valide" in refused.json()["detail"]
    assert refused["Retry-After"]
    assert elsewhere.status_code == 401


def test_a_valid_token_is_not_held_back_by_its_address_guessing_tokens(client, agent):
    secret = create_token(agent).secret
    for _ in range(3):
        _list(client, {"Authorization": "Bearer wrong-token-guess"})

    answer = _list(client, {"Authorization": f"Bearer {secret}"})

    assert answer.status_code == 200


def test_the_openapi_description_counts_against_the_address(client):
    answers = [client.get("/api/v1/openapi.json", REMOTE_ADDR="10.0.0.9") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"]
    assert "sans jeton valide" in answers[-1].json()["detail"]


def test_every_operation_documents_the_429(client):
    cache.clear()
    schema = client.get("/api/v1/openapi.json").json()

    operations = [op for path in schema["paths"].values() for op in path.values()]

    assert operations
    assert all("429" in op["responses"] for op in operations)
    assert all("Retry-After" in op["responses"]["429"]["headers"] for op in operations)
    assert "Retry-After" in schema["info"]["description"]
