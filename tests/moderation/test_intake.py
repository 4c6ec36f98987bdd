"""The moderation stage in the real intake: a comment delivered to the webhook opens its case in
the event's own transaction, and replaying every event (``civique ingest --replay``) proposes,
hides and explains nothing twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from civique.contacts.models import Contact, Identity
from civique.inbox.models import Delivery, Message
from civique.ingest.models import EventState, InboundEvent
from civique.moderation.models import (
    AutoRule,
    CaseState,
    ElectedOfficial,
    ModerationCase,
    ModerationDecision,
    RuleAction,
)
from tests.moderation.conftest import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def councillor(db) -> Contact:
    contact = Contact.objects.create(display_name="Bernard Roux")
    Identity.objects.create(contact=contact, kind="facebook", value="1000482913370551")
    ElectedOfficial.objects.create(contact=contact, mandate="Conseiller municipal")
    return contact


def test_an_elected_official_s_comment_opens_its_case_on_arrival(page_routes, head, councillor):
    message = receive(
        page_routes, "Réunion publique jeudi à 19 h.", author="1000482913370551", name="B. Roux"
    )
    assert message.author_contact == councillor
    case = ModerationCase.objects.get(message=message)
    assert (case.elected, case.state, case.escalated_to) == (True, CaseState.ESCALATED, head)


def test_a_keyword_rule_hides_nothing_without_consent_and_replay_adds_nothing(
    page_routes, moderator
):
    AutoRule.objects.create(
        name="Arnaques", keywords="arnaque", action=RuleAction.NOTIFY, labels=[]
    )
    AutoRule.objects.create(
        name="Masquage sans article", keywords="arnaque", action=RuleAction.HIDE, labels=[]
    )
    message = receive(page_routes, "Cette arnaque de parking payant !", author="61")
    case = ModerationCase.objects.get(message=message)
    assert case.auto_hidden_at is None and not Delivery.objects.filter(kind="hide").exists()
    decisions = ModerationDecision.objects.count()

    call_command("ingest", "--replay", "--state", "all", verbosity=0)
    assert not InboundEvent.objects.exclude(state=EventState.DONE).exists()
    assert Message.objects.filter(channel=page_routes).count() == 1
    assert ModerationCase.objects.count() == 1
    assert ModerationDecision.objects.count() == decisions
