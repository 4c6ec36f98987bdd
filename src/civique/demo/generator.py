"""Writing the demo's conversations through the real intake, pipeline and agent actions.

Each conversation starts as a raw delivery (a mail, a web-form or API document, a logged call or
visit) stored and processed by ``receive_and_process``, exactly as in production.
Agents then act through ``civique.inbox.actions``. Replies are not sent: their outbox rows are
marked as sent without any network (the demo mailbox has no server). ``Backdater`` dates every
step in the past six weeks; agents act in office hours.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civique.channels.connectors.email.smtp import message_id_for
from civique.contacts.models import Contact
from civique.core.models import User
from civique.demo import corpus, texts
from civique.demo.clock import Backdater, WorkingCalendar
from civique.demo.commune import Commune
from civique.demo.incidents import Incident, load_incidents
from civique.demo.payloads import email_bytes, message_id, person_fields, structured
from civique.demo.texts import Person
from civique.inbox import actions, timeline
from civique.inbox.models import Conversation, Delivery, DeliveryState, Message, TimelineKind
from civique.ingest import logged
from civique.ingest.actions import receive_and_process
from civique.ingest.models import EventState

DAYS = 42
CHANNEL_WEIGHTS = {"email": 34, "webform": 30, "phone": 17, "counter": 12, "api": 7}
INCIDENT_SHARE = {"email": 0.45, "webform": 0.75, "phone": 0.45, "counter": 0.25, "api": 1.0}
TEAM_MEMBERS = {
    "accueil": ["superviseur", "agent"],
    "etat-civil": ["superviseur", "j.moreau"],
    "voirie": ["k.benali", "l.garnier"],
    "proprete-dechets": ["agent", "l.garnier"],
    "communication": ["s.laurent"],
}
SUPERVISORS = {
    "accueil": "superviseur",
    "etat-civil": "superviseur",
    "voirie": "l.garnier",
    "proprete-dechets": "l.garnier",
    "communication": "admin",
}


class DemoError(RuntimeError):
    """The pipeline refused a demo delivery: a bug in the demo or in the pipeline."""


@dataclass
class Topic:
    category: str
    incident: Incident | None = None
    subject: str = ""
    text: str = ""
    obj: str = ""  # what the citizen reports, as they named it
    angry: bool = False


@dataclass
class Thread:
    """One conversation as the generator follows it."""

    conversation: Conversation
    person: Person
    topic: Topic
    opened: datetime
    mail_ids: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.conversation.channel.kind


@dataclass
class Demo:
    commune: Commune
    rng: random.Random
    now: datetime
    calendar: WorkingCalendar
    backdater: Backdater
    incidents: list[Incident]
    people: list[Person] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)
    sequence: int = 0

    def next_id(self) -> int:
        self.sequence += 1
        return self.sequence

    def agent(self, username: str) -> User:
        return self.commune.agents[username]


def generate(
    commune: Commune, count: int, seed: int, now: datetime | None = None, first_id: int = 0
) -> Counter:
    """Write ``count`` conversations spread over the past six weeks; return counts by channel.

    Preconditions: ``commune`` was just created in an otherwise empty database, or an
    interrupted load left only demo rows, and nothing else writes to it meanwhile (see
    ``Backdater``). ``first_id`` is above every demo external id already used (when resuming).
    """
    now = now or timezone.now()
    rng = random.Random(seed)
    demo = Demo(
        commune=commune,
        rng=rng,
        now=now,
        calendar=WorkingCalendar(now),
        backdater=Backdater(now),
        incidents=load_incidents(),
        sequence=first_id,
    )
    start = now - timedelta(days=DAYS)
    openings = sorted(demo.calendar.citizen_time(start, now, rng) for _ in range(count))
    for opened in openings:
        with transaction.atomic():
            thread = open_thread(demo, opened)
            follow_up(demo, thread)
        demo.stats[thread.kind] += 1
    return demo.stats


# --- Who writes, on which channel, about what ------------------------------------------------


def pick_person(demo: Demo, kind: str) -> Person:
    """Someone who wrote before (a third of the time) or a newcomer able to use ``kind``."""
    rng = demo.rng
    known = [p for p in demo.people if p.contact_id and (p.email or kind not in ("email", "api"))]
    if known and rng.random() < 0.35:
        return rng.choice(known)
    streets = [incident.address for incident in demo.incidents]
    person = texts.make_person(rng, len(demo.people) + 1, streets)
    if kind in ("email", "api", "webform") and not person.email:
        person.email = f"{texts._ascii(person.last_name)}.{len(demo.people) + 1}@laposte.example"
    if kind == "phone" and not person.phone:
        block = rng.choice(corpus.PHONE_BLOCKS)
        person.phone = f"{block} {rng.randrange(100):02d} {len(demo.people) % 100:02d}"
    demo.people.append(person)
    return person


def pick_topic(demo: Demo, kind: str, person: Person, when: datetime) -> Topic:
    rng = demo.rng
    if rng.random() < INCIDENT_SHARE[kind]:
        incident = rng.choice(demo.incidents)
        angry = rng.random() < 0.1
        subject, text, obj = texts.incident_message(rng, incident, person, angry=angry)
        return Topic(incident.category, incident, subject, text, obj, angry)
    category = rng.choice(list(corpus.REQUESTS))
    subject, text = texts.request_message(rng, category, person, when)
    return Topic(category, None, subject, text, subject.lower())


# --- Opening a conversation ------------------------------------------------------------------


def _ingest(demo: Demo, kind: str, payload: bytes, content_type: str, external_id: str) -> Message:
    channel = demo.commune.channels[kind]
    event = receive_and_process(channel, payload, content_type, external_id).event
    if event.state != EventState.DONE:
        raise DemoError(f"Événement de démonstration refusé ({kind}) : {event.last_error}")
    return Message.objects.select_related("conversation__channel").get(pk=event.message_ids[0])


def open_thread(demo: Demo, opened: datetime) -> Thread:
    rng = demo.rng
    kind = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
    if kind in ("phone", "counter"):
        opened = min(demo.calendar.office_moment(opened.date(), rng), demo.now)
    person = pick_person(demo, kind)
    topic = pick_topic(demo, kind, person, opened)
    with demo.backdater.at(opened) as step:
        opener = {"email": _open_email, "phone": _open_logged, "counter": _open_logged}
        message = opener.get(kind, _open_structured)(demo, kind, person, topic, opened)
        step.conversation = message.conversation
    person.contact_id = person.contact_id or message.conversation.contact_id
    person.channels.add(kind)
    thread = Thread(message.conversation, person, topic, opened)
    if kind == "email":
        thread.mail_ids.append(message.external_id)
    return thread


def _open_email(demo: Demo, kind: str, person: Person, topic: Topic, when: datetime) -> Message:
    msgid = message_id(demo.rng, person)
    raw = email_bytes(
        demo.rng, person, subject=topic.subject, text=topic.text, when=when, msgid=msgid
    )
    return _ingest(demo, kind, raw, "message/rfc822", msgid)


def _open_structured(
    demo: Demo, kind: str, person: Person, topic: Topic, when: datetime
) -> Message:
    """A web-form submission or a message from the city's app through the API."""
    number = demo.next_id()
    incident = topic.incident
    location = None
    if incident is not None:
        location = {"lat": incident.lat, "lon": incident.lon, "address": incident.address}
        location["source"] = "appareil" if kind == "webform" else "application"
    prefix = "portail:demo-" if kind == "webform" else "app-valmont:"
    payload = structured(
        external_id=f"{prefix}{number}",
        **person_fields(person),
        subject=topic.subject if kind == "api" else "",
        text=topic.text,
        category=topic.category,
        location=location,
        occurred_at=when,
        meta={"application": "Valmont & moi", "version": "3.2.1"} if kind == "api" else None,
    )
    return _ingest(demo, kind, payload, "application/json", f"{prefix}{number}")


