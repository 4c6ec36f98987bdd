"""Each commitment's clock, at fixed instants: weekends, holidays, lunch, pauses, DST, breaches."""

from __future__ import annotations

from datetime import date

import pytest

from civique.inbox.clocks import recompute
from civique.inbox.models import Priority, SlaState
from civique.sla.actions import sweep_commitments
from civique.sla.models import Calendar, Closure, OpeningSlot, Policy
from civique.sla.policies import matching_policy, policy_for
from tests.sla.conftest import paris

pytestmark = pytest.mark.django_db


def refreshed(conversation, now):
    recompute(conversation, now)
    conversation.refresh_from_db()
    return conversation


def test_a_public_comment_on_friday_afternoon_is_due_on_monday_morning(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 6, 16), visibility="public")
    c = refreshed(s.conversation, paris(2026, 3, 6, 16, 5))
    assert c.sla_policy == "Commentaire public"
    # 1.5 hours on Friday, 2.5 on Monday morning.
    assert c.first_answer_due_at == paris(2026, 3, 9, 11)
    assert c.acknowledgement_due_at is None
    assert c.next_due_at == paris(2026, 3, 9, 11)
    assert c.sla_state == SlaState.OK


def test_the_lunch_break_does_not_count(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    c = refreshed(s.conversation, paris(2026, 3, 9, 9))
    assert c.first_answer_due_at == paris(2026, 3, 9, 14, 30)


def test_it_is_at_risk_once_three_quarters_of_the_time_are_gone(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    assert refreshed(s.conversation, paris(2026, 3, 9, 11, 59)).sla_state == SlaState.OK
    c = refreshed(s.conversation, paris(2026, 3, 9, 12, 30))
    assert c.at_risk_at == paris(2026, 3, 9, 12)
    assert c.sla_state == SlaState.AT_RISK
    # Missed past the due time and its five minutes of grace.
    assert refreshed(s.conversation, paris(2026, 3, 9, 14, 34)).sla_state == SlaState.AT_RISK
    assert refreshed(s.conversation, paris(2026, 3, 9, 14, 36)).sla_state == SlaState.BREACHED


def test_a_daylight_saving_weekend_keeps_local_office_hours(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 27, 16, 30), visibility="public")
    c = refreshed(s.conversation, paris(2026, 3, 27, 16, 30))
    assert c.first_answer_due_at == paris(2026, 3, 30, 11, 30)
    s = story(facebook_channel, paris(2026, 10, 23, 16, 30), visibility="public")
    c = refreshed(s.conversation, paris(2026, 10, 23, 16, 30))
    assert c.first_answer_due_at == paris(2026, 10, 26, 11, 30)


def test_an_email_on_saturday_is_acknowledged_within_a_week_and_answered_in_15_days(
    story, email_channel
):
    s = story(email_channel, paris(2026, 3, 7, 22))
    c = refreshed(s.conversation, paris(2026, 3, 7, 22))
    assert c.sla_policy == "Courriel"
    # Counted from Monday 9 March; Easter Monday (6 April) is off.
    assert c.acknowledgement_due_at == paris(2026, 3, 16, 17, 30)
    assert c.first_answer_due_at == paris(2026, 3, 30, 17, 30)


def test_a_private_message_is_acknowledged_at_once_and_answered_in_two_days(
    story, facebook_channel
):
    s = story(facebook_channel, paris(2026, 4, 30, 10))
    c = refreshed(s.conversation, paris(2026, 4, 30, 10))
    assert c.sla_policy == "Message privé"
    assert c.acknowledgement_due_at == paris(2026, 4, 30, 10)
    # 1 May (Friday) is a holiday: Monday 4 and Tuesday 5 May.
    assert c.first_answer_due_at == paris(2026, 5, 5, 17, 30)


def test_an_acknowledgement_stops_only_its_own_clock(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 10))
    s.agent_answers(paris(2026, 3, 9, 10), acknowledgement=True)
    c = refreshed(s.conversation, paris(2026, 3, 9, 10, 1))
    assert c.acknowledged_at == paris(2026, 3, 9, 10)
    assert c.first_response_at is None
    assert c.waiting_since == paris(2026, 3, 9, 10)
    assert c.next_due_at == c.first_answer_due_at == paris(2026, 3, 11, 17, 30)


