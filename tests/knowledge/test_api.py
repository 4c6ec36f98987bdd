"""GET /api/v1/knowledge/search: token, validation, ranking, visibility."""

from __future__ import annotations

import pytest

from civique.knowledge.models import Article

URL = "/api/v1/knowledge/search"


def test_it_needs_a_token(client, passport):
    response = client.get(URL, {"q": "passeport"})
    assert response.status_code == 401


def test_it_returns_ranked_articles(client, agent, auth, passport, bulky, caf):
    response = client.get(URL, {"q": "carte d'identiter"}, headers=auth(agent))
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0] == {"id": passport.pk, "title": passport.question, "score": 1.0}
    assert all(item["id"] in {passport.pk, bulky.pk} for item in body["items"])  # articles only
    assert body["count"] == len(body["items"])


def test_it_hides_internal_articles_of_other_teams(client, outsider, auth, article_factory, team):
    article_factory("Procédure interne accueil", keywords="procédure accueil", team=team)
    response = client.get(URL, {"q": "procédure accueil"}, headers=auth(outsider))
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "a\x00b"}, {"q": "a\x1bb"},
     {"q": "ok", "limit": 0}, {"q": "ok", "limit": 51}, {"q": "ok", "limit": "x"}],
)  # fmt: skip
def test_bad_input_gets_a_422_in_french(client, agent, auth, params):
    response = client.get(URL, params, headers=auth(agent))
    assert response.status_code == 422
    assert response.json()["detail"]


def test_it_is_described_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/knowledge/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}


def test_an_article_with_no_match_is_not_returned(client, agent, auth, passport):
    assert client.get(URL, {"q": "piscine"}, headers=auth(agent)).json()["items"] == []
    assert Article.objects.count() == 1