def _open_logged(demo: Demo, kind: str, person: Person, topic: Topic, when: datetime) -> Message:
    """A call or a visit logged by an agent of the reception, on the known contact if any."""
    rng = demo.rng
    templates = _logged_templates(kind, topic)
    summary_template, outcome = rng.choice(templates)
    summary = _summary(demo, summary_template, topic)
    user = demo.agent(rng.choice(["agent", "superviseur", "agent"]))
    channel = demo.commune.channels[kind]
    category = demo.commune.categories[topic.category]
    duration = rng.randint(2, 15) if kind == "phone" else rng.randint(5, 30)
    if person.contact_id:
        return logged.log_exchange(
            user,
            channel,
            Contact.objects.get(pk=person.contact_id),
            occurred_at=when,
            summary=summary,
            duration_minutes=duration,
            outcome=outcome,
            subject=topic.subject,
            category=category,
        )
    external_id = f"logged:demo-{demo.next_id()}"
    payload = structured(
        external_id=external_id,
        **person_fields(person, prefer_phone=kind == "phone"),
        agent_id=user.pk,
        text=summary,
        subject=topic.subject,
        occurred_at=when,
        category=topic.category,
        meta={"duration_minutes": duration, "outcome": outcome, "logged_by": user.pk},
    )
    return _ingest(demo, kind, payload, "application/json", external_id)