def test_waiting_for_the_citizen_pauses_the_clock_until_they_answer(story, email_channel):
    Policy.objects.filter(name="Courriel").update(resolve_within=3, resolve_unit="days")
    s = story(email_channel, paris(2026, 3, 2, 10))
    s.agent_answers(paris(2026, 3, 2, 11))
    s.status(paris(2026, 3, 2, 11), "pending")
    c = refreshed(s.conversation, paris(2026, 3, 4, 9))
    assert c.sla_state == SlaState.PAUSED
    assert c.resolution_due_at is None
    assert c.next_due_at is None
    s.citizen_writes(paris(2026, 3, 5, 14))
    s.status(paris(2026, 3, 5, 14), "open")
    c = refreshed(s.conversation, paris(2026, 3, 5, 14))
    # Due Thursday 5 at closing without the pause; 24 business hours paused push it to
    # Wednesday 11 March, 10:00.
    assert c.resolution_due_at == paris(2026, 3, 11, 10)
    assert c.sla_state == SlaState.OK
    assert c.waiting_since == paris(2026, 3, 5, 14)


def test_a_breach_escalates_once(story, facebook_channel):
    Policy.objects.filter(name="Commentaire public").update(escalation="raise")
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    refreshed(s.conversation, paris(2026, 3, 9, 9))
    assert sweep_commitments(paris(2026, 3, 9, 15)) == 1
    c = s.conversation
    c.refresh_from_db()
    assert c.sla_state == SlaState.BREACHED
    assert c.sla_breaches == ["first_answer"]
    assert c.priority == Priority.HIGH
    assert sweep_commitments(paris(2026, 3, 9, 16)) == 0
    refreshed(c, paris(2026, 3, 9, 16))
    assert c.priority == Priority.HIGH


def test_reassign_escalation_gives_the_conversation_back_to_its_team(
    story, facebook_channel, agent
):
    Policy.objects.filter(name="Commentaire public").update(escalation="reassign")
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public", assignee=agent)
    c = refreshed(s.conversation, paris(2026, 3, 9, 15))
    assert c.assignee is None
    assert c.timeline.filter(kind="assignment").exists()


