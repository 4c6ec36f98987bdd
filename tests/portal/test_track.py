"""The tracking page at /portail/suivi/: reference plus the citizen's own email or phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from civique.contacts.models import Contact, Identity
from civique.core.models import AuditEvent
from civique.inbox.actions import add_note, change_status, reply_to_conversation
from civique.inbox.merges import merge_contacts
from civique.inbox.models import Conversation, Status
from civique.ingest.models import InboundEvent

pytestmark = pytest.mark.django_db

HOME = "/portail/"
TRACK = "/portail/suivi/"
NOT_FOUND = "Aucune demande ne correspond"


def make_request(client: Client, **fields) -> Conversation:
    data = {"email": "camille@example.fr", "message": "Un lampadaire est en panne rue Haute."}
    data.update(fields)
    assert client.post(HOME, data).status_code == 302
    return Conversation.objects.order_by("-id").first()


def track(client: Client, reference: str, email: str = "", phone: str = ""):
    return client.post(TRACK, {"reference": reference, "email": email, "phone": phone})


@pytest.fixture
def conversation(client, webform_channel, category) -> Conversation:
    return make_request(client, category="voirie")


def test_the_tracking_form_asks_for_reference_and_email_or_phone(client, webform_channel):
    response = client.get(TRACK)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html
    for field in ["reference", "email", "phone"]:
        assert f'<label for="id_{field}">' in html


def test_it_shows_the_status_the_citizen_message_and_public_answers(client, conversation, agent):
    reply_to_conversation(agent, conversation, "Nos équipes interviennent jeudi.")
    add_note(agent, conversation, "Note interne : voir avec le prestataire Lumi+.")
    response = track(client, conversation.reference, email="Camille@Example.fr ")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Demande {conversation.reference}</h1>" in html
    assert "Un lampadaire est en panne rue Haute." in html
    assert "Nos équipes interviennent jeudi." in html
    assert "Réponse : Service Voirie" in html
    assert "En cours de traitement" in html
    assert "Lumi+" not in html
    assert "Bruno" not in html and "Martin" not in html
    assert "Voirie" in html


def test_it_shows_dates_in_french_in_the_administration_time_zone(client, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=datetime(2026, 7, 14, 10, 5, tzinfo=UTC)
    )
    html = track(client, conversation.reference, email="camille@example.fr").content.decode()
    assert "14 juillet 2026 12:05" in html
    assert 'datetime="2026-07-14T12:05:00+02:00"' in html


def test_it_says_in_plain_french_when_the_request_is_resolved(client, conversation, agent):
    change_status(agent, conversation, Status.RESOLVED)
    html = track(client, conversation.reference, email="camille@example.fr").content.decode()
    assert "Traitée : une réponse vous a été apportée." in html


def test_the_reference_can_be_typed_loosely(client, conversation):
    for typed in [
        conversation.reference.lower(),
        f"[#{conversation.reference}]",
        str(conversation.pk),
    ]:
        assert NOT_FOUND not in track(client, typed, email="camille@example.fr").content.decode()


def test_a_phone_number_matches_in_any_french_format(client, webform_channel):
    conversation = make_request(client, email="", phone="+33 6 12 34 56 78")
    html = track(client, conversation.reference, phone="06-12-34-56-78").content.decode()
    assert f"Demande {conversation.reference}" in html


def test_a_phone_given_beside_an_email_also_opens_the_request(client, webform_channel):
    conversation = make_request(client, phone="06 12 34 56 78")
    html = track(client, conversation.reference, phone="0612345678").content.decode()
    assert f"Demande {conversation.reference}" in html


def test_a_wrong_email_gets_the_generic_message(client, conversation):
    response = track(client, conversation.reference, email="quelquun@example.fr")
    html = response.content.decode()
    assert NOT_FOUND in html
    assert "Un lampadaire" not in html
    assert "<title>Erreur – Suivre une demande" in html


def test_an_unknown_reference_gets_exactly_the_same_answer(client, conversation):
    wrong_email = track(client, conversation.reference, email="quelquun@example.fr")
    unknown = track(client, "V-999999", email="quelquun@example.fr")
    assert wrong_email.status_code == unknown.status_code == 200
    assert _normalised(wrong_email, conversation.reference) == _normalised(unknown, "V-999999")


def _normalised(response, typed_reference: str) -> str:
    """The page with what legitimately differs (the typed reference, the CSRF token) blanked."""
    html = response.content.decode().replace(f'value="{typed_reference}"', 'value=""')
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_another_contact_holding_the_email_does_not_open_the_request(client, conversation):
    stranger = Contact.objects.create(display_name="Quelqu'un")
    Identity.objects.create(contact=stranger, kind="email", value="autre@example.fr")
    assert (
        NOT_FOUND
        in track(client, conversation.reference, email="autre@example.fr").content.decode()
    )


def test_a_receipt_number_opens_the_request_once_processed(client, conversation):
    event = InboundEvent.objects.get()
    html = track(client, f"ENR-{event.pk}", email="camille@example.fr").content.decode()
    assert f"Demande {conversation.reference}" in html


def test_a_receipt_number_still_waiting_gets_the_generic_message(client, webform_channel, settings):
    settings.CIVIQUE_PIPELINE = ["tests.portal.test_request.failing_stage"]
    client.post(HOME, {"email": "camille@example.fr", "message": "Bonjour"})
    event = InboundEvent.objects.get()
    html = track(client, f"ENR-{event.pk}", email="camille@example.fr").content.decode()
    assert NOT_FOUND in html


def test_the_lookup_needs_a_post_so_the_email_stays_out_of_urls(client, conversation):
    response = client.get(
        TRACK, {"reference": conversation.reference, "email": "camille@example.fr"}
    )
    assert "Un lampadaire" not in response.content.decode()


def test_incomplete_lookups_list_their_errors(client, webform_channel):
    html = track(client, "", email="").content.decode()
    assert "Le formulaire contient 2 erreurs" in html
    assert '<a href="#id_reference">' in html and '<a href="#id_email">' in html
    assert "<title>Erreur – Suivre une demande" in html


def test_a_malformed_reference_is_refused(client, webform_channel):
    html = track(client, "ABC-12-X", email="camille@example.fr").content.decode()
    assert "n&#x27;a pas la forme attendue" in html


def test_lookups_are_rate_limited_against_guessing(client, conversation, settings):
    settings.PORTAL_RATE_LIMIT = "3/m"
    for number in range(3):
        assert track(client, f"V-{number}", email="camille@example.fr").status_code == 200
    assert track(client, conversation.reference, email="camille@example.fr").status_code == 429


def from_address(number: int) -> Client:
    return Client(REMOTE_ADDR=f"198.51.100.{number}")


def test_failed_lookups_for_one_email_from_one_address_are_held_back(
    client, conversation, settings
):
    settings.PORTAL_RATE_LIMIT = "100/m"
    settings.PORTAL_TRACK_RATE_LIMIT_PER_HANDLE = "3/h"
    guesser = from_address(8)
    for number, spelling in enumerate(
        ["camille@example.fr", "Camille@Example.FR", " CAMILLE@example.fr"]
    ):
        assert track(guesser, f"V-{number + 1000}", email=spelling).status_code == 200
    # Over the limit, even the right reference is refused from that address, and nothing shown.
    response = track(guesser, conversation.reference, email="camille@example.fr")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives ont échoué" in html and "30 secondes" in html
    assert "Un lampadaire" not in html
    assert response["Retry-After"] == "30"
    event = AuditEvent.objects.get(verb="portal.track_throttled")
    assert (event.object_repr, event.ip_address) == (conversation.reference, "198.51.100.8")
    assert "camille" not in str(list(AuditEvent.objects.values()))
    # Another person's lookups, from the very same address, are not held back.
    assert track(guesser, "V-1", email="dominique@example.fr").status_code == 200
    # Nor is the owner, from their own address.
    response = track(from_address(9), conversation.reference, email="camille@example.fr")
    assert response.status_code == 200


def test_failures_from_many_addresses_never_block_the_owner(client, conversation, settings):
    settings.PORTAL_RATE_LIMIT = "100/m"
    # More failures than the default limit of five, each round from a new address.
    for number in range(6):
        # The right reference with a wrong email, and the owner's email with wrong references.
        response = track(from_address(number), conversation.reference, email="intrus@example.fr")
        assert response.status_code == 200 and "Un lampadaire" not in response.content.decode()
        response = track(from_address(number), f"V-{number + 1000}", email="camille@example.fr")
        assert response.status_code == 200 and "Un lampadaire" not in response.content.decode()
    response = track(from_address(50), conversation.reference, email="camille@example.fr")
    assert response.status_code == 200
    assert "Un lampadaire est en panne rue Haute." in response.content.decode()


def test_guessing_emails_for_one_reference_from_one_address_is_held_back(
    client, conversation, settings
):
    settings.PORTAL_RATE_LIMIT = "100/m"
    settings.PORTAL_TRACK_RATE_LIMIT_PER_HANDLE = "2/h"
    guesser = from_address(7)
    for number in range(2):
        track(guesser, conversation.reference, email=f"essai{number}@example.fr")
    response = track(guesser, conversation.reference, email="autre@example.fr")
    assert response.status_code == 429


def test_failed_lookups_for_one_phone_are_counted_in_any_format_even_beside_another_email(
    client, webform_channel, settings
):
    settings.PORTAL_RATE_LIMIT = "100/m"
    settings.PORTAL_TRACK_RATE_LIMIT_PER_HANDLE = "2/h"
    make_request(client, email="", phone="06 12 34 56 78")
    guesser = from_address(3)
    assert track(guesser, "V-1000", phone="0612345678").status_code == 200
    assert track(guesser, "V-1001", phone="+33 6 12 34 56 78").status_code == 200
    # Pairing the phone with a fresh email each time does not reset its counter.
    response = track(guesser, "V-1002", email="x@example.fr", phone="06.12.34.56.78")
    assert response.status_code == 429


def test_a_citizen_following_their_own_request_is_never_limited(client, conversation, settings):
    settings.PORTAL_RATE_LIMIT = "100/m"
    settings.PORTAL_TRACK_RATE_LIMIT_PER_HANDLE = "2/h"
    for _ in range(6):
        response = track(from_address(1), conversation.reference, email="camille@example.fr")
        assert response.status_code == 200


def test_the_limit_defaults_to_five_failed_lookups_an_hour_from_one_address(
    client, conversation, settings
):
    settings.PORTAL_RATE_LIMIT = "100/m"
    del settings.PORTAL_TRACK_RATE_LIMIT_PER_HANDLE
    for number in range(5):
        response = track(from_address(1), f"V-{number + 1000}", email="camille@example.fr")
        assert response.status_code == 200
    response = track(from_address(1), "V-2000", email="camille@example.fr")
    assert response.status_code == 429


def test_a_request_stays_trackable_after_its_contact_is_merged(client, conversation, admin_user):
    holder = Contact.objects.create(display_name="Camille Durand")
    Identity.objects.create(contact=holder, kind="phone", value="+33612345678")
    # An administrator: the request went to « Voirie », which the supervisor cannot see.
    merge_contacts(admin_user, conversation.contact, holder)
    html = track(client, conversation.reference, email="camille@example.fr").content.decode()
    assert f"Demande {conversation.reference}" in html
    assert "Un lampadaire est en panne rue Haute." in html


def test_tracking_pages_are_never_cached(client, conversation):
    response = track(client, conversation.reference, email="camille@example.fr")
    assert "no-store" in response.headers["Cache-Control"]