def _logged_templates(kind: str, topic: Topic) -> list[tuple[str, str]]:
    if kind == "phone":
        return corpus.CALL_SUMMARIES if topic.incident else corpus.REQUEST_CALLS
    visits = [v for v in corpus.VISITS if ("{obj}" in v[0]) == bool(topic.incident)]
    return visits


def _summary(demo: Demo, template: str, topic: Topic) -> str:
    category = demo.commune.categories[topic.category]
    address = topic.incident.address if topic.incident else ""
    return template.format(
        obj=topic.obj,
        where=texts.where(address) if address else "",
        since=demo.rng.choice(corpus.SINCE),
        when=demo.rng.choice(corpus.WHENS),
        team=category.team.name.lower() if category.team else "concerné",
        topic=topic.subject,
    )


# --- What happens next ------------------------------------------------------------------------


def target_status(rng: random.Random, age_days: float) -> str:
    """Where a conversation of this age usually is: recent ones new, old ones closed."""
    if age_days < 2:
        weights = {"new": 55, "open": 30, "pending": 10, "resolved": 5, "closed": 0}
    elif age_days < 8:
        weights = {"new": 10, "open": 30, "pending": 20, "resolved": 35, "closed": 5}
    else:
        weights = {"new": 2, "open": 10, "pending": 8, "resolved": 30, "closed": 50}
    return rng.choices(list(weights), list(weights.values()))[0]


def follow_up(demo: Demo, thread: Thread) -> None:
    """Play the conversation's life until its target status or until now."""
    age = (demo.now - thread.opened).total_seconds() / 86400
    target = target_status(demo.rng, age)
    if thread.kind in ("phone", "counter"):
        follow_logged(demo, thread, target)
    elif target != "new":
        follow_written(demo, thread, target)


def handler_for(demo: Demo, conversation: Conversation) -> User:
    return demo.agent(demo.rng.choice(TEAM_MEMBERS[conversation.team.slug]))


def triage(demo: Demo, thread: Thread, when: datetime) -> User:
    """Reception files the conversation under its theme and team, and sometimes assigns it.
    Returns the agent who will answer."""
    rng, conversation = demo.rng, thread.conversation
    with demo.backdater.at(when, conversation):
        if conversation.category_id is None:
            # Sorting misrouted requests is a supervisor's job (transfers need one).
            sorter = demo.agent("superviseur")
            category = demo.commune.categories[thread.topic.category]
            actions.change_category(sorter, conversation, category)
            if category.team_id != conversation.team_id:
                actions.transfer_conversation(sorter, conversation, category.team)
        if thread.topic.angry or rng.random() < 0.08:
            supervisor = demo.agent(SUPERVISORS[conversation.team.slug])
            actions.change_priority(supervisor, conversation, rng.choice([3, 3, 4]))
    handler = handler_for(demo, conversation)
    if rng.random() < 0.5:
        supervisor = demo.agent(SUPERVISORS[conversation.team.slug])
        with demo.backdater.at(when + timedelta(minutes=rng.uniform(1, 20)), conversation):
            actions.assign_conversation(supervisor, conversation, handler)
    return handler


