"""Every write of the satisfaction survey: offering it after a resolution, recording answers.

The survey goes, after the agent's final answer, on the conversation's own channel where the
platform accepts an automatic message now (email, the portal's form by email, Messenger,
Instagram and WhatsApp within their 24-hour window since the citizen's last message), by email
for a call or a visit when the contact has an address, and never in public. Otherwise it is
offered by link only, on the portal's tracking page of the reference, with the reason recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.connectors.base import OperationKind
from civique.channels.models import Channel
from civique.contacts.lookup import resolve_contact
from civique.core.audit import audit
from civique.inbox import timeline
from civique.inbox.actions import ActionError, queue_automatic_reply
from civique.inbox.clocks import from_a_person
from civique.inbox.models import (
    Conversation,
    Direction,
    Message,
    Status,
    TimelineKind,
    Visibility,
)
from civique.inbox.outbound import last_private_inbound
from civique.satisfaction.models import AnsweredVia, SentVia, Survey


class SurveyClosed(ValueError):
    """The survey cannot take an answer any more (answered, expired or replaced)."""


@dataclass(frozen=True)
class Route:
    """How the survey reaches the citizen: on a channel (``channel`` None: the conversation's
    own, answered the way an agent would), or by link only (``send`` False, with a reason)."""

    send: bool
    channel: Channel | None = None
    reason: str = ""


def survey_url(survey: Survey) -> str:
    return settings.SITE_URL + reverse("portal:survey", args=[survey.token])


def survey_text(conversation: Conversation, survey: Survey) -> str:
    return _(
        "Votre demande %(ref)s est close. Êtes-vous satisfait de notre réponse ? Répondez par "
        "un chiffre de 1 (pas du tout) à 5 (tout à fait), suivi si vous le souhaitez d'un "
        "commentaire. Ou donnez votre avis ici : %(link)s"
    ) % {"ref": conversation.reference, "link": survey_url(survey)}


def _email_channel(conversation: Conversation) -> Channel | None:
    """An email channel to reach the contact of a call or a visit, if they have an address:
    their team's, else any active one."""
    if conversation.contact_id is None:
        return None
    if not resolve_contact(conversation.contact).identities.filter(kind="email").exists():
        return None
    channels = Channel.objects.filter(kind="email", is_active=True).order_by("pk")
    return channels.filter(team_id=conversation.team_id).first() or channels.first()


def route(conversation: Conversation, now: datetime) -> Route:
    """Where the survey may go ``now`` (see the module's docstring)."""
    channel = conversation.channel
    connector = channel.connector
    if connector.agent_logged or not connector.can_reply:
        email = _email_channel(conversation)
        if email is not None:
            return Route(send=True, channel=email)
        return Route(False, reason=_("Aucune adresse ni aucun canal pour joindre l'usager."))
    if not channel.is_active:
        return Route(False, reason=_("Le canal de la demande est désactivé."))
    last = last_private_inbound(conversation)
    window_open = connector.free_message_allowed(last, now)
    if conversation.visibility == Visibility.PUBLIC:
        # Never in public: in private on the same platform only while it accepts a message.
        if last is not None and window_open and connector.supports(OperationKind.SEND):
            return Route(send=True, channel=channel)
        return Route(
            False,
            reason=_("Commentaire public : l'enquête n'est jamais publiée sous un commentaire."),
        )
    if not window_open:
        return Route(
            False,
            reason=_(
                "La plateforme n'accepte plus de message automatique : l'usager a écrit pour la "
                "dernière fois il y a plus de 24 heures."
            ),
        )
    return Route(send=True)


def _by_a_person(conversation: Conversation) -> bool:
    """The citizen's latest message was written by a person (never a survey to an auto-reply,
    a bounce, a list, nor to a message moderation said not to feed)."""
    last = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .exclude(meta__has_key="survey_answer")
        .order_by("-created_at", "-id")
        .first()
    )
    return last is not None and from_a_person(last)


