"""The durable intake and the pipeline, through the real connectors and database."""

from __future__ import annotations

import hashlib
import json
from email.message import EmailMessage

import pytest
from django.utils import timezone

from civique.contacts.models import Contact, Identity
from civique.inbox.models import Conversation, Message, Status, TimelineEntry
from civique.ingest.actions import (
    EventTooLarge,
    process_due_events,
    process_event,
    receive_event,
    requeue_events,
)
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.stages import message_received

pytestmark = pytest.mark.django_db


def form(**fields) -> bytes:
    data = {"name": "Jeanne Dupont", "email": "jeanne.dupont@example.org", "text": "Bonjour"}
    data.update(fields)
    return json.dumps(data).encode()


def ingest(channel, payload: bytes, external_id: str = "") -> InboundEvent:
    event = receive_event(channel, payload, "application/json", external_id, enqueue=False).event
    return process_event(event.pk)


def test_the_same_delivery_twice_is_stored_once(webform_channel):
    first = receive_event(webform_channel, form(), "application/json", enqueue=False)
    second = receive_event(webform_channel, form(), "application/json", enqueue=False)
    assert first.created and not second.created
    assert first.event.pk == second.event.pk
    assert InboundEvent.objects.count() == 1


def test_it_refuses_an_oversize_delivery_before_storing_anything(webform_channel, settings):
    settings.CIVIQUE_MAX_EVENT_BYTES = 100
    with pytest.raises(EventTooLarge):
        receive_event(webform_channel, form(text="x" * 200), "application/json", enqueue=False)
    assert InboundEvent.objects.count() == 0


def test_it_turns_an_event_into_a_routed_conversation(webform_channel, team):
    event = ingest(webform_channel, form(email="Jeanne.Dupont@Example.ORG", text="Lampadaire"))
    assert event.state == EventState.DONE
    conversation = Conversation.objects.get()
    assert conversation.team == team
    assert conversation.status == Status.NEW
    assert conversation.waiting_since is not None
    identity = Identity.objects.get()
    assert identity.value == "jeanne.dupont@example.org"
    assert conversation.contact == identity.contact
    assert event.message_ids == [Message.objects.get().pk]


def test_it_routes_to_the_team_of_the_category(webform_channel, category, other_team):
    ingest(webform_channel, form(category="voirie"))
    assert Conversation.objects.get().team == other_team


def test_it_normalises_phone_numbers_to_e164(webform_channel):
    ingest(webform_channel, form(email="", phone="06 12 34 56 78"))
    assert Identity.objects.get().value == "+33612345678"


def test_it_never_merges_two_people_on_their_name(webform_channel):
    ingest(webform_channel, form(email="a@example.org", text="Un"))
    ingest(webform_channel, form(email="b@example.org", text="Deux"))
    assert Contact.objects.count() == 2


def test_a_known_identity_finds_its_contact(webform_channel):
    ingest(webform_channel, form(text="Un"))
    ingest(webform_channel, form(text="Deux", email="JEANNE.DUPONT@example.org"))
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 2


def test_replaying_processed_events_creates_nothing_new(webform_channel):
    for n in range(3):
        ingest(webform_channel, form(text=f"Demande {n}"))
    before = (Message.objects.count(), Conversation.objects.count(), TimelineEntry.objects.count())
    assert requeue_events(InboundEvent.objects.all()) == 3
    assert process_due_events() == 3
    assert process_due_events() == 0
    after = (Message.objects.count(), Conversation.objects.count(), TimelineEntry.objects.count())
    assert after == before
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {EventState.DONE}


def test_a_malformed_payload_is_parked_with_a_clear_error_and_kept_intact(webform_channel):
    raw = b"{not json \xff"
    event = ingest(webform_channel, raw)
    assert event.state == EventState.PARKED
    assert "JSON illisible" in event.last_error
    assert bytes(InboundEvent.objects.get().payload) == raw
    assert Message.objects.count() == 0