def follow_written(demo: Demo, thread: Thread, target: str) -> None:
    rng, cal = demo.rng, demo.calendar
    if not thread.conversation.channel.connector.can_reply:
        follow_silent(demo, thread, target)
        return
    when = cal.agent_time(thread.opened, rng, max_hours=20)
    reminder = thread.opened + (when - thread.opened) * 0.7
    if thread.topic.angry and when - thread.opened > timedelta(hours=20) and reminder < demo.now:
        citizen_writes(demo, thread, reminder, "reminder")
    if when > demo.now:
        return
    handler = triage(demo, thread, when)
    if rng.random() < 0.3:
        _at(
            demo,
            thread,
            when + timedelta(minutes=rng.uniform(2, 40)),
            actions.add_note,
            handler,
            texts.note(rng),
        )
    when = cal.agent_time(when, rng, max_hours=6)
    if when > demo.now:
        return
    if target == "pending" or rng.random() < 0.12:
        incident = thread.topic.incident is not None
        ask = corpus.INFO_REQUESTS_INCIDENT if incident else corpus.INFO_REQUESTS
        agent_replies(demo, thread, handler, when, rng.choice(ask), "pending")
        if target == "pending":
            return
        when = when + timedelta(hours=rng.uniform(1, 48))
        if when > demo.now or not citizen_writes(demo, thread, when, "precision"):
            return
        when = cal.agent_time(when, rng, max_hours=24)
        if when > demo.now:
            return
    answer_and_close(demo, thread, handler, when, target)


def answer_and_close(demo: Demo, thread: Thread, handler: User, when: datetime, target: str):
    rng, cal, topic = demo.rng, demo.calendar, thread.topic
    conversation = thread.conversation
    if topic.incident is not None:
        body = texts.incident_ack(
            rng, topic.obj, topic.incident.address, conversation.team.name, conversation.reference
        )
        agent_replies(demo, thread, handler, when, body, None)
        when = cal.agent_time(when, rng, max_hours=96)
        if target == "open" or when > demo.now:
            return
        body = texts.incident_done(rng, topic.category, when.date())
    else:
        if target == "open":
            _at(demo, thread, when, actions.add_note, handler, texts.note(rng))
            return
        body = texts.request_answer(rng, topic.category, when.date())
    agent_replies(demo, thread, handler, when, body, "resolved")
    if rng.random() < 0.3:
        thanked = when + timedelta(hours=rng.uniform(0.5, 30))
        if thanked < demo.now and citizen_writes(demo, thread, thanked, "thanks"):
            when = cal.agent_time(thanked, rng, max_hours=8)
            if when < demo.now:
                _at(demo, thread, when, actions.change_status, handler, "resolved")
    close_later(demo, thread, handler, when, target)


def close_later(demo: Demo, thread: Thread, user: User, when: datetime, target: str) -> None:
    if target != "closed":
        return
    when = demo.calendar.agent_time(when + timedelta(days=demo.rng.uniform(3, 8)), demo.rng)
    if when < demo.now:
        _at(demo, thread, when, actions.change_status, user, "closed")


def follow_silent(demo: Demo, thread: Thread, target: str) -> None:
    """Channels agents cannot answer on (the API): the app shows the status, agents take notes."""
    rng = demo.rng
    when = demo.calendar.agent_time(thread.opened, rng, max_hours=30)
    if when > demo.now:
        return
    handler = triage(demo, thread, when)
    _at(demo, thread, when, actions.add_note, handler, texts.note(rng))
    if target in ("open", "pending"):
        _at(demo, thread, when, actions.change_status, handler, target)
        return
    when = demo.calendar.agent_time(when, rng, max_hours=72)
    if when < demo.now:
        _at(demo, thread, when, actions.change_status, handler, "resolved")
        close_later(demo, thread, handler, when, target)