def should_offer(conversation: Conversation, now: datetime) -> bool:
    if not settings.CIVIQUE_SATISFACTION_SURVEY:
        return False
    if conversation.status != Status.RESOLVED or conversation.first_response_at is None:
        return False
    if not _by_a_person(conversation):
        return False
    # Once per resolution; a reopened then resolved again conversation waits for the period.
    since = now - timedelta(days=settings.CIVIQUE_SATISFACTION_RESEND_DAYS)
    return not conversation.surveys.filter(sent_at__gte=since).exists()


@transaction.atomic
def offer_survey(conversation: Conversation, now: datetime | None = None) -> Survey | None:
    """Offer the survey for the conversation's resolution, if it should be; None otherwise."""
    now = now or timezone.now()
    if not should_offer(conversation, now):
        return None
    conversation.surveys.filter(answered_at__isnull=True, closed_at__isnull=True).update(
        closed_at=now
    )
    way = route(conversation, now)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                conversation=conversation,
                resolved_at=conversation.resolved_at or now,
                sent_at=now,
                sent_via=SentVia.LINK,
                reason=way.reason[:255],
                expires_at=now + timedelta(days=settings.CIVIQUE_SATISFACTION_VALIDITY_DAYS),
            )
    except IntegrityError:
        return None  # another worker offered it at the same moment
    if way.send:
        try:
            message = queue_automatic_reply(
                conversation,
                survey_text(conversation, survey),
                meta={"survey": survey.pk, "clock": "ignore"},  # not an answer
                channel=way.channel,
            )
        except ActionError as exc:
            survey.reason = str(exc)[:255]
        else:
            survey.message, survey.sent_via = message, SentVia.CHANNEL
        survey.save(update_fields=["message", "sent_via", "reason"])
    _record_offer(conversation, survey)
    return survey


def _record_offer(conversation: Conversation, survey: Survey) -> None:
    if survey.sent_via == SentVia.CHANNEL:
        text = _("Enquête de satisfaction envoyée à l'usager.")
    else:
        text = _("Enquête de satisfaction proposée par lien, sur la page de suivi : %(reason)s") % {
            "reason": survey.reason
        }
    timeline.record(conversation, TimelineKind.SYSTEM, text=text, survey=survey.pk, automatic=True)
    audit(None, "satisfaction.offer", conversation, {"survey": survey.pk, "via": survey.sent_via})


@transaction.atomic
def record_answer(
    survey: Survey,
    score: int,
    comment: str,
    *,
    via: str,
    message: Message | None = None,
    now: datetime | None = None,
) -> Survey:
    """Record the citizen's answer, once: an answered, expired or replaced survey refuses
    (``SurveyClosed``), so a second post or a replayed message never overwrites the first."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_open(now):
        raise SurveyClosed(survey.pk)
    if score not in range(1, 6):
        raise ValueError(score)
    survey.score, survey.comment = score, comment
    survey.answered_at, survey.answered_via, survey.answer_message = now, via, message
    survey.save(update_fields=["score", "comment", "answered_at", "answered_via", "answer_message"])
    conversation = survey.conversation
    where = _("sur le canal") if via == AnsweredVia.CHANNEL else _("sur le portail")
    text = _("Avis de l'usager (%(where)s) : %(score)s/5") % {"where": where, "score": score}
    if comment:
        text += f" — « {comment} »"
    timeline.record(
        conversation,
        TimelineKind.SYSTEM,
        message=message,
        text=text,
        survey=survey.pk,
        score=score,
        automatic=True,
    )
    audit(None, "satisfaction.answer", conversation, {"survey": survey.pk, "score": score})
    return survey


def open_survey_for(conversation: Conversation, now: datetime | None = None) -> Survey | None:
    """The survey of the conversation that still takes an answer, if any."""
    now = now or timezone.now()
    return conversation.surveys.filter(
        answered_at__isnull=True, closed_at__isnull=True, expires_at__gt=now
    ).first()