def boom(ctx) -> None:
    raise RuntimeError("base indisponible")


def test_a_failing_stage_rolls_back_then_retries_with_backoff(webform_channel, settings):
    settings.CIVIQUE_PIPELINE = [*settings.CIVIQUE_PIPELINE, "tests.ingest.test_pipeline.boom"]
    event = ingest(webform_channel, form())
    assert event.state == EventState.RETRYING
    assert event.attempts == 1
    assert event.next_attempt_at > timezone.now()
    assert "base indisponible" in event.last_error
    # The transaction was rolled back: no half-written conversation or contact.
    assert (Conversation.objects.count(), Contact.objects.count(), Message.objects.count()) == (
        0,
        0,
        0,
    )
    assert process_due_events() == 0  # not due yet


def test_an_event_is_parked_after_the_last_attempt(webform_channel, settings):
    settings.CIVIQUE_PIPELINE = [*settings.CIVIQUE_PIPELINE, "tests.ingest.test_pipeline.boom"]
    settings.CIVIQUE_MAX_ATTEMPTS = 2
    event = ingest(webform_channel, form())
    InboundEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    event = process_event(event.pk)
    assert event.state == EventState.PARKED
    assert event.attempts == 2


def test_it_threads_on_the_thread_key_and_starts_anew_after_closing(api_channel):
    ingest(api_channel, form(text="Un", thread_key="post-1", external_id="c1"), "c1")
    ingest(api_channel, form(text="Deux", thread_key="post-1", external_id="c2"), "c2")
    assert Conversation.objects.count() == 1
    Conversation.objects.update(status=Status.CLOSED)
    ingest(api_channel, form(text="Trois", thread_key="post-1", external_id="c3"), "c3")
    assert Conversation.objects.count() == 2
    newest = Conversation.objects.order_by("-id").first()
    assert "clôturée" in newest.timeline.filter(kind="system").get().data["text"]


def test_a_new_message_reopens_a_resolved_conversation(api_channel):
    ingest(api_channel, form(text="Un", thread_key="t"), "m1")
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Status.RESOLVED, waiting_since=None
    )
    ingest(api_channel, form(text="Encore moi", thread_key="t"), "m2")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.waiting_since is not None
    assert conversation.timeline.filter(kind="status").exists()


def test_an_agent_logged_call_counts_as_answered(phone_channel, agent):
    contact = Contact.objects.create(display_name="Paul Durand")
    payload = {
        "contact_id": contact.pk,
        "text": "Question sur la carte d'identité",
        "meta": {"outcome": "resolved"},
        "agent_id": agent.pk,
    }
    ingest(phone_channel, json.dumps(payload).encode(), "call-1")
    conversation = Conversation.objects.get()
    message = conversation.messages.get()
    assert message.kind == "call" and message.author_agent == agent
    assert conversation.first_response_at is not None
    assert conversation.waiting_since is None
    assert conversation.status == Status.RESOLVED


def test_automations_hear_of_each_new_message_once(webform_channel):
    heard = []

    def listener(sender, message, conversation, created_conversation, **kwargs):
        heard.append((message.pk, created_conversation))

    message_received.connect(listener)
    try:
        event = ingest(webform_channel, form())
        requeue_events(InboundEvent.objects.all())
        process_due_events()
    finally:
        message_received.disconnect(listener)
    assert heard == [(event.message_ids[0], True)]


def test_a_phone_given_beside_an_email_becomes_a_second_identity(webform_channel):
    ingest(webform_channel, form(phone="06 12 34 56 78"))
    contact = Contact.objects.get()
    assert sorted(contact.identities.values_list("kind", "value")) == [
        ("email", "jeanne.dupont@example.org"),
        ("phone", "+33612345678"),
    ]


