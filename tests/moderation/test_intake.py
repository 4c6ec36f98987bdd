"""The moderation stage in the real intake, with the real analysers: a comment delivered to the
webhook opens its case in the event's own transaction, hides and explains through the outbox only
where an administrator enabled it, and replaying every event (``civique ingest --replay``)
proposes, hides and explains nothing twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from civique.contacts.models import Contact, Identity
from civique.inbox.models import Delivery, Message
from civique.inbox.outbox import deliver_due
from civique.ingest.models import EventState, InboundEvent
from civique.moderation.models import (
    AutoRule,
    CaseState,
    CharterRule,
    ElectedOfficial,
    ModerationCase,
    ModerationDecision,
    ModerationSetup,
    RuleAction,
)
from tests.hooks import PAGE_ID
from tests.moderation.conftest import health_rule, receive

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


# --- With the real analysers, from the webhook to the fake Graph API --------------------------

HOSPITAL = (
    "Ma mère, Jeanne Petit, est hospitalisée en cardiologie depuis lundi après son infarctus "
    "et personne ne nous donne de nouvelles !"
)
ANGRY = (
    "Ça fait TROIS semaines que le lampadaire de la rue des Lilas est en panne, c'est "
    "inadmissible, les enfants rentrent de l'école dans le noir !"
)


@pytest.fixture
def health_rule_on(page_routes) -> AutoRule:
    return health_rule(page_routes)


def test_a_health_comment_is_hidden_on_arrival_and_its_author_told_why(
    page_routes, health_rule_on, graph_api
):
    message = receive(page_routes, HOSPITAL, author="81", name="Sandrine Petit")
    case = ModerationCase.objects.get(message=message)
    assert case.charter_rule.slug == "sante" and case.sensitive and case.auto_hidden_at
    assert deliver_due() == 2
    assert graph_api.made("POST", message.external_id)[0].json == {"is_hidden": True}
    (private,) = graph_api.made("POST", rf"{PAGE_ID}/messages")
    assert private.json["recipient"] == {"comment_id": message.external_id}
    assert "Bonjour Sandrine Petit" in private.json["message"]["text"]
    assert "article 7" in private.json["message"]["text"]

    call_command("ingest", "--replay", "--state", "all", verbosity=0)
    assert Delivery.objects.filter(kind="hide").count() == 1
    assert Delivery.objects.filter(kind="reply_private").count() == 1


def test_an_angry_complaint_is_never_hidden_even_under_a_hide_rule(page_routes, health_rule_on):
    AutoRule.objects.create(
        name="Tout masquer",
        action=RuleAction.HIDE,
        charter_rule=CharterRule.objects.get(slug="injures"),
        automatic_hide_enabled=True,
    )
    message = receive(page_routes, ANGRY, author="82", name="Léa Morin")
    case = ModerationCase.objects.get(message=message)
    assert case.angry and case.charter_rule is None and case.proposed_action == "review"
    assert not Delivery.objects.filter(kind="hide").exists()


def test_an_insult_is_proposed_for_hiding_not_hidden(page_routes, health_rule_on):
    message = receive(page_routes, "Le maire est un incapable", author="83", name="Gérard")
    case = ModerationCase.objects.get(message=message)
    assert (case.charter_rule.slug, case.proposed_action) == ("injures", "hide")
    assert case.auto_hidden_at is None and not Delivery.objects.exists()


def test_an_elected_official_s_health_comment_is_flagged_not_hidden(
    page_routes, health_rule_on, head, councillor
):
    message = receive(page_routes, HOSPITAL, author="1000482913370551", name="Bernard Roux")
    case = ModerationCase.objects.get(message=message)
    assert case.elected and case.charter_rule.slug == "sante"
    assert case.escalated_to == head and case.auto_hidden_at is None
    assert not Delivery.objects.filter(kind="hide").exists()


def test_a_head_of_communication_of_another_team_sees_the_flagged_case(
    page_routes, other_team, councillor
):
    from civique.core.models import Role, User
    from tests.moderation.conftest import signed_in

    head = User.objects.create_user("com", password="motdepasse-com", role=Role.SUPERVISOR)
    head.teams.add(other_team)
    ModerationSetup.objects.update_or_create(pk=1, defaults={"head_of_communication": head})
    message = receive(
        page_routes, "Réunion publique jeudi à 19 h.", author="1000482913370551", name="B. Roux"
    )
    case = ModerationCase.objects.get(message=message)
    assert case.escalated_to == head
    html = signed_in(head).get("/moderation/?state=mine").content.decode()
    assert f'id="cas-{case.pk}"' in html
    response = signed_in(head).post(f"/moderation/{case.pk}/", {"action": "do_not_feed"})
    assert response.status_code == 302


@pytest.mark.parametrize("official_is", ["source", "target"])
def test_an_elected_official_stays_protected_after_a_contact_merge(
    page_routes, head, admin_user, councillor, official_is
):
    from civique.inbox.merges import merge_contacts

    other = Contact.objects.create(display_name="B. Roux")
    Identity.objects.create(contact=other, kind="email", value="b.roux@example.org")
    source, target = (councillor, other) if official_is == "source" else (other, councillor)
    merge_contacts(admin_user, source, target)
    message = receive(
        page_routes, "Réunion publique jeudi à 19 h.", author="1000482913370551", name="B. Roux"
    )
    case = ModerationCase.objects.get(message=message)
    assert case.elected and case.escalated_to == head
