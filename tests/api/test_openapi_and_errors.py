from django.test import RequestFactory

from civique.api.api import api

PATHS = {
    "/api/v1/conversations",
    "/api/v1/conversations/{conversation_id}",
    "/api/v1/conversations/{conversation_id}/replies",
    "/api/v1/contacts/{contact_id}",
    "/api/v1/messages",
}


def test_the_openapi_document_lists_the_paths_and_the_bearer_scheme(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Civique API"
    assert set(document["paths"]) >= PATHS
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()


def test_the_documentation_page_is_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200


def test_the_api_root_points_to_the_documentation(client, db):
    response = client.get("/api/v1/")

    assert response.json()["openapi"] == "/api/v1/openapi.json"


def test_an_unknown_address_is_a_json_404(client, db):
    response = client.get("/api/v1/demandes")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Adresse inconnue")


def test_a_wrong_method_is_a_json_405(client, agent, auth):
    response = client.delete("/api/v1/messages", headers=auth(agent))

    assert response.status_code == 405
    assert "DELETE" in response.json()["detail"]
    assert response["Allow"] == "POST"


def test_an_unexpected_error_is_a_json_500_without_details(db):
    request = RequestFactory().get("/api/v1/conversations")

    response = api.on_exception(request, RuntimeError("mot de passe de la base : secret"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "secret" not in response.content.decode()
    assert "détail" not in response.content.decode()
    assert "Erreur interne" in response.content.decode()