def test_a_handle_owned_by_someone_else_is_noted_not_merged(webform_channel):
    ingest(webform_channel, form(email="", phone="06 12 34 56 78", name="Paul"))
    ingest(webform_channel, form(phone="06 12 34 56 78", text="Autre"))
    assert Contact.objects.count() == 2
    assert Identity.objects.filter(kind="phone").count() == 1
    note = TimelineEntry.objects.filter(kind="system").get()
    assert "déjà connu pour un autre usager" in note.data["text"]


def test_remote_images_in_html_mail_are_dropped_but_inline_ones_kept(email_channel):
    raw = (
        b"From: Jeanne <jeanne@example.org>\r\nTo: contact@valmont.example\r\n"
        b"Subject: Pixel\r\nMessage-ID: <pixel@example.org>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p>Bonjour</p><img src="https://tracker.example/p.gif?u=1" alt="">'
        b'<img src="cid:photo@example.org" alt="photo"><script>alert(1)</script>'
    )
    event = receive_event(email_channel, raw, "message/rfc822", enqueue=False).event
    process_event(event.pk)
    html = Message.objects.get().html
    assert "tracker.example" not in html
    assert 'src="cid:photo@example.org"' in html
    assert "<script" not in html and "<p>Bonjour</p>" in html


def test_a_burst_of_deliveries_queues_a_single_wake_up(
    webform_channel, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            receive_event(webform_channel, form(text=f"Demande {n}"), "application/json")
    assert DBTaskResult.objects.ready().count() == 1
    assert process_due_events() == 5


def test_an_event_whose_worker_died_waits_its_backoff_and_lets_others_through(
    webform_channel, settings
):
    from civique.ingest.actions import claim_attempt

    poison = receive_event(
        webform_channel, form(text="poison"), "application/json", enqueue=False
    ).event
    healthy = receive_event(
        webform_channel, form(text="sain"), "application/json", enqueue=False
    ).event
    # A worker claims the first event, then dies before finishing (nothing else happens).
    assert claim_attempt(poison.pk) is not None
    # The next run skips it while its backoff runs, and processes the other one.
    assert process_due_events() == 1
    assert InboundEvent.objects.get(pk=healthy.pk).state == EventState.DONE
    poison.refresh_from_db()
    assert (poison.state, poison.attempts) == (EventState.PENDING, 1)


def test_an_event_that_kills_every_worker_is_parked_after_the_last_attempt(
    webform_channel, settings
):
    from civique.ingest.actions import claim_attempt

    settings.CIVIQUE_MAX_ATTEMPTS = 2
    event = receive_event(webform_channel, form(), "application/json", enqueue=False).event
    for _ in range(2):
        assert claim_attempt(event.pk) is not None  # the worker dies each time
        InboundEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    event = process_event(event.pk)
    assert event.state == EventState.PARKED
    assert "interrompu" in event.last_error
    assert Message.objects.count() == 0


def test_a_claimed_event_is_not_taken_by_a_second_worker(webform_channel):
    from civique.ingest.actions import claim_attempt

    event = receive_event(webform_channel, form(), "application/json", enqueue=False).event
    assert claim_attempt(event.pk) is not None
    assert claim_attempt(event.pk) is None


def mail(sender: str, message_id: str, text: str, in_reply_to: str = "") -> bytes:
    headers = [
        f"From: {sender}",
        "To: contact@valmont.example",
        "Subject: Trottoir",
        f"Message-ID: {message_id}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    return ("\r\n".join(headers) + "\r\n\r\n" + text).encode()


def ingest_mail(channel, raw: bytes) -> Message:
    event = receive_event(channel, raw, "message/rfc822", enqueue=False).event
    event = process_event(event.pk)
    assert event.state == EventState.DONE, event.last_error
    return Message.objects.get(pk=event.message_ids[0])


def test_a_third_party_replying_to_all_starts_its_own_conversation(email_channel):
    first = ingest_mail(email_channel, mail("jeanne@example.org", "<a@x>", "Trottoir cassé"))
    own = ingest_mail(email_channel, mail("jeanne@example.org", "<b@x>", "Merci", "<a@x>"))
    other = ingest_mail(email_channel, mail("voisin@example.org", "<c@x>", "Moi aussi", "<a@x>"))
    assert own.conversation == first.conversation
    assert other.conversation != first.conversation
    note = other.conversation.timeline.get(kind="system").data["text"]
    assert first.conversation.reference in note


def test_a_reused_message_id_keeps_both_messages(email_channel):
    first = ingest_mail(email_channel, mail("jeanne@example.org", "<same@x>", "Premier"))
    second = ingest_mail(email_channel, mail("paul@example.org", "<same@x>", "Second"))
    assert first.pk != second.pk
    assert second.external_id.startswith("<same@x>#")
    assert second.text.strip() == "Second"
    # The very same mail again is still recognised.
    again = receive_event(
        email_channel,
        mail("paul@example.org", "<same@x>", "Second"),
        "message/rfc822",
        "autre-livraison",
        enqueue=False,
    ).event
    process_event(again.pk)
    assert Message.objects.count() == 2


def test_an_implausible_sender_date_does_not_drive_the_clocks(email_channel):
    raw = mail("jeanne@example.org", "<old@x>", "Bonjour").replace(
        b"Subject:", b"Date: Mon, 01 Jan 2001 10:00:00 +0100\r\nSubject:"
    )
    message = ingest_mail(email_channel, raw)
    conversation = message.conversation
    event = InboundEvent.objects.get()
    assert message.platform_timestamp.year == 2001  # kept for display
    assert conversation.waiting_since == event.received_at
    assert conversation.created_at == event.received_at


def test_a_plausible_sender_date_is_kept_for_the_clocks(email_channel):
    raw = mail("jeanne@example.org", "<recent@x>", "Bonjour").replace(
        b"Subject:",
        b"Date: "
        + timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000").encode()
        + b"\r\nSubject:",
    )
    message = ingest_mail(email_channel, raw)
    assert message.conversation.waiting_since == message.platform_timestamp


def test_names_lose_line_breaks_whatever_the_channel(api_channel):
    ingest(api_channel, form(name="Jeanne\r\nBcc: tous@example.org", text="Un"), "n1")
    contact = Contact.objects.get()
    assert contact.display_name == "Jeanne Bcc: tous@example.org"
    assert "\n" not in Message.objects.get().author_name


def test_an_event_processed_at_once_is_not_taken_by_a_worker_meanwhile(webform_channel):
    from civique.ingest.actions import receive_and_process

    # What receive_and_process stores before it processes: a worker's sweep must skip it.
    stored = receive_event(
        webform_channel, form(), "application/json", enqueue=False, claimed=True
    ).event
    assert process_due_events() == 0
    assert InboundEvent.objects.get(pk=stored.pk).state == EventState.PENDING
    done = receive_and_process(webform_channel, form(text="Autre"), "application/json").event
    assert done.state == EventState.DONE and done.attempts == 1


def test_replaying_an_event_whose_text_now_parses_differently_stores_nothing_new(email_channel):
    message = ingest_mail(email_channel, mail("jeanne@example.org", "<r@x>", "Texte"))
    # As if an older parser had produced other text for the same mail.
    Message.objects.filter(pk=message.pk).update(meta={"fingerprint": "ancien"})
    requeue_events(InboundEvent.objects.all())
    assert process_due_events() == 1
    assert Message.objects.count() == 1


def mail_with_attachment(filename: str, content: bytes, message_id: str = "<pj@x>") -> bytes:
    msg = EmailMessage()
    msg["From"] = "jeanne@example.org"
    msg["To"] = "contact@valmont.example"
    msg["Subject"] = "Justificatif"
    msg["Message-ID"] = message_id
    msg.set_content("Voici le justificatif.\n")
    msg.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


def redeliver(channel, raw: bytes, external_id: str) -> InboundEvent:
    """The same mail delivered again under another delivery id (another mailbox, a re-import)."""
    event = receive_event(channel, raw, "message/rfc822", external_id, enqueue=False).event
    event = process_event(event.pk)
    assert event.state == EventState.DONE, event.last_error
    return event


def test_a_reused_message_id_with_another_attachment_keeps_both(email_channel):
    first = ingest_mail(email_channel, mail_with_attachment("facture.pdf", b"%PDF-1.4 janvier"))
    second = ingest_mail(email_channel, mail_with_attachment("facture.pdf", b"%PDF-1.4 fevrier"))
    assert first.pk != second.pk
    assert second.external_id.startswith("<pj@x>#")
    assert second.attachments.get().file.read() == b"%PDF-1.4 fevrier"
    note = second.conversation.timeline.filter(kind="system").get().data["text"]
    assert note.startswith("Identifiant de message déjà pris")
    renamed = ingest_mail(email_channel, mail_with_attachment("avoir.pdf", b"%PDF-1.4 janvier"))
    assert renamed.pk not in (first.pk, second.pk)
    # True redeliveries, byte for byte, store nothing new.
    for n, content in enumerate([b"%PDF-1.4 janvier", b"%PDF-1.4 fevrier"]):
        redeliver(email_channel, mail_with_attachment("facture.pdf", content), f"bis-{n}")
    assert Message.objects.count() == 3


def legacy_fingerprint(message: Message, sender: str) -> str:
    """The fingerprint messages were stored with before attachments counted."""
    content = "\x1f".join([f"email:{sender}", message.subject, message.text])
    return hashlib.sha256(content.encode()).hexdigest()


def test_a_mail_stored_before_attachments_counted_is_still_recognised(email_channel):
    raw = mail_with_attachment("facture.pdf", b"%PDF-1.4 janvier")
    message = ingest_mail(email_channel, raw)
    meta = {**message.meta, "fingerprint": legacy_fingerprint(message, "jeanne@example.org")}
    Message.objects.filter(pk=message.pk).update(meta=meta)
    event = redeliver(email_channel, raw, "reimport")
    assert event.message_ids == [message.pk]
    assert Message.objects.count() == 1


def test_taking_over_leaves_an_event_claimed_since_to_its_processor(webform_channel):
    from civique.ingest.actions import claim_attempt, take_over_event

    started = timezone.now()
    event = receive_event(webform_channel, form(), "application/json", enqueue=False).event
    assert claim_attempt(event.pk) is not None  # a live worker took it after the start
    assert take_over_event(event.pk, claimed_before=started) is None
    left = InboundEvent.objects.get(pk=event.pk)
    assert (left.state, left.attempts) == (EventState.PENDING, 1)
    # Claimed before the start, by a run that has since died: taken at once, backoff or not.
    done = take_over_event(event.pk, claimed_before=timezone.now())
    assert (done.state, done.attempts) == (EventState.DONE, 2)
    assert take_over_event(event.pk, claimed_before=timezone.now()) is None


def test_a_message_kept_apart_before_attachments_counted_is_still_recognised(email_channel):
    first = ingest_mail(email_channel, mail("jeanne@example.org", "<same@x>", "Premier"))
    raw = mail("paul@example.org", "<same@x>", "Second")
    second = ingest_mail(email_channel, raw)
    # Both as stored before: legacy fingerprints, the second under the legacy suffix.
    legacy = legacy_fingerprint(first, "jeanne@example.org")
    Message.objects.filter(pk=first.pk).update(meta={**first.meta, "fingerprint": legacy})
    legacy = legacy_fingerprint(second, "paul@example.org")
    Message.objects.filter(pk=second.pk).update(
        meta={**second.meta, "fingerprint": legacy}, external_id=f"<same@x>#{legacy[:16]}"
    )
    event = redeliver(email_channel, raw, "reimport")
    assert event.message_ids == [second.pk]
    assert Message.objects.count() == 2