def follow_logged(demo: Demo, thread: Thread, target: str) -> None:
    """After a call or a visit: a call back, a note, resolution and closing, as time allows."""
    rng, conversation = demo.rng, thread.conversation
    conversation.refresh_from_db()
    if conversation.status == "resolved":
        close_later(demo, thread, demo.agent("agent"), thread.opened, target)
        return
    if target in ("new", "pending"):
        return
    when = demo.calendar.agent_time(thread.opened, rng, max_hours=48)
    if when > demo.now:
        return
    handler = triage(demo, thread, when)
    if thread.person.phone and rng.random() < 0.6:
        with demo.backdater.at(when, conversation):
            logged.log_exchange(
                handler,
                demo.commune.channels["phone"],
                Contact.objects.get(pk=conversation.contact_id),
                occurred_at=when,
                summary=rng.choice(
                    [
                        "Rappel de l'usager : réponse apportée, dossier clos.",
                        "Rappelé l'usager pour l'informer de la suite donnée. Satisfait.",
                        "Rappel : l'intervention a eu lieu, l'usager confirme.",
                    ]
                ),
                duration_minutes=rng.randint(2, 8),
                outcome="resolved",
                direction="out",
                conversation=conversation,
            )
    elif target != "open":
        _at(demo, thread, when, actions.add_note, handler, texts.note(rng))
        _at(demo, thread, when + timedelta(minutes=5), actions.change_status, handler, "resolved")
    close_later(demo, thread, handler, when, target)


# --- Single steps ------------------------------------------------------------------------------


def _at(demo: Demo, thread: Thread, when: datetime, action, user: User, *args) -> None:
    with demo.backdater.at(when, thread.conversation):
        action(user, thread.conversation, *args)
    thread.conversation.refresh_from_db()


def agent_replies(
    demo: Demo, thread: Thread, user: User, when: datetime, body: str, then_status: str | None
) -> Message:
    """Answer through the real action, then mark the outbox row sent (nothing leaves)."""
    conversation = thread.conversation
    contact = conversation.contact.display_name if conversation.contact else ""
    text = texts.agent_letter(demo.rng, body, str(user), conversation.team.name, contact)
    with demo.backdater.at(when, conversation):
        message = actions.reply_to_conversation(user, conversation, text, then_status=then_status)
        mark_sent(message, when)
    conversation.refresh_from_db()
    if message.external_id:
        thread.mail_ids.append(message.external_id)
    return message


def mark_sent(message: Message, when: datetime) -> None:
    provider_id = ""
    if message.channel.kind == "email":
        provider_id = message_id_for(message.pk, message.channel.settings.get("address", ""))
        Message.objects.filter(pk=message.pk).update(external_id=provider_id)
        message.external_id = provider_id
    Delivery.objects.filter(message=message).update(
        state=DeliveryState.SENT,
        attempts=1,
        sent_at=when + timedelta(seconds=30),
        provider_id=provider_id,
    )
    timeline.record(message.conversation, TimelineKind.DELIVERY, message=message, state="sent")


def citizen_writes(demo: Demo, thread: Thread, when: datetime, what: str) -> bool:
    """The citizen answers by mail (quoting the reference). False when they have no address."""
    person, rng = thread.person, demo.rng
    if not person.email or thread.kind == "api":
        return False
    precisions = corpus.PRECISIONS_INCIDENT if thread.topic.incident else corpus.PRECISIONS
    pool = {"reminder": corpus.REMINDERS, "precision": precisions, "thanks": corpus.THANKS}
    text = f"{rng.choice(pool[what])}\n\n{texts.signature(rng, person)}"
    conversation = thread.conversation
    subject = conversation.subject if thread.kind == "email" else thread.topic.subject
    subject = f"Re: {subject} [#{conversation.reference}]"
    msgid = message_id(rng, person)
    parent = thread.mail_ids[-1] if thread.mail_ids else ""
    raw = email_bytes(
        rng,
        person,
        subject=subject,
        text=text,
        when=when,
        msgid=msgid,
        in_reply_to=parent,
        references=thread.mail_ids[-5:],
    )
    with demo.backdater.at(when, conversation):
        message = _ingest(demo, "email", raw, "message/rfc822", msgid)
    if message.conversation_id != conversation.pk:
        raise DemoError(f"La réponse de l'usager n'a pas rejoint la demande {conversation.pk}.")
    thread.mail_ids.append(msgid)
    conversation.refresh_from_db()
    return True
