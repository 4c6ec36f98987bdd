"""Every write of moderation: the cases the charter proposes, and each decision a moderator (or
an automatic rule) takes on them.

Platform operations go through the inbox's typed outbound operations (``hide_message``,
``unhide_message``, ``delete_message``, ``reply_to_conversation``, ``reply_privately``,
``block_author``): nothing here talks to a platform. Each decision is recorded as a
``ModerationDecision`` (who, when, which article), on the conversation's timeline and in the
audit journal.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.connectors.base import OperationKind
from civique.contacts.models import IdentityKind
from civique.core.audit import audit
from civique.core.models import User
from civique.inbox import actions as inbox
from civique.inbox import clocks, timeline
from civique.inbox.actions import ActionError
from civique.inbox.models import Delivery, DeliveryState, TimelineKind
from civique.moderation.access import check_can_moderate
from civique.moderation.models import (
    QUEUE_STATES,
    CaseState,
    CharterRule,
    Decision,
    ModerationCase,
    ModerationDecision,
    ModerationSetup,
)


def record(
    case: ModerationCase,
    actor: User | None,
    decision: str,
    *,
    article: CharterRule | None = None,
    note: str = "",
) -> ModerationDecision:
    """Write one decision, on the timeline and in the audit journal."""
    article = article or case.charter_rule
    entry = ModerationDecision.objects.create(
        case=case,
        decision=decision,
        actor=actor,
        actor_label=str(actor) if actor is not None else _("automatique"),
        charter_rule=article,
        article=article.article if article else "",
        note=note,
    )
    message = case.message
    text = str(Decision(decision).label)
    if article is not None:
        text = _("%(decision)s — art. %(article)s (%(title)s)") % {
            "decision": text,
            "article": article.article,
            "title": article.title,
        }
    if note:
        text = f"{text} : {note}"
    timeline.record(
        message.conversation,
        TimelineKind.MODERATION,
        actor=actor,
        message=message,
        decision=decision,
        text=text,
        article=entry.article,
        automatic=actor is None,
    )
    audit(
        actor,
        f"moderation.{decision}",
        message.conversation,
        {"message": message.pk, "case": case.pk, "article": entry.article, "note": note},
    )
    return entry


def _set_state(case: ModerationCase, state: str) -> None:
    case.state = state
    case.save(update_fields=["state", "updated_at"])


def _article(case: ModerationCase, article: CharterRule | None) -> CharterRule | None:
    return article or case.charter_rule


# --- Platform operations ---------------------------------------------------------------------


@transaction.atomic
def hide(user: User, case: ModerationCase, article: CharterRule | None = None) -> None:
    check_can_moderate(user)
    inbox.hide_message(user, case.message)
    record(case, user, Decision.HIDE, article=_article(case, article))
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def unhide(user: User, case: ModerationCase) -> None:
    """Show the comment again (and undo an automatic hide)."""
    check_can_moderate(user)
    inbox.unhide_message(user, case.message)
    record(case, user, Decision.UNHIDE)
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def delete(user: User, case: ModerationCase, article: CharterRule | None = None) -> None:
    check_can_moderate(user)
    inbox.delete_message(user, case.message)
    record(case, user, Decision.DELETE, article=_article(case, article))
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def block(user: User, case: ModerationCase, article: CharterRule | None = None) -> None:
    """Block the comment's author on the platform, where the platform allows it."""
    check_can_moderate(user)
    inbox.block_author(user, case.message)
    record(case, user, Decision.BLOCK, article=_article(case, article))
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def answer_publicly(user: User, case: ModerationCase, text: str) -> None:
    check_can_moderate(user)
    inbox.reply_to_conversation(user, case.message.conversation, text)
    record(case, user, Decision.REPLY_PUBLIC, article=None if case.angry else case.charter_rule)
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def answer_privately(user: User, case: ModerationCase, text: str) -> None:
    check_can_moderate(user)
    inbox.reply_privately(user, case.message, text)
    record(case, user, Decision.REPLY_PRIVATE, article=None if case.angry else case.charter_rule)
    _set_state(case, CaseState.HANDLED)


def article_notice(article: CharterRule, name: str) -> str:
    """The templated message telling an author which article of the charter applies."""
    greeting = _("Bonjour %(name)s,") % {"name": name} if name else _("Bonjour,")
    return _(
        "%(greeting)s\n\nVotre commentaire ne respecte pas l'article %(article)s de notre "
        "charte de modération (« %(title)s ») : %(wording)s\n\nVous pouvez nous écrire en "
        "message privé ; nous vous répondrons."
    ) % {
        "greeting": greeting,
        "article": article.article,
        "title": article.title,
        "wording": article.wording,
    }


def _author_name(case: ModerationCase) -> str:
    message = case.message
    return (message.author_contact.display_name if message.author_contact else "") or (
        message.author_name
    )


def explain(actor: User | None, case: ModerationCase, article: CharterRule) -> None:
    """Send the article's notice in private where the platform allows it, else in public."""
    text = article_notice(article, _author_name(case))
    message = case.message
    if message.channel.connector.supports(OperationKind.REPLY_PRIVATE):
        inbox.reply_privately(actor, message, text)
    elif actor is not None:
        inbox.reply_to_conversation(actor, message.conversation, text)
    else:
        raise ActionError(_("Ce canal ne permet pas d'écrire à l'auteur en privé."))
    record(case, actor, Decision.CITE_ARTICLE, article=article)


