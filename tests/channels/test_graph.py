"""The shared Graph API client against the local fake of the Graph API (tests/fakes/graph.py):
documented errors become French, permanent or retryable TransportErrors."""

from __future__ import annotations

import json

import pytest

from civique.channels.connectors.base import TransportError
from civique.channels.connectors.graph import GraphClient, GraphError
from tests.fakes.graph import Answer


def test_it_sends_the_token_in_a_header_and_reads_the_answer(graph_api):
    graph_api.route("POST", r"17841/comments", {"id": "17841_99"})
    answer = GraphClient("jeton-secret").post("17841/comments", {"message": "Merci !"})
    assert answer == {"id": "17841_99"}
    (call,) = graph_api.made("POST", r"17841/comments")
    assert call.headers["authorization"] == "Bearer jeton-secret"
    assert call.json == {"message": "Merci !"}
    assert "jeton-secret" not in call.path and not call.query


@pytest.mark.parametrize(
    ("error", "permanent", "words"),
    [
        ("expired_token", True, "jeton d'accès de ce canal a expiré"),
        ("window_closed", True, "fenêtre de réponse"),
        ("whatsapp_window", True, "modèle approuvé"),
        ("deleted", True, "n'existe plus"),
        ("already_replied", True, "une seule permise"),
        ("server", False, "HTTP 500"),
    ],
)
def test_documented_errors_reach_the_agent_in_french(graph_api, error, permanent, words):
    graph_api.fail("POST", r"1/messages", error)
    with pytest.raises(GraphError) as caught:
        GraphClient("t").post("1/messages", {})
    assert caught.value.permanent is permanent
    assert words in str(caught.value)
    assert "Meta :" in str(caught.value)


def test_a_rate_limit_is_retried_after_the_platforms_own_wait(graph_api):
    usage = {"1": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    graph_api.fail(
        "POST", r"1/messages", "rate_limit", {"X-Business-Use-Case-Usage": json.dumps(usage)}
    )
    with pytest.raises(GraphError) as caught:
        GraphClient("t").post("1/messages", {})
    assert not caught.value.permanent
    assert caught.value.retry_after == 7 * 60


def test_an_unknown_endpoint_fails_as_the_graph_api_does(graph_api):
    with pytest.raises(GraphError) as caught:
        GraphClient("t").get("nowhere")
    assert caught.value.code == 100 and caught.value.permanent


def test_no_token_is_a_clear_permanent_error():
    with pytest.raises(TransportError) as caught:
        GraphClient("")
    assert caught.value.permanent and "jeton" in str(caught.value)


def test_an_unreachable_api_is_a_temporary_error(settings):
    settings.CIVIQUE_GRAPH_API_URL = "http://127.0.0.1:9/v26.0"
    with pytest.raises(TransportError) as caught:
        GraphClient("t").get("me")
    assert not caught.value.permanent


def test_downloads_are_capped(graph_api):
    graph_api.route("GET", r"media/1", Answer(raw=b"x" * 5000, content_type="image/jpeg"))
    client = GraphClient("t")
    assert client.download(graph_api.url + "/media/1") == (b"x" * 5000, "image/jpeg")
    with pytest.raises(TransportError) as caught:
        client.download(graph_api.url + "/media/1", limit=1000)
    assert caught.value.permanent
