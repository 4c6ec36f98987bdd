"""« Horaires et engagements »: supervisors set their teams' hours, closures and commitments."""

from __future__ import annotations

import threading
import time as time_module
from datetime import date, time

import pytest
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civique.core.models import AuditEvent, Role, User
from civique.inbox.clocks import recompute
from civique.sla import team_actions
from civique.sla.models import Calendar, Closure, OpeningSlot, Policy
from civique.sla.tasks import refresh_commitments_after
from civique.sla.team_forms import ClosureForm, SlotForm, minutes
from tests.sla.conftest import paris

pytestmark = pytest.mark.django_db

LIST = "/engagements/services/"


def page(team) -> str:
    return f"/engagements/services/{team.pk}/"


def own_calendar(client, team) -> Calendar:
    response = client.post(page(team) + "horaires/propres/")
    assert response.status_code == 302
    return Calendar.objects.get(team=team)


def week_data(calendar: Calendar, days: dict[int, list[tuple[str, str]]], **extra) -> dict:
    """A POST of the whole week: ``days`` replaces each listed day's slots (others kept)."""
    data = {"subdivision": calendar.subdivision, "timezone": calendar.timezone}
    for day in range(7):
        existing = list(calendar.slots.filter(weekday=day).order_by("opens"))
        wanted = days.get(day)
        prefix = f"jour{day}"
        rows = []
        for slot in existing:
            row = {
                "id": str(slot.pk),
                "opens": f"{slot.opens:%H:%M}",
                "closes": f"{slot.closes:%H:%M}",
            }
            if wanted is not None:
                row["DELETE"] = "on"
            rows.append(row)
        for opens, closes in wanted or []:
            rows.append({"id": "", "opens": opens, "closes": closes})
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "12"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(extra)
    return data


def hours_of(calendar: Calendar) -> list[tuple[int, time, time]]:
    return list(
        calendar.slots.order_by("weekday", "opens").values_list("weekday", "opens", "closes")
    )


def week_of(calendar: Calendar, day: int) -> list[tuple[time, time]]:
    return [(s.opens, s.closes) for s in calendar.slots.filter(weekday=day).order_by("opens")]


@pytest.fixture
def other_supervisor(other_team) -> User:
    user = User.objects.create_user("sup-voirie", password="x", role=Role.SUPERVISOR)
    user.teams.add(other_team)
    return user


# Permissions


def test_agents_are_refused(client, agent, team):
    client.force_login(agent)
    assert client.get(LIST).status_code == 403
    assert client.get(page(team)).status_code == 403
    assert client.post(page(team) + "horaires/propres/").status_code == 403
    assert not Calendar.objects.filter(team=team).exists()


def test_a_supervisor_sees_only_the_teams_they_lead(client, supervisor, team, other_team):
    client.force_login(supervisor)
    listed = [row["team"] for row in client.get(LIST).context["rows"]]
    assert listed == [team]
    assert client.get(page(team)).status_code == 200
    assert client.get(page(other_team)).status_code == 404
    assert client.post(page(other_team) + "horaires/propres/").status_code == 404
    assert client.post(page(other_team) + "fermetures/", {}).status_code == 404
    assert not Calendar.objects.filter(team=other_team).exists()


def test_administrators_see_every_team(client, admin_user, team, other_team):
    client.force_login(admin_user)
    listed = {row["team"] for row in client.get(LIST).context["rows"]}
    assert listed == {team, other_team}
    assert client.get(page(other_team)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, team):
    response = client.get(page(team))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "connexion" in response["Location"]


