"""Contacts are private to the teams that handle them (docs/decisions/0007): the agent of
another team neither opens nor lists them, finds them only by their exact email or phone,
learns nothing of other teams' conversations; merges need rights on everything they move; each
read is journaled; an administrator may widen one team to all contacts, journaled too."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from civique.channels.models import Channel
from civique.contacts.models import Contact, ContactMerge, Identity
from civique.core.models import AuditEvent, ContactVisibility, Role, User
from civique.inbox.merges import MergeRefused, merge_contacts, undo_merge
from civique.inbox.models import Conversation, Message, TimelineEntry
from tests.intake import deliver, request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeanne(webform_channel) -> Contact:
    """A contact known only to the first team (« Accueil »)."""
    contact = request_from(
        webform_channel,
        subject="Aide au logement",
        name="Jeanne Roux",
        email="Jeanne.Roux@Example.org",
        text="Je demande une aide au logement.",
    ).contact
    Identity.objects.create(contact=contact, kind="phone", value="+33612345678")
    contact.notes = "Suivie par l'assistante sociale."
    contact.save()
    return contact


@pytest.fixture
def voirie_phone(other_team) -> Channel:
    return Channel.objects.create(kind="phone", name="Standard voirie", team=other_team)


def detail(contact) -> str:
    return reverse("contacts:detail", args=[contact.pk])


def names(response) -> list[str]:
    return [c.display_name for c in response.context["page"].object_list]


def test_an_agent_of_another_team_cannot_open_the_contact(client, outsider, jeanne):
    client.force_login(outsider)

    for url in (detail(jeanne), reverse("contacts:log", args=[jeanne.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Roux" not in response.text
        assert "assistante sociale" not in response.text


def test_an_agent_of_another_team_does_not_list_it_nor_find_it_by_part_of_it(
    client, outsider, jeanne
):
    client.force_login(outsider)
    url = reverse("contacts:list")

    assert names(client.get(url)) == []
    assert names(client.get(url, {"q": "Roux"})) == []
    assert names(client.get(url, {"q": "jeanne.roux@example"})) == []
    assert names(client.get(url, {"q": "0612345"})) == []


def test_the_exact_email_or_phone_finds_it_and_opens_it_without_the_other_teams_history(
    client, outsider, jeanne
):
    client.force_login(outsider)
    url = reverse("contacts:list")

    assert names(client.get(url, {"q": " JEANNE.ROUX@example.org "})) == ["Jeanne Roux"]
    assert names(client.get(url, {"q": "+33 6 12 34 56 78"})) == ["Jeanne Roux"]
    response = client.get(detail(jeanne))

    assert response.status_code == 200
    html = unescape(response.text)
    assert "06 12 34 56 78" in html
    assert "Je demande une aide au logement." not in html
    assert "Aide au logement" not in html
    # Found, so reception may take a new request from the person.
    assert client.get(reverse("contacts:log", args=[jeanne.pk])).status_code == 200
    read = AuditEvent.objects.get(verb="contact.read", actor=outsider)
    assert read.changes["exact_search"] is True


def test_the_exact_search_pass_belongs_to_the_session_that_searched(client, outsider, jeanne):
    client.force_login(outsider)
    client.get(reverse("contacts:list"), {"q": "jeanne.roux@example.org"})
    client.logout()
    client.force_login(outsider)

    assert client.get(detail(jeanne)).status_code == 404


def test_the_page_no_longer_counts_other_teams_conversations(client, agent, jeanne, voirie_phone):
    deliver(voirie_phone, contact_id=jeanne.pk, text="Nid-de-poule rue des Lilas.")
    deliver(voirie_phone, contact_id=jeanne.pk, text="Encore le nid-de-poule.")
    client.force_login(agent)

    html = unescape(client.get(detail(jeanne)).text)

    assert "Je demande une aide au logement." in html
    assert "Nid-de-poule" not in html
    assert "autres demandes de cet usager" not in html
    assert "service auquel vous n'avez pas accès" not in html
    assert "services auxquels vous n'avez pas accès" not in html


def test_an_administrator_sees_every_contact(client, admin_user, jeanne):
    loner = Contact.objects.create(display_name="Paul Martin")
    client.force_login(admin_user)

    assert client.get(detail(loner)).status_code == 200
    assert set(names(client.get(reverse("contacts:list")))) == {"Jeanne Roux", "Paul Martin"}


def test_a_team_set_to_all_contacts_sees_them(client, outsider, other_team, jeanne):
    other_team.contact_visibility = ContactVisibility.ALL
    other_team.save()
    client.force_login(outsider)

    assert client.get(detail(jeanne)).status_code == 200
    assert names(client.get(reverse("contacts:list"), {"q": "Roux"})) == ["Jeanne Roux"]
    # Still only the conversations of the agent's teams.
    assert "Je demande une aide au logement." not in client.get(detail(jeanne)).text


@pytest.fixture
def staff_admin(admin_user) -> User:
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    return admin_user


def team_form(team, visibility: str) -> dict:
    return {
        "slug": team.slug,
        "name": team.name,
        "email": team.email,
        "description": team.description,
        "contact_visibility": visibility,
    }


def test_the_administrator_widens_a_team_in_the_admin_and_it_is_journaled(
    client, staff_admin, other_team
):
    client.force_login(staff_admin)
    url = reverse("admin:core_team_change", args=[other_team.pk])

    response = client.post(url, team_form(other_team, "all"))
    client.post(url, team_form(other_team, "all"))  # saved again, unchanged: no entry

    assert response.status_code == 302
    other_team.refresh_from_db()
    assert other_team.contact_visibility == ContactVisibility.ALL
    event = AuditEvent.objects.get(verb="team.contact_visibility")
    assert event.actor == staff_admin
    assert event.object_id == str(other_team.pk)
    assert event.changes == {"contact_visibility": ["conversations", "all"]}


def test_reading_a_contact_page_is_journaled_once_per_request(client, agent, jeanne):
    client.force_login(agent)

    client.get(detail(jeanne))

    event = AuditEvent.objects.get(verb="contact.read")
    assert event.actor == agent
    assert (event.object_type, event.object_id) == ("contacts.contact", str(jeanne.pk))
    assert event.changes["via"] == "page"
    assert "exact_search" not in event.changes
    assert event.ip_address == "127.0.0.1"


def test_the_audit_admin_filters_the_reads(client, staff_admin, agent, jeanne):
    client.force_login(agent)
    client.get(detail(jeanne))
    client.force_login(staff_admin)

    response = client.get(reverse("admin:core_auditevent_changelist"), {"verb": "contact.read"})

    assert response.status_code == 200
    assert list(response.context["cl"].queryset.values_list("verb", flat=True)) == ["contact.read"]


# Merges


@pytest.fixture
def shared(jeanne, voirie_phone) -> Contact:
    """A second card for Jeanne, opened by a call to the « Voirie » team."""
    return deliver(voirie_phone, name="J. Roux", phone="0699887766", text="Appel.").author_contact


def snapshot() -> tuple:
    return (
        sorted(Identity.objects.values_list("pk", "contact_id")),
        sorted(Conversation.objects.values_list("pk", "contact_id")),
        sorted(Message.objects.values_list("pk", "author_contact_id")),
        sorted(Contact.objects.values_list("pk", "merged_into_id")),
        ContactMerge.objects.count(),
        TimelineEntry.objects.filter(kind="contact").count(),
        AuditEvent.objects.filter(verb__startswith="contact.merge").count(),
    )


@pytest.fixture
def voirie_supervisor(other_team, jeanne) -> User:
    user = User.objects.create_user("sup-voirie", password="x", role=Role.SUPERVISOR)
    user.teams.add(other_team)
    return user


def test_a_merge_moving_a_conversation_the_supervisor_cannot_see_is_refused_whole(
    client, voirie_supervisor, jeanne, shared
):
    before = snapshot()
    client.force_login(voirie_supervisor)
    # The supervisor found Jeanne by her exact address, so the page opens.
    client.get(reverse("contacts:list"), {"q": "jeanne.roux@example.org"})

    response = client.post(reverse("contacts:merge", args=[jeanne.pk]), {"cible": shared.pk})

    assert response.status_code == 403
    text = unescape(response.text)
    assert "Vous ne pouvez pas fusionner ces usagers : demandez à un administrateur." in text
    assert "un service auquel" not in text
    assert snapshot() == before
    with pytest.raises(MergeRefused):
        merge_contacts(voirie_supervisor, jeanne, shared)
    assert snapshot() == before


def test_the_supervisor_may_merge_what_they_see_all_of(voirie_supervisor, jeanne, shared):
    # The other way round: only the « Voirie » conversation moves.
    voirie_conversation = shared.conversations.get()

    merge = merge_contacts(voirie_supervisor, shared, jeanne)

    assert merge.conversation_ids == [voirie_conversation.pk]
    voirie_conversation.refresh_from_db()
    assert voirie_conversation.contact == jeanne


def test_undoing_a_merge_moving_a_conversation_the_supervisor_cannot_see_is_refused(
    client, admin_user, supervisor, jeanne, shared
):
    merge = merge_contacts(admin_user, shared, jeanne)  # moves the « Voirie » conversation
    before = snapshot()
    client.force_login(supervisor)  # « Accueil » supervisor: sees Jeanne, not « Voirie »

    response = client.post(reverse("contacts:undo_merge", args=[merge.pk]))

    assert response.status_code == 403
    text = unescape(response.text)
    assert "Vous ne pouvez pas fusionner ces usagers : demandez à un administrateur." in text
    assert "un service auquel" not in text
    assert snapshot() == before
    with pytest.raises(MergeRefused):
        undo_merge(supervisor, merge)


def test_the_creator_of_a_contact_opens_it_before_any_conversation(client, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("contacts:create"), {"display_name": "Marc Petit", "next": "contact"}
    )

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_typing_a_taken_identity_in_a_new_card_opens_its_holder(client, outsider, jeanne):
    client.force_login(outsider)

    response = client.post(
        reverse("contacts:create"),
        {"display_name": "J. Roux", "email": "jeanne.roux@example.org", "next": "contact"},
    )

    assert response.status_code == 422
    assert detail(jeanne) in response.text
    assert client.get(detail(jeanne)).status_code == 200


def test_a_search_showing_a_contact_only_by_its_exact_email_is_journaled(client, outsider, jeanne):
    client.force_login(outsider)

    client.get(reverse("contacts:list"), {"q": "jeanne.roux@example.org"})
    client.get(reverse("contacts:list"), {"q": "Roux"})  # finds nothing: nothing to journal

    found = AuditEvent.objects.filter(verb="contact.found")
    assert [(e.object_id, e.changes) for e in found] == [
        (str(jeanne.pk), {"via": "page", "exact_search": True})
    ]


def test_a_search_finding_a_contact_already_visible_is_not_journaled_as_found(
    client, agent, jeanne
):
    client.force_login(agent)

    client.get(reverse("contacts:list"), {"q": "jeanne.roux@example.org"})

    assert not AuditEvent.objects.filter(verb="contact.found").exists()
