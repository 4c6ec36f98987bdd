"""The dashboard at /engagements/: who may see it, what it counts, its filters and exports."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from civique.channels.models import Channel
from civique.inbox.actions import reply_to_conversation
from civique.satisfaction.models import SentVia, Survey
from tests.intake import request_from

pytestmark = pytest.mark.django_db
URL = "/engagements/"


def channel_row(response, name: str) -> list:
    table = response.context["tables"]["canaux"]
    return next(row for row in table.rows if row[0] == name)


def test_it_is_for_supervisors_and_administrators(client, agent, supervisor, admin_user):
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    client.force_login(supervisor)
    assert client.get(URL).status_code == 200
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def test_it_counts_requests_answers_and_backlog_per_channel(client, supervisor, webform_channel):
    answered = request_from(webform_channel, hours_ago=1, email="a@example.org")
    request_from(webform_channel, hours_ago=2, email="b@example.org")
    reply_to_conversation(supervisor, answered, "C'est noté.")
    client.force_login(supervisor)

    response = client.get(URL)

    _name, received, still_open, answered_count = channel_row(response, "Portail citoyen")[:4]
    assert (received, still_open, answered_count) == (2, 2, 1)
    assert response.context["report"].backlog.total == 2


def test_the_page_draws_accessible_charts_with_their_tables(client, supervisor, webform_channel):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    html = client.get(URL).content.decode()

    assert html.count('role="img"') >= 2
    assert 'aria-labelledby="graphique-volumes-titre graphique-volumes-description"' in html
    assert "<caption>Demandes reçues par canal</caption>" in html
    assert '<th scope="row">' in html and '<th scope="col">' in html
    # Coordinates are not localised (a decimal comma would break the SVG).
    assert not re.search(r'(x|y|width|height)="\d+,\d', html)


def test_a_supervisor_sees_only_the_conversations_of_their_teams(
    client, supervisor, webform_channel, other_team
):
    mine = request_from(webform_channel, hours_ago=1, email="a@example.org")
    theirs = Channel.objects.create(kind="webform", name="Portail voirie", team=other_team)
    request_from(theirs, hours_ago=1, email="b@example.org")
    client.force_login(supervisor)

    response = client.get(URL)

    names = [row[0] for row in response.context["tables"]["canaux"].rows]
    assert names == [mine.channel.name]
    assert "Portail voirie" not in response.content.decode()


def test_another_teams_id_gives_nothing(client, supervisor, other_team, webform_channel):
    theirs = Channel.objects.create(kind="webform", name="Portail voirie", team=other_team)
    request_from(theirs, hours_ago=1, email="b@example.org")
    client.force_login(supervisor)

    assert client.get(URL, {"service": other_team.pk}).status_code == 404
    assert client.get(URL, {"canal": theirs.pk}).status_code == 404
    assert client.get(URL, {"canal": theirs.pk, "format": "csv"}).status_code == 404


def test_the_team_and_channel_filters_narrow_the_figures(
    client, admin_user, webform_channel, email_channel, other_team
):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    theirs = Channel.objects.create(kind="webform", name="Portail voirie", team=other_team)
    request_from(theirs, hours_ago=1, email="b@example.org")
    client.force_login(admin_user)

    by_team = client.get(URL, {"service": other_team.pk}).context["tables"]["canaux"].rows
    by_channel = client.get(URL, {"canal": webform_channel.pk}).context["tables"]["canaux"].rows

    assert [r[0] for r in by_team] == ["Portail voirie"]
    assert [r[0] for r in by_channel] == ["Portail citoyen"]


def test_the_csv_export_has_the_same_figures(client, supervisor, webform_channel):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    response = client.get(URL, {"format": "csv", "jours": "7"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="engagements-7j-canaux.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8
    lines = text[1:].splitlines()
    assert lines[0].startswith("canal;demandes reçues;demandes en cours;demandes répondues")
    assert lines[1].startswith("Portail citoyen;1;1;0;")


def test_a_csv_of_volumes_uses_french_labels(client, supervisor, webform_channel):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    response = client.get(URL, {"format": "csv", "tableau": "volumes-canal", "par": "mois"})

    lines = response.content.decode()[1:].splitlines()
    assert lines[0] == "période;Portail citoyen;total"
    assert re.match(
        r"(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
        r"|décembre) \d{4};",
        lines[-1],
    )
    assert sum(int(line.split(";")[-1]) for line in lines[1:]) == 1


def test_the_xlsx_export_has_one_sheet_per_table(client, supervisor, webform_channel):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    response = client.get(URL, {"format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = zipfile.ZipFile(io.BytesIO(response.content))
    workbook = book.read("xl/workbook.xml").decode()
    for sheet in ("volumes-canal", "canaux", "engagements", "anciennete", "moderation"):
        assert f'name="{sheet}"' in workbook
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "Portail citoyen" in strings
    assert "Demandes et délais par canal" in strings


@pytest.mark.parametrize(
    "params, message",
    [
        ({"jours": "mille"}, "Période inconnue"),
        ({"annee": "1999"}, "Année hors de portée"),
        ({"annee": "20x5"}, "Année inconnue"),
        ({"service": "abc"}, "Service inconnu"),
        ({"canal": "-1"}, "Canal inconnu"),
        ({"par": "jour"}, "Regroupement inconnu"),
        ({"format": "pdf"}, "Format inconnu"),
        ({"format": "csv", "tableau": "secret"}, "Tableau inconnu"),
    ],
)
def test_bad_filters_are_a_clear_french_error(client, supervisor, params, message):
    client.force_login(supervisor)
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Traceback" not in html


def test_a_year_shows_the_services_publics_indicators_and_their_gaps(
    client, supervisor, webform_channel
):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)
    year = client.get(URL).context["end"].year

    response = client.get(URL, {"annee": year})

    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f"Indicateurs Services Publics+ de l'année {year}" in html
    assert "Taux de décroché téléphonique" in html
    assert "Satisfaction globale et taux net de satisfaction" in html  # no provider: a gap
    assert response.context["report"].filters.by == "month"


def test_the_surveys_of_the_period_fill_the_satisfaction_section(
    client, supervisor, webform_channel, outsider, other_team
):
    now = timezone.now()
    for n, score in enumerate([5, 5, 4, 4, 4, 4, 4, 4, 3, 1, None]):
        conversation = request_from(webform_channel, hours_ago=30, email=f"u{n}@example.org")
        Survey.objects.create(
            conversation=conversation,
            resolved_at=now,
            sent_via=SentVia.LINK,
            expires_at=now + timedelta(days=30),
            score=score,
            answered_at=None if score is None else now,
        )
    # Another team's survey is not the supervisor's to count.
    hidden = Channel.objects.create(kind="webform", name="Voirie", team=other_team)
    Survey.objects.create(
        conversation=request_from(hidden, hours_ago=30, email="v@example.org"),
        resolved_at=now,
        sent_via=SentVia.LINK,
        expires_at=now + timedelta(days=30),
        score=1,
        answered_at=now,
    )
    client.force_login(supervisor)

    response = client.get(URL)
    html = unescape(response.content.decode())

    figures = response.context["report"].satisfaction
    assert (figures.sent, figures.answered) == (11, 10)
    assert figures.by_score == (1, 0, 1, 6, 2)
    assert 'id="satisfaction"' in html
    assert "<caption>Satisfaction des usagers</caption>" in html
    assert "80,0" in html  # 8 satisfied of 10
    assert "70,0" in html  # net: (8 - 1) / 10
    assert "graphique-satisfaction-notes-titre" in html  # the chart, with its table behind
    assert "<caption>Réponses à l'enquête de satisfaction par note</caption>" in html


def test_without_a_survey_in_the_period_there_is_no_satisfaction_section(client, supervisor):
    client.force_login(supervisor)
    assert 'id="satisfaction"' not in client.get(URL).content.decode()


def test_the_menu_links_to_the_dashboard(client, supervisor):
    client.force_login(supervisor)
    html = client.get(URL).content.decode()
    assert 'href="/engagements/" aria-current="true"' in html


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', " =1+1", "\t-2", "@SUM(A1)", "+33"])
def test_names_heading_a_csv_cannot_become_formulas(client, supervisor, team, name):
    channel = Channel.objects.create(kind="webform", name=name, team=team)
    request_from(channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    response = client.get(URL, {"format": "csv", "tableau": "volumes-canal"})

    header = next(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    assert header[1] == "'" + name
    # The same name as a cell of the channels' table.
    text = client.get(URL, {"format": "csv"}).content.decode()[1:]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == "'" + name


def test_names_in_an_xlsx_are_text_never_formulas(client, supervisor, team):
    channel = Channel.objects.create(kind="webform", name="=1+1", team=team)
    request_from(channel, hours_ago=1, email="a@example.org")
    client.force_login(supervisor)

    book = zipfile.ZipFile(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))

    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets
    assert not any("<f>" in book.read(n).decode() for n in sheets)
    assert "=1+1" in book.read("xl/sharedStrings.xml").decode()


def test_a_supervisor_exports_nothing_of_another_team(
    client, supervisor, webform_channel, other_team
):
    request_from(webform_channel, hours_ago=1, email="a@example.org")
    theirs = Channel.objects.create(kind="webform", name="Portail voirie", team=other_team)
    request_from(theirs, hours_ago=1, email="b@example.org")
    request_from(theirs, hours_ago=30, email="c@example.org")
    client.force_login(supervisor)

    slugs = [t.slug for t in client.get(URL).context["tables"].values()]
    assert "volumes-canal" in slugs
    for slug in slugs:
        response = client.get(URL, {"format": "csv", "tableau": slug})
        assert response.status_code == 200, slug
        text = response.content.decode()
        assert "Portail voirie" not in text and other_team.name not in text, slug

    book = zipfile.ZipFile(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))
    for name in book.namelist():
        text = book.read(name).decode()
        assert "Portail voirie" not in text and other_team.name not in text, name
    # The supervisor's own channel is there: the exports are not simply empty.
    assert "Portail citoyen" in client.get(URL, {"format": "csv"}).content.decode()


def test_the_chart_groups_channels_beyond_its_colours_and_the_table_keeps_them(
    client, admin_user, team
):
    for i in range(10):
        channel = Channel.objects.create(kind="webform", name=f"Portail {i}", team=team)
        request_from(channel, hours_ago=1, email=f"p{i}@example.org")
    client.force_login(admin_user)

    response = client.get(URL)

    chart = response.context["charts"]["volumes"]
    names = [name for name, _colour in chart.legend]
    assert len(names) == 8 and names[-1] == "Autres canaux"
    assert len({colour for _name, colour in chart.legend}) == 8
    assert "regroupés sous « Autres canaux »" in unescape(response.content.decode())
    headers = response.context["tables"]["volumes_canal"].headers
    assert [h for h in headers if h.startswith("Portail")] == [f"Portail {i}" for i in range(10)]