def test_writes_need_the_csrf_token(supervisor, team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    assert client.post(page(team) + "horaires/propres/").status_code == 403
    assert not Calendar.objects.filter(team=team).exists()


def test_writes_are_post_only(client, supervisor, team):
    client.force_login(supervisor)
    assert client.get(page(team) + "horaires/propres/").status_code == 405
    assert client.get(page(team) + "horaires/").status_code == 405


def test_the_nav_and_the_dashboard_link_to_the_page(client, supervisor, agent):
    client.force_login(supervisor)
    assert f'href="{LIST}"' in client.get("/engagements/").content.decode()
    client.force_login(agent)
    assert f'href="{LIST}"' not in client.get("/").content.decode()


# Calendars


def test_own_hours_start_as_a_copy_of_the_default_calendar(client, supervisor, team):
    default = Calendar.objects.get(team__isnull=True)
    Closure.objects.create(calendar=default, starts=date(2030, 7, 14), ends=date(2030, 7, 15))
    client.force_login(supervisor)

    calendar = own_calendar(client, team)

    copied = [(s.weekday, s.opens, s.closes) for s in calendar.slots.order_by("weekday", "opens")]
    original = [(s.weekday, s.opens, s.closes) for s in default.slots.order_by("weekday", "opens")]
    assert copied == original and len(copied) == 10
    assert [(c.starts, c.ends) for c in calendar.closures.all()] == [
        (date(2030, 7, 14), date(2030, 7, 15))
    ]
    assert (calendar.timezone, calendar.subdivision) == (default.timezone, default.subdivision)
    event = AuditEvent.objects.get(verb="sla.calendar.create")
    assert event.actor == supervisor
    assert len(event.changes["after"]["slots"]) == 10
    # The second click changes nothing.
    own_calendar(client, team)
    assert Calendar.objects.filter(team=team).count() == 1


def test_returning_to_the_default_calendar_deletes_the_team_one(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    response = client.post(page(team) + "horaires/par-defaut/")
    assert response.status_code == 302
    assert not Calendar.objects.filter(team=team).exists()
    assert not OpeningSlot.objects.filter(calendar_id=calendar.pk).exists()
    event = AuditEvent.objects.get(verb="sla.calendar.delete")
    assert event.object_id == str(calendar.pk)
    assert len(event.changes["before"]["slots"]) == 10


def test_a_supervisor_sets_a_week_with_a_lunch_break_and_an_evening_to_midnight(
    client, supervisor, team
):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    data = week_data(
        calendar,
        {0: [("08:00", "12:00"), ("13:00", "16:00")], 5: [("20:00", "00:00")], 4: []},
        subdivision="57",
    )

    response = client.post(page(team) + "horaires/", data)

    assert response.status_code == 302, response.context and response.context["formsets"]
    assert week_of(calendar, 0) == [(time(8), time(12)), (time(13), time(16))]
    assert week_of(calendar, 5) == [(time(20), time(0))]
    assert week_of(calendar, 4) == []
    assert week_of(calendar, 1) == [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]
    calendar.refresh_from_db()
    assert calendar.subdivision == "57"
    event = AuditEvent.objects.get(verb="sla.calendar.hours")
    assert "0 08:30-12:00" in event.changes["before"]["slots"]
    assert "5 20:00-00:00" in event.changes["after"]["slots"]
    assert event.changes["after"]["subdivision"] == "57"


def test_changing_only_the_holidays_is_saved_audited_and_moves_due_times(
    client, supervisor, team, story, facebook_channel
):
    # Thursday 18 April 2030, 15:00, a public comment: 4 business hours. In most of France it
    # is due on Good Friday at 10:00; in Moselle Good Friday and Easter Monday are holidays.
    s = story(facebook_channel, paris(2030, 4, 18, 15), visibility="public")
    recompute(s.conversation, paris(2030, 4, 18, 15, 5))
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 4, 19, 10)

    response = client.post(page(team) + "horaires/", week_data(calendar, {}, subdivision="57"))

    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.subdivision == "57"
    event = AuditEvent.objects.get(verb="sla.calendar.hours")
    assert event.changes["before"]["subdivision"] == ""
    assert event.changes["after"]["subdivision"] == "57"
    assert event.changes["before"]["slots"] == event.changes["after"]["slots"]
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 4, 23, 10)
    page_after = client.get(page(team)).content.decode()
    assert "Aucun changement" not in page_after