def test_an_answer_after_the_due_time_is_a_missed_commitment(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    s.agent_answers(paris(2026, 3, 9, 16))
    c = refreshed(s.conversation, paris(2026, 3, 9, 16))
    assert c.first_response_at == paris(2026, 3, 9, 16)
    assert c.sla_breaches == ["first_answer"]
    assert c.sla_state == SlaState.BREACHED
    assert c.next_due_at is None


def test_an_answer_in_time_meets_the_commitment(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    s.agent_answers(paris(2026, 3, 9, 10))
    c = refreshed(s.conversation, paris(2026, 3, 10, 10))
    assert c.sla_state == SlaState.MET
    assert c.sla_breaches == []


def test_automated_mail_and_do_not_feed_comments_do_not_wait(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    s.agent_answers(paris(2026, 3, 9, 10))
    s.citizen_writes(paris(2026, 3, 9, 11), is_automated=True)
    s.citizen_writes(paris(2026, 3, 9, 11, 30), clock="ignore")
    c = refreshed(s.conversation, paris(2026, 3, 9, 12))
    assert c.waiting_since is None
    assert c.last_inbound_at == paris(2026, 3, 9, 11, 30)
    s.citizen_writes(paris(2026, 3, 9, 11, 45))
    assert refreshed(c, paris(2026, 3, 9, 12)).waiting_since == paris(2026, 3, 9, 11, 45)


def test_a_redirection_to_a_partner_body_counts_as_an_answer(story, facebook_channel):
    s = story(facebook_channel, paris(2026, 3, 9, 9))
    s._message(paris(2026, 3, 9, 9, 30), "internal", outcome="redirected")
    c = refreshed(s.conversation, paris(2026, 3, 9, 10))
    assert c.first_response_at == paris(2026, 3, 9, 9, 30)
    assert c.waiting_since is None


def test_the_team_calendar_counts_its_own_holidays_and_closures(story, facebook_channel, team):
    calendar = Calendar.objects.create(name="Strasbourg", team=team, subdivision="67")
    for weekday in range(5):
        OpeningSlot.objects.create(
            calendar=calendar, weekday=weekday, opens="09:00", closes="17:00"
        )
    Closure.objects.create(calendar=calendar, starts=date(2026, 4, 7), ends=date(2026, 4, 7))
    # Thursday 2 April 16:00 + 4 hours: 1 on Thursday; Good Friday (Alsace), Easter Monday and
    # the closure on Tuesday off; 3 on Wednesday 8 April.
    s = story(facebook_channel, paris(2026, 4, 2, 16), visibility="public")
    c = refreshed(s.conversation, paris(2026, 4, 2, 16))
    assert c.first_answer_due_at == paris(2026, 4, 8, 12)


def test_the_most_specific_policy_wins(story, facebook_channel, category):
    Policy.objects.create(
        name="Voirie publique", visibility="public", category=category, answer_within=1
    )
    Policy.objects.create(
        name="Inactive", visibility="public", category=category, priority=2, is_active=False
    )
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public", category=category)
    c = refreshed(s.conversation, paris(2026, 3, 9, 9))
    assert c.sla_policy == "Voirie publique"
    assert c.first_answer_due_at == paris(2026, 3, 9, 10)


def test_a_team_policy_beats_a_global_one_with_the_same_criteria(
    story, facebook_channel, team, other_team
):
    Policy.objects.create(
        name="Commentaire public — Accueil", visibility="public", team=team, answer_within=1
    )
    Policy.objects.create(
        name="Commentaire public — Voirie", visibility="public", team=other_team, answer_within=8
    )
    s = story(facebook_channel, paris(2030, 3, 4, 9), visibility="public")
    assert policy_for(s.conversation).name == "Commentaire public — Accueil"
    recompute(s.conversation, paris(2030, 3, 4, 9))
    s.conversation.refresh_from_db()
    assert s.conversation.first_answer_due_at == paris(2030, 3, 4, 10)


def test_a_team_policy_never_applies_to_another_team(team, other_team):
    Policy.objects.create(name="Voirie", team=other_team, answer_within=1)
    found = matching_policy(
        team_id=team.pk, channel_kind="email", visibility="private", category_id=None, priority=2
    )
    assert found.name == "Courriel"
    found = matching_policy(
        team_id=None, channel_kind="email", visibility="private", category_id=None, priority=2
    )
    assert found.name == "Courriel"


def test_a_more_specific_global_policy_still_beats_a_vaguer_team_one(team, category):
    Policy.objects.create(name="Tout l'accueil", team=team, answer_within=1)
    Policy.objects.create(
        name="Voirie privée urgente",
        visibility="private",
        category=category,
        priority=4,
        answer_within=2,
    )
    found = matching_policy(
        team_id=team.pk,
        channel_kind="email",
        visibility="private",
        category_id=category.pk,
        priority=4,
    )
    assert found.name == "Voirie privée urgente"


def test_without_policy_there_is_no_due_time(story, facebook_channel):
    Policy.objects.all().delete()
    s = story(facebook_channel, paris(2026, 3, 9, 9), visibility="public")
    c = refreshed(s.conversation, paris(2026, 3, 9, 9))
    assert (c.sla_policy, c.sla_state, c.next_due_at) == ("", SlaState.NONE, None)


def test_the_pipeline_and_the_reply_path_share_one_clock(webform_channel, agent):
    from civique.inbox.actions import change_status, reply_to_conversation
    from tests.intake import request_from

    conversation = request_from(webform_channel, hours_ago=2, email="a@example.org")
    conversation.refresh_from_db()
    assert conversation.sla_policy == "Formulaire du portail"
    assert conversation.waiting_since is not None
    assert conversation.first_answer_due_at is not None

    reply_to_conversation(agent, conversation, "Nous nous en occupons.")
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.waiting_since is None
    assert conversation.acknowledged_at == conversation.first_response_at

    change_status(agent, conversation, "pending")
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.MET  # acknowledged and answered, no resolution
    Policy.objects.filter(name="Formulaire du portail").update(resolve_within=5)
    change_status(agent, conversation, "open")
    conversation.refresh_from_db()
    assert conversation.resolution_due_at is not None
    assert conversation.sla_state in (SlaState.OK, SlaState.AT_RISK)
