"""Moderation in the demo: comments that call for it, played through the real intake.

On Valmont's Facebook Page: insults, hate, a threat, advertising, a neighbour's personal data,
angry but legitimate complaints (one leaving a phone number), and an elected councillor's
comments. On the Page of the « Centre hospitalier de Valmont »: families posting patients'
health details, which the health rule (enabled for that Page only) hides at once and explains in
private, beside thanks and an angry complaint about waiting times.

The moderation settings come first (head of communication, moderator team, the hospital's rule,
the elected official), then the comments, each signed and delivered the webhook's way
(``networks.deliver``) and dated in the past. The analysers stored by the intake decide what
reaches the queue; nothing here writes a case.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from civique.channels.models import Channel
from civique.contacts.models import Contact, Identity, IdentityKind
from civique.core.models import Role
from civique.demo.clock import Backdater
from civique.demo.commune import Commune, meta_secrets
from civique.demo.networks import SteppingClock, play
from civique.demo.social import (
    PlatformEvent,
    Post,
    PostSpec,
    comment_body,
    digits,
    full_name,
    quote,
)
from civique.inbox import timeline
from civique.inbox.models import Delivery, DeliveryState, Message, TimelineKind
from civique.inbox.outbox import EFFECTS
from civique.ingest.models import InboundEvent
from civique.moderation.charter import HEALTH_SLUG, ensure_default_charter
from civique.moderation.models import (
    AutoRule,
    CharterRule,
    ElectedOfficial,
    ModerationSetup,
    ModeratorTeam,
    RuleAction,
)

HOSPITAL_NAME = "Centre hospitalier de Valmont (Facebook)"
HOSPITAL_PAGE_ID = "207846519384752"
HEAD_OF_COMMUNICATION = "s.laurent"
ELECTED = ("1000482913370551", "Bernard Roux", "Conseiller municipal d'opposition")

CITY_POST = PostSpec("marche", "Réaménagement de la place du Marché", (), (), (), ())
HOSPITAL_POST = PostSpec("visites", "Nouveaux horaires de visite", (), (), (), ())

# (author name or None for an invented resident, text), in the order they arrive.
CITY_COMMENTS = [
    (None, "Bande d'incapables, vous êtes des guignols à la mairie, c'est une honte !"),
    (
        None,
        "Ça fait TROIS semaines que le lampadaire de la rue des Lilas est en panne, c'est "
        "inadmissible, les enfants rentrent de l'école dans le noir !",
    ),
    (None, "Encore ces étrangers qui salissent tout, qu'ils rentrent chez eux."),
    (
        None,
        "Gagnez 500 € par jour depuis chez vous !!! Cliquez ici : http://gain-facile.example",
    ),
    (
        None,
        "Mon voisin M. Durand au 14 rue des Acacias laisse ses poubelles dehors, son numéro "
        "c'est le 06 98 76 54 32, appelez-le.",
    ),
    (
        None,
        "Si personne ne vient ramasser ces ordures, je vais venir à la mairie et ça va mal finir "
        "pour le maire.",
    ),
    (
        None,
        "Deux signalements pour la fuite d'eau avenue Foch et toujours rien, c'est scandaleux ! "
        "Rappelez-moi au 06 12 34 56 78.",
    ),
    (
        ELECTED[1],
        "Rappel : la réunion publique sur la place du Marché a lieu jeudi à 19 h à la salle des "
        "fêtes. Venez nombreux donner votre avis !",
    ),
    (None, "Belle idée, hâte de voir le marché du dimanche sur la nouvelle place."),
    (
        ELECTED[1],
        "Ce projet coûte trop cher : avec notre liste Valmont Avenir, votez pour le changement "
        "aux prochaines municipales !",
    ),
]
HOSPITAL_COMMENTS = [
    (
        None,
        "Ma mère, Jeanne Petit, est hospitalisée en cardiologie depuis lundi après son infarctus "
        "et personne ne nous donne de nouvelles !",
    ),
    (None, "Merci au personnel des urgences pour leur gentillesse samedi soir."),
    (
        None,
        "Mon fils Lucas Martin est sous chimiothérapie au 3e étage, chambre 312 : peut-on lui "
        "apporter des fleurs ?",
    ),
    (
        None,
        "Deux heures d'attente aux urgences samedi avec un enfant qui pleurait, c'est honteux, "
        "il faut plus de personnel !",
    ),
    (None, "Les visites sont-elles possibles le dimanche matin en maternité ?"),
]


def create_hospital_page(commune: Commune) -> Channel:
    """The hospital's Page, run by the communication team in the demo. No access token: the
    demo never calls Meta (answers and moderation on it fail at once, saying so)."""
    secrets = meta_secrets("page_access_token")
    secrets.pop("page_access_token")
    channel, _ = Channel.objects.get_or_create(
        kind="facebook",
        name=HOSPITAL_NAME,
        defaults={
            "team": commune.teams["communication"],
            "settings": {"page_id": HOSPITAL_PAGE_ID},
            "secrets": secrets,
        },
    )
    return channel


def configure(commune: Commune, hospital: Channel) -> None:
    """The head of communication, the moderator team, the hospital's health rule and the
    elected councillor. Idempotent."""
    ensure_default_charter()
    head = commune.agents.get(HEAD_OF_COMMUNICATION)
    if head is not None and head.role != Role.SUPERVISOR:
        head.role = Role.SUPERVISOR
        head.save(update_fields=["role"])
    ModerationSetup.objects.update_or_create(pk=1, defaults={"head_of_communication": head})
    ModeratorTeam.objects.get_or_create(team=commune.teams["communication"])
    rule, created = AutoRule.objects.get_or_create(
        name="Données de santé sur la page de l'hôpital",
        defaults={
            "labels": ["health"],
            "min_score": 0.5,
            "action": RuleAction.HIDE,
            "charter_rule": CharterRule.objects.get(slug=HEALTH_SLUG),
            "automatic_hide_enabled": True,
            "explain_privately": True,
            "order": 1,
        },
    )
    if created:
        rule.channels.add(hospital)
    AutoRule.objects.get_or_create(
        name="Menaces : signaler au responsable",
        defaults={"labels": ["abuse.threat"], "min_score": 0.5, "action": RuleAction.NOTIFY},
    )
    page_id, name, mandate = ELECTED
    identity = Identity.objects.filter(kind=IdentityKind.FACEBOOK, value=page_id).first()
    contact = identity.contact if identity else Contact.objects.create(display_name=name)
    if identity is None:
        Identity.objects.create(contact=contact, kind=IdentityKind.FACEBOOK, value=page_id)
    ElectedOfficial.objects.get_or_create(contact=contact, defaults={"mandate": mandate})


def _events(
    page_id: str, spec: PostSpec, comments: list, rng: random.Random, clock: SteppingClock
) -> list[PlatformEvent]:
    events = []
    post = None
    for author_name, text in comments:
        when = clock()
        post = post or Post(page_id, digits(rng, 15), when - timedelta(hours=2), spec)
        elected = author_name == ELECTED[1]
        author = (ELECTED[0], author_name) if elected else (digits(rng, 16), full_name(rng))
        body = comment_body(
            post,
            comment_id=f"{post.number}_{digits(rng, 16)}",
            parent_id=post.id,
            author=author,
            text=text,
            when=when,
        )
        events.append(PlatformEvent(f"Commentaire de {author[1]} : {quote(text)}", body, when))
    return events


def add_moderation(commune: Commune, seed: int, now: datetime) -> int:
    """Play the comments that call for moderation (once: skipped when the hospital's Page
    already received events). Returns how many comments were played."""
    hospital = create_hospital_page(commune)
    if InboundEvent.objects.filter(channel=hospital).exists():
        return 0
    configure(commune, hospital)
    rng = random.Random(f"{seed}-moderation")
    city = commune.channels["facebook"]
    clock = SteppingClock(now, rng)
    city_events = _events(city.settings["page_id"], CITY_POST, CITY_COMMENTS, rng, clock)
    hospital_events = _events(HOSPITAL_PAGE_ID, HOSPITAL_POST, HOSPITAL_COMMENTS, rng, clock)
    play(city, city_events, Backdater(now))
    play(hospital, hospital_events, Backdater(now))
    confirm_as_the_platform_would(hospital)
    return len(city_events) + len(hospital_events)


def confirm_as_the_platform_would(channel: Channel) -> None:
    """Mark the automatic hides and explanations queued during the load as done, the way the
    demo marks its replies sent without sending (its Pages are invented: nothing can leave), with
    what the platform's confirmation changes on the message (hidden) and on the timeline."""
    for delivery in Delivery.objects.filter(
        message__channel=channel, state=DeliveryState.QUEUED
    ).select_related("message__conversation"):
        message = delivery.message
        when = message.created_at + timedelta(seconds=30)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENT, attempts=1, sent_at=when
        )
        if delivery.kind in EFFECTS:
            Message.objects.filter(pk=message.pk).update(**EFFECTS[delivery.kind](when))
        timeline.record(
            message.conversation,
            TimelineKind.DELIVERY,
            message=message,
            at=when,
            operation=delivery.kind,
            state="sent",
        )