def test_changing_only_the_time_zone_is_audited(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    data = week_data(calendar, {}, timezone="America/Cayenne")
    response = client.post(page(team) + "horaires/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="sla.calendar.hours")
    assert event.changes["before"]["timezone"] == "Europe/Paris"
    assert event.changes["after"]["timezone"] == "America/Cayenne"


def test_a_week_without_any_slot_is_refused(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    before = hours_of(calendar)

    response = client.post(
        page(team) + "horaires/", week_data(calendar, {day: [] for day in range(7)})
    )

    assert response.status_code == 400
    assert "Indiquez au moins une plage d&#x27;ouverture" in response.content.decode()
    assert hours_of(calendar) == before
    assert not AuditEvent.objects.filter(verb="sla.calendar.hours").exists()


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_the_first_returns_the_calendar_it_created(supervisor, team):
    """The first request has inserted the calendar but not yet committed when the second
    reads: the second waits on the one-per-team constraint, then finds the first's calendar
    instead of failing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no such race")
    inserted, done = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                Calendar.objects.create(name="Accueil", team=team)
                inserted.set()
                time_module.sleep(1)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(10)
    calendar = team_actions.create_own_calendar(supervisor, team)
    thread.join(10)
    assert done.is_set()
    assert Calendar.objects.filter(team=team).count() == 1
    assert calendar.pk == Calendar.objects.get(team=team).pk


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([("09:00", "12:00"), ("11:00", "14:00")], "se chevauchent"),
        ([("09:00", "12:00"), ("12:00", "00:00"), ("20:00", "21:00")], "se chevauchent"),
        ([("14:00", "09:00")], "La fermeture doit suivre l&#x27;ouverture"),
        ([("09:00", "09:00")], "La fermeture doit suivre l&#x27;ouverture"),
        ([("9h", "12:00")], "Heure attendue au format HH:MM"),
        ([("25:00", "26:00")], "Heure attendue au format HH:MM"),
        ([("09:00", "")], "obligatoire"),
    ],
)
def test_wrong_hours_are_refused_with_a_message_and_nothing_changes(
    client, supervisor, team, slots, message
):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    before = week_of(calendar, 2)

    response = client.post(page(team) + "horaires/", week_data(calendar, {2: slots}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert week_of(calendar, 2) == before
    assert not AuditEvent.objects.filter(verb="sla.calendar.hours").exists()


def test_field_errors_are_announced_and_linked_to_their_field(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    response = client.post(page(team) + "horaires/", week_data(calendar, {2: [("14:00", "09:00")]}))
    html = response.content.decode()
    field_id = None
    for i in range(3):
        if f'id="id_jour2-{i}-closes_error"' in html:
            field_id = f"id_jour2-{i}-closes"
    assert field_id is not None
    assert f'aria-describedby="{field_id}_helptext {field_id}_error"' in html
    assert 'aria-invalid="true"' in html
    assert "<legend>Mercredi</legend>" in html


def test_touching_nothing_writes_nothing(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    response = client.post(page(team) + "horaires/", week_data(calendar, {}))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(verb="sla.calendar.hours").exists()


def test_a_forged_slot_id_of_another_calendar_changes_nothing_there(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    default = Calendar.objects.get(team__isnull=True)
    before = hours_of(default)
    foreign = default.slots.first()
    data = week_data(calendar, {})
    data.update({"jour0-0-id": str(foreign.pk), "jour0-0-opens": "06:00", "jour0-0-DELETE": "on"})
    response = client.post(page(team) + "horaires/", data)
    assert response.status_code in (302, 400)
    assert hours_of(default) == before
    assert OpeningSlot.objects.filter(pk=foreign.pk, calendar=default).exists()


def test_hours_cannot_be_posted_for_a_team_on_the_default_calendar(client, supervisor, team):
    client.force_login(supervisor)
    response = client.post(page(team) + "horaires/", {"subdivision": "57"})
    assert response.status_code == 302
    assert Calendar.objects.get(team__isnull=True).subdivision == ""


# Closures


def test_a_closure_is_added_audited_and_removed(client, supervisor, team):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    data = {"starts": "24/12/2030", "ends": "26/12/2030", "reason": "Fêtes"}

    assert client.post(page(team) + "fermetures/", data).status_code == 302

    closure = calendar.closures.get(reason="Fêtes")
    assert (closure.starts, closure.ends) == (date(2030, 12, 24), date(2030, 12, 26))
    added = AuditEvent.objects.get(verb="sla.closure.add")
    assert added.changes["after"] == {
        "starts": "2030-12-24",
        "ends": "2030-12-26",
        "reason": "Fêtes",
    }
    html = client.get(page(team)).content.decode()
    assert "24/12/2030" in html

    assert client.post(page(team) + f"fermetures/{closure.pk}/supprimer/").status_code == 302
    assert not Closure.objects.filter(pk=closure.pk).exists()
    assert AuditEvent.objects.get(verb="sla.closure.remove").changes["before"]["reason"] == "Fêtes"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"starts": "26/12/2030", "ends": "24/12/2030"},
            "La fin de la fermeture précède son début",
        ),
        ({"starts": "01/01/2030", "ends": "02/01/2031"}, "au plus 366 jours"),
        ({"starts": "31/02/2030", "ends": "01/03/2030"}, "Date attendue au format jj/mm/aaaa"),
        ({"starts": "demain", "ends": ""}, "Date attendue au format jj/mm/aaaa"),
        ({"starts": "01/01/2030", "ends": "31/12/9999"}, "une année entre 2000 et 2100"),
        ({"starts": "01/01/0202", "ends": "01/01/2030"}, "une année entre 2000 et 2100"),
        ({"starts": "01/01/2030", "ends": "01/01/2030", "reason": "x" * 201}, "200 caractères"),
    ],
)
def test_wrong_closures_are_refused_with_a_message(client, supervisor, team, data, message):
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    before = calendar.closures.count()
    response = client.post(page(team) + "fermetures/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert calendar.closures.count() == before


def test_a_closure_of_another_team_cannot_be_removed(
    client, supervisor, admin_user, team, other_team
):
    client.force_login(admin_user)
    theirs = own_calendar(client, other_team)
    closure = Closure.objects.create(
        calendar=theirs, starts=date(2030, 5, 2), ends=date(2030, 5, 2)
    )
    client.force_login(supervisor)
    own_calendar(client, team)
    assert client.post(page(team) + f"fermetures/{closure.pk}/supprimer/").status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_a_closure_needs_the_team_own_calendar(client, supervisor, team):
    client.force_login(supervisor)
    data = {"starts": "24/12/2030", "ends": "26/12/2030"}
    assert client.post(page(team) + "fermetures/", data).status_code == 302
    assert not Closure.objects.exists()


# Due times follow the settings


def test_a_closure_on_the_due_day_moves_the_due_time(
    client, supervisor, team, story, facebook_channel
):
    # Monday 4 March 2030, 9:00: a public comment, 4 business hours → 14:30 the same day.
    s = story(facebook_channel, paris(2030, 3, 4, 9), visibility="public")
    recompute(s.conversation, paris(2030, 3, 4, 9, 5))
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 4, 14, 30)
    client.force_login(supervisor)
    own_calendar(client, team)

    client.post(page(team) + "fermetures/", {"starts": "04/03/2030", "ends": "04/03/2030"})

    s.conversation.refresh_from_db()
    # Tuesday: 8:30–12:00 and half an hour after lunch.
    assert s.conversation.first_answer_due_at == paris(2030, 3, 5, 14)
    closure = Closure.objects.get(calendar__team=team, starts=date(2030, 3, 4))
    client.post(page(team) + f"fermetures/{closure.pk}/supprimer/")
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 4, 14, 30)


def test_new_hours_move_the_due_time(client, supervisor, team, story, facebook_channel):
    s = story(facebook_channel, paris(2030, 3, 4, 9), visibility="public")
    recompute(s.conversation, paris(2030, 3, 4, 9, 5))
    client.force_login(supervisor)
    calendar = own_calendar(client, team)
    client.post(page(team) + "horaires/", week_data(calendar, {0: [("09:00", "00:00")]}))
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 4, 13)


def test_other_teams_conversations_are_left_alone(
    client, supervisor, team, other_team, story, facebook_channel
):
    s = story(facebook_channel, paris(2030, 3, 4, 9), visibility="public")
    s.conversation.team = other_team
    s.conversation.save(update_fields=["team"])
    recompute(s.conversation, paris(2030, 3, 4, 9, 5))
    s.conversation.refresh_from_db()
    due = s.conversation.first_answer_due_at
    assert due == paris(2030, 3, 4, 14, 30)
    client.force_login(supervisor)
    own_calendar(client, team)
    client.post(page(team) + "fermetures/", {"starts": "04/03/2030", "ends": "04/03/2030"})
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == due


def test_a_large_backlog_is_finished_by_a_task(
    team, story, facebook_channel, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    stories = [story(facebook_channel, paris(2030, 3, 4, 9), visibility="public") for _ in range(3)]
    for s in stories:
        recompute(s.conversation, paris(2030, 3, 4, 9, 5))
    Closure.objects.create(
        calendar=team_actions.create_own_calendar(None, team),
        starts=date(2030, 3, 4),
        ends=date(2030, 3, 4),
    )
    with django_capture_on_commit_callbacks(execute=True):
        last = team_actions.refresh_open_commitments(team.pk, limit=1)
    assert last == stories[0].conversation.pk
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_commitments_after").exists()
    dues = [
        s.conversation.__class__.objects.get(pk=s.conversation.pk).first_answer_due_at
        for s in stories
    ]
    assert dues[0] == paris(2030, 3, 5, 14)

    refresh_commitments_after.call(team.pk, last)

    for s in stories:
        s.conversation.refresh_from_db()
        assert s.conversation.first_answer_due_at == paris(2030, 3, 5, 14)


# Policies


def policy_data(**overrides) -> dict:
    data = {
        "name": "Courriel de l'accueil",
        "channel_kind": "email",
        "visibility": "private",
        "category": "",
        "priority": "",
        "acknowledge_within": "1",
        "acknowledge_unit": "days",
        "answer_within": "3",
        "answer_unit": "days",
        "resolve_within": "",
        "resolve_unit": "days",
        "at_risk_percent": "75",
        "escalation": "notify",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_supervisor_creates_edits_and_deactivates_a_team_policy(
    client, supervisor, team, story, email_channel
):
    s = story(email_channel, paris(2030, 3, 4, 9))
    recompute(s.conversation, paris(2030, 3, 4, 9))
    s.conversation.refresh_from_db()
    assert s.conversation.sla_policy == "Courriel"
    client.force_login(supervisor)

    response = client.post(page(team) + "engagements/nouveau/", policy_data())

    assert response.status_code == 302
    policy = Policy.objects.get(name="Courriel de l'accueil")
    assert policy.team == team
    s.conversation.refresh_from_db()
    assert s.conversation.sla_policy == "Courriel de l'accueil"
    assert s.conversation.first_answer_due_at == paris(2030, 3, 7, 17, 30)
    created = AuditEvent.objects.get(verb="sla.policy.create")
    assert created.changes["before"] is None and created.changes["after"]["answer_within"] == 3

    url = page(team) + f"engagements/{policy.pk}/"
    assert client.post(url, policy_data(answer_within="5")).status_code == 302
    changed = AuditEvent.objects.get(verb="sla.policy.change")
    assert (
        changed.changes["before"]["answer_within"],
        changed.changes["after"]["answer_within"],
    ) == (3, 5)

    assert client.post(url + "activation/", {"actif": "0"}).status_code == 302
    policy.refresh_from_db()
    assert not policy.is_active
    assert AuditEvent.objects.filter(verb="sla.policy.deactivate").exists()
    s.conversation.refresh_from_db()
    assert s.conversation.sla_policy == "Courriel"


def test_global_policies_are_read_only_for_supervisors(client, supervisor, team):
    courriel = Policy.objects.get(name="Courriel")
    client.force_login(supervisor)
    html = client.get(page(team)).content.decode()
    assert "Courriel" in html and "Lecture seule" in html
    url = page(team) + f"engagements/{courriel.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, policy_data(name="Courriel", answer_within="1")).status_code == 403
    assert client.post(url + "activation/", {"actif": "0"}).status_code == 403
    courriel.refresh_from_db()
    assert courriel.answer_within == 15 and courriel.is_active


def test_administrators_edit_global_policies_here(
    client, admin_user, team, other_team, story, email_channel
):
    courriel = Policy.objects.get(name="Courriel")
    s = story(email_channel, paris(2030, 3, 4, 9))
    s.conversation.team = other_team
    s.conversation.save(update_fields=["team"])
    recompute(s.conversation, paris(2030, 3, 4, 9))
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 25, 17, 30)
    client.force_login(admin_user)
    url = page(team) + f"engagements/{courriel.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, policy_data(name="Courriel", answer_within="10", escalation=""))
    assert response.status_code == 302
    courriel.refresh_from_db()
    assert (courriel.answer_within, courriel.team) == (10, None)
    # A global policy: every team's open conversations follow, another team's included.
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 18, 17, 30)


def test_another_team_policy_is_not_found(client, supervisor, team, other_team):
    theirs = Policy.objects.create(name="Voirie", team=other_team, answer_within=1)
    client.force_login(supervisor)
    assert client.get(page(team) + f"engagements/{theirs.pk}/").status_code == 404
    assert client.post(page(team) + f"engagements/{theirs.pk}/activation/").status_code == 404
    assert "Voirie" not in client.get(page(team)).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "obligatoire"),
        ({"name": "Courriel"}, "Un engagement porte déjà ce nom"),
        ({"at_risk_percent": "0"}, "Entre 1 et 100"),
        ({"at_risk_percent": "101"}, "Entre 1 et 100"),
        ({"answer_within": "-1"}, "supérieure ou égale à 0"),
        ({"answer_within": "beaucoup"}, "Saisissez un nombre entier"),
        ({"answer_within": "99999999"}, "inférieure ou égale à 10000"),
        ({"channel_kind": "pigeon"}, "Sélectionnez un choix valide"),
        ({"answer_unit": "weeks"}, "Sélectionnez un choix valide"),
        ({"category": "999999"}, "Sélectionnez un choix valide"),
    ],
)
def test_wrong_policies_are_refused_with_a_message(client, supervisor, team, overrides, message):
    client.force_login(supervisor)
    response = client.post(page(team) + "engagements/nouveau/", policy_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Policy.objects.filter(team=team).exists()


def test_the_channel_kinds_offered_include_a_kind_policies_already_use(client, admin_user, team):
    client.force_login(admin_user)
    letter = Policy.objects.get(channel_kind="letter")
    html = client.get(page(team) + f"engagements/{letter.pk}/").content.decode()
    assert 'value="letter" selected' in html
    assert 'value="facebook"' in html
    assert "<td>Courrier postal · Privée</td>" in client.get(page(team)).content.decode()


# What the supervisor sees


def test_the_preview_says_when_an_email_would_be_due(team):
    # Monday 4 March 2030, 9:00: acknowledged within 5 business days, answered within 15.
    lines = team_actions.preview(team, paris(2030, 3, 4, 9)).sentences()
    assert lines[0] == (
        "Un courriel reçu maintenant serait dû le lundi 25 mars 2030 à 17h30 "
        "(première réponse, engagement « Courriel »)."
    )
    assert lines[1] == "Son accusé de réception serait dû le lundi 11 mars 2030 à 17h30."
    assert lines[2] == "Le service est ouvert en ce moment."


def test_the_preview_gives_the_next_opening_when_closed(team):
    calendar = team_actions.create_own_calendar(None, team)
    Closure.objects.create(calendar=calendar, starts=date(2030, 3, 4), ends=date(2030, 3, 4))
    lines = team_actions.preview(team, paris(2030, 3, 2, 11)).sentences()
    assert lines[-1] == (
        "Le service est fermé en ce moment ; prochaine ouverture le mardi 5 mars 2030 à 08h30."
    )


def test_the_preview_without_any_policy(team):
    Policy.objects.all().delete()
    lines = team_actions.preview(team, paris(2030, 3, 4, 9)).sentences()
    assert lines == ["Aucun engagement ne s'applique à un courriel reçu par ce service."]


def test_the_page_shows_the_preview(client, supervisor, team):
    client.force_login(supervisor)
    html = client.get(page(team)).content.decode()
    assert "Un courriel reçu maintenant serait dû le" in html


# Any input, never a crash

TIMES = st.one_of(
    st.text(max_size=8),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 30), st.integers(0, 70)),
)


@settings(max_examples=150, deadline=None)
@given(opens=TIMES, closes=TIMES)
def test_a_valid_slot_always_closes_after_it_opens(opens, closes):
    form = SlotForm({"opens": opens, "closes": closes})
    if form.is_valid():
        a, b = form.cleaned_data["opens"], form.cleaned_data["closes"]
        assert minutes(b, closing=True) > minutes(a)
    else:
        assert form.errors


DATES = st.one_of(
    st.text(max_size=12),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(
        lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    ),
)


@settings(max_examples=150, deadline=None)
@given(starts=DATES, ends=DATES, reason=st.text(max_size=250))
def test_a_valid_closure_is_ordered_and_at_most_a_year_long(starts, ends, reason):
    form = ClosureForm({"starts": starts, "ends": ends, "reason": reason})
    if form.is_valid():
        a, b = form.cleaned_data["starts"], form.cleaned_data["ends"]
        assert a <= b and (b - a).days < 366
        assert a.year >= 2000 and b.year <= 2100
    else:
        assert form.errors


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    slots=st.lists(st.tuples(TIMES, TIMES), max_size=3),
    closure=st.tuples(DATES, DATES),
)
def test_the_page_answers_any_input_without_crashing(client, supervisor, team, slots, closure):
    client.force_login(supervisor)
    calendar = Calendar.objects.filter(team=team).first() or team_actions.create_own_calendar(
        None, team
    )
    response = client.post(page(team) + "horaires/", week_data(calendar, {3: slots}))
    assert response.status_code in (302, 400)
    response = client.post(page(team) + "fermetures/", {"starts": closure[0], "ends": closure[1]})
    assert response.status_code in (302, 400)
    for day in range(7):
        found = week_of(calendar, day)
        ends = [minutes(b, closing=True) for _a, b in found]
        starts = [minutes(a) for a, _b in found]
        assert all(b > a for a, b in zip(starts, ends, strict=True))
        assert all(starts[i + 1] >= ends[i] for i in range(len(found) - 1))
