"""The duty rota: nothing without the agent's consent; with it, urgent notifications only."""

from __future__ import annotations

import pytest

from civique.core.models import AuditEvent
from civique.notifications.actions import (
    NotificationError,
    accept_shift,
    cancel_shift,
    decline_shift,
    deliver_due_notifications,
    notify,
    propose_shift,
    withdraw_shift,
)
from civique.notifications.models import Kind, ShiftState
from tests.notifications.conftest import paris

pytestmark = pytest.mark.django_db

SATURDAY_3AM = paris(2026, 3, 7, 3, 0)
PROPOSED_ON = paris(2026, 3, 5, 10, 0)


@pytest.fixture
def shift(supervisor, agent):
    return propose_shift(
        supervisor, agent, paris(2026, 3, 6, 18, 0), paris(2026, 3, 9, 8, 0), now=PROPOSED_ON
    )


def _urgent(user, at):
    return notify(user, Kind.MODERATION_URGENT, "Commentaire menaçant.", now=at)


def test_a_shift_without_consent_lets_nothing_through(shift, agent):
    n = _urgent(agent, SATURDAY_3AM)
    assert n.deliver_at == paris(2026, 3, 9, 8, 30)
    assert deliver_due_notifications(SATURDAY_3AM) == 0


def test_an_accepted_shift_delivers_urgent_notifications_at_once(shift, agent):
    accept_shift(agent, shift, now=PROPOSED_ON)
    urgent = _urgent(agent, SATURDAY_3AM)
    ordinary = notify(agent, Kind.ASSIGNED, "Une demande.", now=SATURDAY_3AM)
    assert urgent.deliver_at == SATURDAY_3AM and urgent.via_duty
    assert ordinary.deliver_at == paris(2026, 3, 9, 8, 30) and not ordinary.via_duty
    assert deliver_due_notifications(SATURDAY_3AM) == 1
    ordinary.refresh_from_db()
    assert ordinary.delivered_at is None


def test_a_held_urgent_notification_goes_when_an_accepted_shift_starts(supervisor, agent):
    held = _urgent(agent, paris(2026, 3, 6, 20, 0))
    shift = propose_shift(
        supervisor, agent, paris(2026, 3, 7, 0, 0), paris(2026, 3, 8, 0, 0), now=PROPOSED_ON
    )
    accept_shift(agent, shift, now=PROPOSED_ON)
    assert deliver_due_notifications(paris(2026, 3, 6, 23, 0)) == 0
    assert deliver_due_notifications(SATURDAY_3AM) == 1
    held.refresh_from_db()
    assert held.delivered_at == SATURDAY_3AM and held.via_duty


def test_a_withdrawn_consent_holds_again(shift, agent):
    accept_shift(agent, shift, now=PROPOSED_ON)
    withdraw_shift(agent, shift, now=PROPOSED_ON)
    assert _urgent(agent, SATURDAY_3AM).deliver_at == paris(2026, 3, 9, 8, 30)


def test_a_declined_or_cancelled_shift_cannot_be_accepted(shift, agent, supervisor):
    decline_shift(agent, shift, now=PROPOSED_ON)
    with pytest.raises(NotificationError):
        accept_shift(agent, shift, now=PROPOSED_ON)
    other = propose_shift(
        supervisor, agent, paris(2026, 3, 13, 18, 0), paris(2026, 3, 14, 8, 0), now=PROPOSED_ON
    )
    cancel_shift(supervisor, other, now=PROPOSED_ON)
    with pytest.raises(NotificationError):
        accept_shift(agent, other, now=PROPOSED_ON)


def test_consent_and_its_withdrawal_are_audited(shift, agent):
    accept_shift(agent, shift, now=PROPOSED_ON)
    shift.refresh_from_db()
    assert shift.state == ShiftState.ACCEPTED and shift.consented_at == PROPOSED_ON
    withdraw_shift(agent, shift, now=PROPOSED_ON)
    verbs = list(
        AuditEvent.objects.filter(object_type="notifications.dutyshift").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["duty.accept", "duty.propose", "duty.withdraw"]


def test_an_agent_cannot_accept_someone_elses_shift(shift, outsider):
    with pytest.raises(NotificationError):
        accept_shift(outsider, shift, now=PROPOSED_ON)


def test_a_supervisor_proposes_only_to_their_teams_agents(supervisor, outsider, agent):
    with pytest.raises(NotificationError):
        propose_shift(
            supervisor, outsider, paris(2026, 3, 6, 18), paris(2026, 3, 7, 8), now=PROPOSED_ON
        )
    with pytest.raises(NotificationError):
        propose_shift(agent, agent, paris(2026, 3, 6, 18), paris(2026, 3, 7, 8), now=PROPOSED_ON)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (paris(2026, 3, 7, 8), paris(2026, 3, 6, 18)),  # ends before it starts
        (paris(2026, 3, 1, 8), paris(2026, 3, 2, 8)),  # already over
        (paris(2026, 3, 6, 8), paris(2026, 3, 20, 8)),  # longer than a week
    ],
)
def test_malformed_shifts_are_refused(supervisor, agent, starts, ends):
    with pytest.raises(NotificationError):
        propose_shift(supervisor, agent, starts, ends, now=PROPOSED_ON)


def test_overlapping_shifts_are_refused(shift, supervisor, agent):
    with pytest.raises(NotificationError):
        propose_shift(
            supervisor, agent, paris(2026, 3, 7, 0), paris(2026, 3, 7, 8), now=PROPOSED_ON
        )