@transaction.atomic
def cite_article(user: User, case: ModerationCase, article: CharterRule | None = None) -> None:
    check_can_moderate(user)
    article = _article(case, article)
    if article is None:
        raise ActionError(_("Choisissez l'article de la charte à rappeler."))
    explain(user, case, article)


# --- Decisions kept here ---------------------------------------------------------------------


@transaction.atomic
def do_not_feed(user: User, case: ModerationCase) -> None:
    """A sterile or troll comment: no answer expected. It leaves the queue and no longer makes
    the conversation wait (``meta["clock"] = "ignore"``, read by ``inbox.clocks``)."""
    check_can_moderate(user)
    if case.state == CaseState.DO_NOT_FEED:
        raise ActionError(_("Ce commentaire est déjà marqué « ne pas nourrir »."))
    message = case.message
    message.meta = {**message.meta, "clock": "ignore"}
    message.save(update_fields=["meta"])
    clocks.recompute(message.conversation)
    record(case, user, Decision.DO_NOT_FEED, article=None)
    _set_state(case, CaseState.DO_NOT_FEED)


@transaction.atomic
def undo_do_not_feed(user: User, case: ModerationCase) -> None:
    """Back in the queue; the conversation waits again from the comment, unless answered since."""
    check_can_moderate(user)
    if case.state != CaseState.DO_NOT_FEED:
        raise ActionError(_("Ce commentaire n'est pas marqué « ne pas nourrir »."))
    message = case.message
    message.meta = {key: value for key, value in message.meta.items() if key != "clock"}
    message.save(update_fields=["meta"])
    clocks.recompute(message.conversation)
    record(case, user, Decision.UNDO_DO_NOT_FEED, article=None)
    _set_state(case, CaseState.OPEN)


@transaction.atomic
def escalate(user: User, case: ModerationCase, to: User | None = None, note: str = "") -> None:
    """Hand the decision to a supervisor or the head of communication."""
    check_can_moderate(user)
    to = to or ModerationSetup.current().head_of_communication
    if to is None:
        raise ActionError(
            _("Aucun responsable de la communication n'est désigné : choisissez à qui remonter.")
        )
    if not (to.is_administrator or to.is_supervisor):
        raise ActionError(_("On remonte à un superviseur ou à un administrateur."))
    case.escalated_to = to
    case.save(update_fields=["escalated_to", "updated_at"])
    record(case, user, Decision.ESCALATE, article=None, note=note or str(to))
    _set_state(case, CaseState.ESCALATED)


def known_phone(case: ModerationCase) -> str:
    """The author's phone number: one of the contact's identities, else one the comment gives."""
    contact = case.message.author_contact
    if contact is not None:
        phone = contact.identities.filter(kind=IdentityKind.PHONE).first()
        if phone is not None:
            return phone.display or phone.value
    for finding in (case.message.analysis or {}).get("findings", []):
        if finding.get("label") == "personal.phone" and finding.get("spans"):
            return str(finding["spans"][0][2])
    return ""


@transaction.atomic
def create_call_task(user: User, case: ModerationCase, assignee: User | None = None) -> None:
    """A « call this person » task: an internal note with the number, the conversation given to
    ``assignee`` (the moderator when none)."""
    check_can_moderate(user)
    phone = known_phone(case)
    if not phone:
        raise ActionError(_("Aucun numéro de téléphone connu pour cette personne."))
    conversation = case.message.conversation
    assignee = assignee or user
    inbox.add_note(
        user,
        conversation,
        _("À rappeler : %(name)s au %(phone)s (tâche créée depuis la modération, pour %(who)s).")
        % {"name": _author_name(case) or _("l'usager"), "phone": phone, "who": assignee},
    )
    inbox.assign_conversation(user, conversation, assignee)
    record(case, user, Decision.CALL_TASK, article=None, note=phone)
    _set_state(case, CaseState.HANDLED)


@transaction.atomic
def dismiss(user: User, case: ModerationCase) -> None:
    check_can_moderate(user)
    record(case, user, Decision.DISMISS, article=None)
    _set_state(case, CaseState.DISMISSED)


@transaction.atomic
def reopen(user: User, case: ModerationCase) -> None:
    check_can_moderate(user)
    if case.state in QUEUE_STATES:
        raise ActionError(_("Ce commentaire est déjà dans la file."))
    if case.state == CaseState.DO_NOT_FEED:
        undo_do_not_feed(user, case)
        return
    record(case, user, Decision.REOPEN, article=None)
    _set_state(case, CaseState.OPEN)


def hide_pending(case: ModerationCase) -> bool:
    """A hide of this comment was already asked (and has not failed): replays hide nothing."""
    return Delivery.objects.filter(message=case.message, kind=OperationKind.HIDE).exclude(
        state=DeliveryState.FAILED
    ).exists() or bool(case.message.hidden_at)


def mark_auto_hidden(case: ModerationCase) -> None:
    case.auto_hidden_at = timezone.now()
    case.save(update_fields=["auto_hidden_at", "updated_at"])
