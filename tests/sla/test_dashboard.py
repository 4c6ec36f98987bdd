"""The supervisors' dashboard: commitments kept per channel, in business time, and its CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civique.inbox.actions import reply_to_conversation
from civique.sla.reporting import percentile
from tests.intake import request_from

pytestmark = pytest.mark.django_db
URL = "/engagements/"


def test_it_is_for_supervisors_and_administrators(client, agent, supervisor):
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    client.force_login(supervisor)
    assert client.get(URL).status_code == 200


def test_it_counts_requests_answers_and_backlog_per_channel(client, supervisor, webform_channel):
    answered = request_from(webform_channel, hours_ago=1, email="a@example.org")
    request_from(webform_channel, hours_ago=2, email="b@example.org")
    reply_to_conversation(supervisor, answered, "C'est noté.")
    client.force_login(supervisor)

    rows = client.get(URL).context["table"]

    assert len(rows) == 1
    row = rows[0]["row"]
    assert (row.channel, row.received, row.answered, row.backlog) == ("Portail citoyen", 2, 1, 2)


def test_the_csv_export_has_the_same_figures(client, supervisor, webform_channel):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    response = client.get(URL, {"format": "csv", "jours": "7"})

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("canal;demandes reçues")
    assert lines[1].startswith("Portail citoyen;1;0;")


def test_an_unknown_period_is_a_clear_error(client, supervisor):
    client.force_login(supervisor)
    response = client.get(URL, {"jours": "mille"})
    assert response.status_code == 400
    assert "Période inconnue" in response.content.decode()


def test_percentiles_use_the_nearest_rank():
    values = [timedelta(hours=h) for h in range(1, 11)]
    assert percentile(values, 0.9) == timedelta(hours=9)
    assert percentile(values, 0.5) == timedelta(hours=5)
    assert percentile([], 0.9) is None
