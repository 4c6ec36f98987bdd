"""Filling the corpus templates: people, citizens' messages and agents' answers."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from civique.demo import corpus
from civique.demo.incidents import Incident

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    street: str = ""
    contact_id: int | None = None
    channels: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", plain.lower())


def make_person(rng: random.Random, index: int, streets: list[str]) -> Person:
    """An invented person with an email address, a phone number, or both."""
    pool = rng.choice([corpus.FEMALE_FIRST_NAMES, corpus.MALE_FIRST_NAMES])
    first, last = rng.choice(pool), rng.choice(corpus.LAST_NAMES)
    person = Person(first, last, street=rng.choice(streets))
    draw = rng.random()
    if draw < 0.85:
        local = rng.choice(
            [
                f"{_ascii(first)}.{_ascii(last)}",
                f"{_ascii(first)[0]}{_ascii(last)}",
                f"{_ascii(first)}{_ascii(last)}{rng.randrange(10, 99)}",
                f"{_ascii(last)}.{index}",
            ]
        )
        person.email = f"{local}{index}@{rng.choice(corpus.MAIL_DOMAINS)}"
    if draw > 0.55:
        block = rng.choice(corpus.PHONE_BLOCKS)
        person.phone = f"{block} {index // 100 % 100:02d} {index % 100:02d}"
    return person


def french_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def where(address: str) -> str:
    """« au 84 avenue de Suffren » from « 84 Avenue de Suffren, 99120 Valmont »."""
    street = address.split(",")[0].strip()
    if street[:1].isdigit():
        number, _, rest = street.partition(" ")
        return f"au {number} {rest[:1].lower()}{rest[1:]}"
    return f"{street[:1].lower()}{street[1:]}"


def incident_object(rng: random.Random, incident: Incident) -> str:
    options = corpus.INCIDENT_OBJECTS[incident.category]
    low = incident.subtype.lower()
    for keyword, phrases in options:
        if keyword and keyword in low:
            return rng.choice(phrases)
    return rng.choice(options[-1][1])


def _fill(template: str, **slots: str) -> str:
    text = template.format(**slots)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,])", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def incident_message(
    rng: random.Random, incident: Incident, person: Person, *, angry: bool = False
) -> tuple[str, str, str]:
    """(subject, text, the object as the citizen named it) for an incident report."""
    obj = incident_object(rng, incident)
    specific = corpus.CONSEQUENCES.get(incident.category, [])
    if "jour" in obj or "armoire" in obj:  # a lamp lit by day does not leave the street dark
        specific = []
    consequences = specific + corpus.CONSEQUENCES["default"]
    templates = corpus.ANGRY_INCIDENT_TEMPLATES if angry else corpus.INCIDENT_TEMPLATES
    text = _fill(
        rng.choice(templates),
        greet=rng.choice(corpus.GREETINGS),
        obj=obj,
        Obj=obj[:1].upper() + obj[1:],
        where=where(incident.address),
        since=rng.choice(corpus.SINCE),
        cons=rng.choice(consequences),
        ask=rng.choice(corpus.ASKS),
        close=rng.choice(corpus.CLOSINGS),
        name=signature(rng, person),
    )
    subject = rng.choice(corpus.INCIDENT_SUBJECTS[incident.category])
    if angry:
        subject = rng.choice([subject.upper(), f"{subject} - RELANCE", f"{subject} !!!"])
    return subject, maybe_typos(rng, text), obj


def request_message(
    rng: random.Random, category: str, person: Person, when: datetime
) -> tuple[str, str]:
    """(subject, text) for a request on ``category`` (a key of ``corpus.REQUESTS``)."""
    subject, template = rng.choice(corpus.REQUESTS[category])
    slots = {
        "greet": rng.choice(corpus.GREETINGS),
        "close": rng.choice(corpus.CLOSINGS),
        "name": signature(rng, person),
        "child": rng.choice(corpus.CHILDREN),
        "school": rng.choice(corpus.SCHOOLS),
        "date": french_date(when.date()),
        "street": where(person.street),
        "year": str(rng.choice([when.year, when.year + 1, 1978, 1985, 1992])),
    }
    return _fill(subject, **slots), maybe_typos(rng, _fill(template, **slots))


def signature(rng: random.Random, person: Person) -> str:
    short = f"{person.first_name[0]}. {person.last_name}"
    upper = f"{person.last_name.upper()} {person.first_name}"
    return rng.choice([person.name, person.first_name, short, upper, person.name])


def maybe_typos(rng: random.Random, text: str) -> str:
    """Sometimes write like people do on a phone: no accents, lower case, doubled letters."""
    draw = rng.random()
    if draw < 0.12:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    elif draw < 0.2:
        text = text[:1].lower() + text[1:]
        text = text.replace(" est ", " et ", 1).replace("Merci", "merci", 1)
    elif draw < 0.26:
        words = text.split(" ")
        i = rng.randrange(len(words))
        if len(words[i]) > 4:
            j = rng.randrange(1, len(words[i]) - 1)
            words[i] = words[i][:j] + words[i][j] + words[i][j:]
        text = " ".join(words)
    return text


# --- Agents ----------------------------------------------------------------------------------


def agent_letter(rng: random.Random, body: str, agent: str, team: str, contact: str) -> str:
    opening = rng.choice(corpus.AGENT_OPENINGS).format(contact=contact or "Madame, Monsieur")
    closing = rng.choice(corpus.AGENT_SIGNOFFS)
    return f"{opening}\n\n{body}\n\n{closing}\n\n" + corpus.SIGNATURE.format(agent=agent, team=team)


def incident_ack(rng: random.Random, topic: str, address: str, team: str, reference: str) -> str:
    return rng.choice(corpus.INCIDENT_ACKS).format(
        topic=topic,
        where=where(address) if address else "",
        team=team.lower(),
        reference=reference,
        delay=rng.choice(corpus.DELAYS),
        when=rng.choice(corpus.WHENS),
    )


def incident_done(rng: random.Random, category: str, day: date) -> str:
    done = corpus.DONE_BY_CATEGORY.get(category, "le nécessaire a été fait.")
    return rng.choice(corpus.INCIDENT_DONE).format(
        date=french_date(day), done=done, done_cap=done[:1].upper() + done[1:], done_short=done[:-1]
    )


def request_answer(rng: random.Random, category: str, day: date) -> str:
    answers = corpus.REQUEST_ANSWERS.get(category) or corpus.REQUEST_ANSWERS["default"]
    return rng.choice(answers).format(child=rng.choice(corpus.CHILDREN), date=french_date(day))


def note(rng: random.Random) -> str:
    return rng.choice(corpus.NOTES).format(number=rng.randrange(1000, 9999))
