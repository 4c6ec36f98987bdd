"""The request form at /portail/: what a citizen sends becomes one stored, routed conversation."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civique.contacts.models import Identity
from civique.inbox.models import Attachment, Category, Conversation, Message
from civique.ingest.actions import process_event
from civique.ingest.models import EventState, InboundEvent
from civique.portal.forms import NAME_MAX_LENGTH, RequestForm
from tests.portal.images import GPS_PARIS, jpeg_bytes, upload

pytestmark = pytest.mark.django_db

HOME = "/portail/"
THANKS = "/portail/merci/"


def submit(client: Client, **fields):
    data = {"name": "Camille Durand", "email": "camille@example.fr", "message": "Bonjour"}
    data.update(fields)
    return client.post(HOME, {k: v for k, v in data.items() if v is not None})


def only_conversation() -> Conversation:
    assert Conversation.objects.count() == 1
    return Conversation.objects.select_related("team", "contact", "category").get()


def failing_stage(ctx) -> None:
    raise RuntimeError("base de données indisponible")


# --- The form --------------------------------------------------------------------------------


def test_it_shows_the_form_with_public_categories_only(client, webform_channel, category):
    Category.objects.create(slug="interne", name="Thème interne", is_public=False)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Faire une demande</h1>" in html
    assert 'value="voirie"' in html
    assert "Thème interne" not in html


def test_every_input_has_a_label_autocomplete_and_linked_help(client, webform_channel):
    html = client.get(HOME).content.decode()
    for field in ["name", "email", "phone", "category", "message", "photo", "address"]:
        assert f'<label for="id_{field}">' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="tel"' in html and 'inputmode="tel"' in html
    assert 'autocomplete="street-address"' in html
    assert 'aria-describedby="id_message_helptext"' in html
    assert 'id="id_message_helptext"' in html
    assert "(obligatoire)" in html
    assert 'maxlength="5000"' in html
    assert "10 Mo au plus" in html


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, webform_channel):
    html = client.get(HOME).content.decode()
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html


def test_the_pages_carry_no_inline_script_or_style(client, webform_channel):
    for url in [HOME, reverse("portal:track")]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert 'src="/static/portal/portal.js"' in html
    assert "Content-Security-Policy" in client.get(HOME).headers


def test_the_header_names_the_organisation_and_the_footer_explains_data_use(
    client, webform_channel
):
    html = client.get(HOME).content.decode()
    assert '<p class="portal-organisation"><a href="/portail/">Ville de Valmont</a></p>' in html
    assert "Données personnelles" in html
    assert reverse("logout") not in html and reverse("admin:index") not in html


# --- A valid request -----------------------------------------------------------------------


def test_it_stores_one_event_and_one_conversation_routed_to_the_category_team(
    client, webform_channel, category
):
    response = submit(client, category="voirie", message="Lampadaire en panne rue Haute")
    assert response.status_code == 302
    assert response.url == THANKS
    event = InboundEvent.objects.get()
    assert event.channel == webform_channel
    assert event.state == EventState.DONE
    assert event.external_id.startswith("portail:")
    conversation = only_conversation()
    assert conversation.team == category.team
    assert conversation.category == category
    assert conversation.channel == webform_channel
    assert conversation.contact.display_name == "Camille Durand"
    assert conversation.contact.identities.get().value == "camille@example.fr"
    message = Message.objects.get()
    assert message.text == "Lampadaire en panne rue Haute"
    assert message.external_id == event.external_id


def test_the_confirmation_shows_the_reference_kept_in_the_session_not_the_url(
    client, webform_channel
):
    response = submit(client)
    reference = only_conversation().reference
    assert reference not in response.url
    page = client.get(THANKS)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<strong>{reference}</strong>" in html
    assert reverse("portal:track") in html


def test_the_confirmation_page_cannot_be_seen_by_another_visitor(client, webform_channel):
    submit(client)
    assert Client().get(THANKS).url == HOME


def test_a_request_without_category_goes_to_the_channel_team(client, webform_channel):
    submit(client)
    assert only_conversation().team == webform_channel.team


def test_line_breaks_and_control_characters_never_reach_the_contact_name(client, webform_channel):
    typed = "  Camille\r\nBcc: tous@example.fr\t\x07Durand\u202e\x7f  "
    submit(client, name=typed)
    name = only_conversation().contact.display_name
    assert name == "Camille Bcc: tous@example.fr Durand"
    assert json.loads(bytes(InboundEvent.objects.get().payload))["name"] == name


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("Camille   Durand", "Camille Durand"),
        ("Camille\u00a0Durand\u2028", "Camille Durand"),  # no-break space, line separator
        ("Ca\x1bmille\x85Durand", "Camille Durand"),  # ESC dropped; NEL is a line break
        ("\r\n\t", ""),
        ("Zoé Dupont-Lefèvre", "Zoé Dupont-Lefèvre"),
        ("é" * 150 + "\n" * 40 + "e" * 49, "é" * 150 + " " + "e" * 49),
    ],
)
def test_the_name_is_cleaned_to_one_line_of_printable_text(typed, cleaned, webform_channel):
    form = RequestForm({"name": typed, "email": "camille@example.fr", "message": "Bonjour"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == cleaned
    assert len(form.cleaned_data["name"]) <= NAME_MAX_LENGTH


def test_a_name_longer_than_200_characters_is_cut(client, webform_channel):
    submit(client, name="x" * (NAME_MAX_LENGTH + 50))
    assert only_conversation().contact.display_name == "x" * NAME_MAX_LENGTH


def test_a_french_phone_number_is_stored_in_e164(client, webform_channel):
    submit(client, email="", phone="06 12 34 56 78")
    identity = only_conversation().contact.identities.get()
    assert (identity.kind, identity.value) == ("phone", "+33612345678")


def test_a_phone_given_beside_an_email_is_kept_on_the_message(client, webform_channel):
    submit(client, phone="06.12.34.56.78")
    assert Message.objects.get().meta["portail"]["phone"] == "+33612345678"


def test_a_returning_citizen_is_recognised_by_the_same_email(client, webform_channel):
    submit(client, email="Camille@Example.fr")
    submit(client, email="camille@example.fr", message="Encore moi")
    assert Conversation.objects.count() == 2
    assert Identity.objects.count() == 1


def test_the_address_and_device_position_locate_the_request(client, webform_channel):
    submit(client, address="12 rue de la Mairie", latitude="48.8566", longitude="2.3522")
    conversation = only_conversation()
    assert conversation.location_address == "12 rue de la Mairie"
    assert (conversation.location_lat, conversation.location_lon) == (48.8566, 2.3522)


def test_a_half_or_absurd_position_is_dropped_without_error(client, webform_channel):
    submit(client, latitude="48.85", longitude="")
    submit(client, latitude="123", longitude="2.35", message="Deuxième")
    assert list(Conversation.objects.values_list("location_lat", flat=True)) == [None, None]


# --- Photos --------------------------------------------------------------------------------


def test_a_photo_is_reencoded_its_exif_stripped_and_its_gps_used_as_location(
    client, webform_channel
):
    submit(client, photo=upload(jpeg_bytes(gps=GPS_PARIS)))
    conversation = only_conversation()
    assert (conversation.location_lat, conversation.location_lon) == (48.856667, 2.352)
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as handle, Image.open(handle) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    # The durable raw record never held the original metadata either.
    assert b"Exif" not in bytes(InboundEvent.objects.get().payload)


def test_a_photo_is_stored_as_the_form_prepared_it_without_a_second_generation(
    client, webform_channel
):
    submit(client, photo=upload(jpeg_bytes(gps=GPS_PARIS, size=(640, 480), textured=True)))
    payload = json.loads(bytes(InboundEvent.objects.get().payload))
    prepared = base64.b64decode(payload["attachments"][0]["content_b64"])
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:
        assert handle.read() == prepared
    assert (attachment.size, attachment.meta["width"]) == (len(prepared), 640)


def test_a_position_given_by_the_citizen_wins_over_the_photo(client, webform_channel):
    submit(client, photo=upload(jpeg_bytes(gps=GPS_PARIS)), latitude="45.75", longitude="4.85")
    conversation = only_conversation()
    assert (conversation.location_lat, conversation.location_lon) == (45.75, 4.85)


def test_a_non_image_photo_is_refused_with_a_clear_error(client, webform_channel):
    fake = upload(b"%PDF-1.4 pas une image", name="photo.jpg", content_type="image/jpeg")
    response = submit(client, photo=fake)
    assert response.status_code == 200
    html = response.content.decode()
    assert "n&#x27;est pas une photo lisible" in html
    assert "choisissez-la de nouveau" in html
    assert InboundEvent.objects.count() == 0


def test_an_oversize_photo_is_refused_before_it_is_read(client, webform_channel, settings):
    settings.CIVIQUE_MAX_ATTACHMENT_BYTES = 1024
    response = submit(client, photo=upload(jpeg_bytes(size=(400, 400)) + b"\0" * 2048))
    assert "La photo pèse plus de 1 ko" in response.content.decode()
    assert InboundEvent.objects.count() == 0


# --- Invalid input -------------------------------------------------------------------------


def test_without_email_or_phone_the_form_comes_back_with_errors_and_stores_nothing(
    client, webform_channel
):
    response = submit(client, email="", message="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Erreur – Faire une demande" in html
    assert 'role="alert"' in html
    assert "Le formulaire contient 2 erreurs" in html
    assert '<a href="#id_email">' in html and '<a href="#id_message">' in html
    assert 'id="id_message_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Écrivez votre message." in html
    assert InboundEvent.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_an_invalid_email_or_phone_is_refused(client, webform_channel):
    html = submit(client, email="camille@", phone="12").content.decode()
    assert "Indiquez une adresse électronique valide" in html
    assert "Indiquez un numéro de téléphone valide" in html
    assert InboundEvent.objects.count() == 0


def test_a_message_longer_than_5000_characters_is_refused(client, webform_channel):
    html = submit(client, message="a" * 5001).content.decode()
    assert "Votre message" in html and "5000" in html
    assert InboundEvent.objects.count() == 0


def test_the_form_keeps_what_the_citizen_typed(client, webform_channel):
    html = submit(client, email="", message="Mon texte précieux").content.decode()
    assert "Mon texte précieux" in html


# --- Abuse ---------------------------------------------------------------------------------


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, webform_channel):
    response = submit(client, website="http://spam.example")
    assert response.url == THANKS
    assert "bien été envoyée" in client.get(THANKS).content.decode()
    assert InboundEvent.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_posts_are_rate_limited_per_address(client, webform_channel, settings):
    settings.PORTAL_RATE_LIMIT = "2/m"
    assert submit(client).status_code == 302
    assert submit(client).status_code == 302
    response = submit(client)
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert InboundEvent.objects.count() == 2
    assert client.get(HOME).status_code == 200  # reading the form is never limited
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert submit(other).status_code == 302


def test_csrf_is_enforced(webform_channel):
    client = Client(enforce_csrf_checks=True)
    response = submit(client)
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0
    client.get(HOME)
    token = client.cookies["csrftoken"].value
    response = submit(client, csrfmiddlewaretoken=token)
    assert response.status_code == 302


# --- When things go wrong ------------------------------------------------------------------


def test_without_a_webform_channel_the_portal_says_so_with_a_503(client, team):
    response = client.get(HOME)
    assert response.status_code == 503
    assert "ne peut pas recevoir de demande" in response.content.decode()
    assert submit(client).status_code == 503


def test_an_inactive_webform_channel_does_not_take_requests(client, webform_channel):
    webform_channel.is_active = False
    webform_channel.save()
    assert client.get(HOME).status_code == 503


def test_a_request_whose_processing_fails_is_kept_and_retried_later(
    client, webform_channel, settings
):
    pipeline = list(settings.CIVIQUE_PIPELINE)
    settings.CIVIQUE_PIPELINE = [*pipeline, "tests.portal.test_request.failing_stage"]
    response = submit(client, message="Nid-de-poule avenue Foch")
    assert response.url == THANKS
    event = InboundEvent.objects.get()
    assert event.state == EventState.RETRYING
    assert Conversation.objects.count() == 0
    html = client.get(THANKS).content.decode()
    assert f"<strong>ENR-{event.pk}</strong>" in html
    assert "enregistrée" in html

    settings.CIVIQUE_PIPELINE = pipeline
    InboundEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())  # backoff over
    assert process_event(event.pk).state == EventState.DONE
    assert only_conversation().subject.startswith("Nid-de-poule")


def test_the_confirmation_page_without_a_session_redirects_to_the_form(client, webform_channel):
    response = client.get(THANKS)
    assert response.status_code == 302
    assert response.url == HOME


def test_a_photo_far_over_the_limit_comes_back_in_french_with_what_was_typed(
    client, webform_channel, settings
):
    settings.CIVIQUE_MAX_ATTACHMENT_BYTES = 1024
    big = upload(jpeg_bytes(size=(400, 400)) + b"\0" * 200_000)
    response = submit(client, photo=big, message="Le lampadaire du 12 rue est en panne.")
    html = response.content.decode()
    assert response.status_code == 200
    assert "La photo pèse plus de 1 ko" in html
    assert "choisissez-la de nouveau" in html
    assert "Le lampadaire du 12 rue est en panne." in html
    assert 'value="Camille Durand"' in html
    assert InboundEvent.objects.count() == 0


def test_a_body_with_too_much_text_gets_a_french_error_on_the_form(
    client, webform_channel, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = submit(client, message="x" * 5000)
    html = response.content.decode()
    assert response.status_code == 413
    assert "Le formulaire envoyé est trop volumineux" in html
    assert '<form method="post"' in html
    assert InboundEvent.objects.count() == 0


def test_the_web_server_lets_a_photo_well_over_the_limit_reach_the_form(settings):
    # Beyond CIVIQUE_MAX_REQUEST_BYTES waitress answers alone, in English, and what the
    # citizen typed is lost: a phone's photo several times the limit must still reach the form.
    assert settings.CIVIQUE_MAX_REQUEST_BYTES >= 5 * settings.CIVIQUE_MAX_ATTACHMENT_BYTES


def test_the_form_still_refuses_a_post_without_its_csrf_token(webform_channel):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(HOME, {"message": "Bonjour"})
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0
