"""Running the charter and the automatic rules on one received public comment.

``moderate_message`` is what the pipeline stage calls for each new message; it writes at most
one case per message. ``moderate_edit`` is what the intake calls when an author edits a comment.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from civique.analysis.base import Analysis
from civique.contacts.models import Contact
from civique.inbox import actions as inbox
from civique.inbox.actions import ActionError
from civique.inbox.models import Direction, Message, MessageVisibility
from civique.moderation import actions
from civique.moderation.charter import HEALTH_SLUG
from civique.moderation.engine import Assessment, applies, assess, may_hide_automatically
from civique.moderation.models import (
    AutoRule,
    CaseState,
    CharterRule,
    Decision,
    ElectedOfficial,
    ModerationCase,
    ModerationSetup,
    ProposedAction,
    RuleAction,
)

logger = logging.getLogger(__name__)

PRIVACY_SLUGS = frozenset({"donnees-personnelles", HEALTH_SLUG})


def concerned(message: Message) -> bool:
    """Public comments received from someone (not ours, not automated)."""
    return (
        message.direction == Direction.INBOUND
        and message.visibility == MessageVisibility.PUBLIC
        and not message.is_automated
        and not message.removed_at
    )


def hidden_before(message: Message) -> int:
    """How many of the author's earlier comments were hidden."""
    if message.author_contact_id is None:
        return 0
    return (
        Message.objects.filter(author_contact_id=message.author_contact_id, hidden_at__isnull=False)
        .exclude(pk=message.pk)
        .count()
    )


def merge_family(contact_id: int) -> set[int]:
    """``contact_id`` and every contact linked to it by merges, either way (what it was merged
    into, and what was merged into it), so that a merge keeps an elected official known."""
    family, frontier = {contact_id}, {contact_id}
    while frontier:
        linked = set(
            Contact.objects.filter(pk__in=frontier, merged_into__isnull=False).values_list(
                "merged_into_id", flat=True
            )
        ) | set(Contact.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        frontier = linked - family
        family |= frontier
    return family


def is_elected(message: Message) -> bool:
    return (
        message.author_contact_id is not None
        and ElectedOfficial.objects.filter(
            contact_id__in=merge_family(message.author_contact_id)
        ).exists()
    )


def moderate_message(message: Message) -> ModerationCase | None:
    """Open the case ``message`` calls for, with the automatic rules' actions; None when nothing
    in it calls for a moderator's look, or when it already has its case (a replay)."""
    if not concerned(message) or ModerationCase.objects.filter(message=message).exists():
        return None
    analysis = Analysis.from_json(message.analysis)
    setup = ModerationSetup.current()
    assessment = assess(
        analysis,
        message.text,
        channel_id=message.channel_id,
        articles=CharterRule.objects.filter(enabled=True),
        rules=AutoRule.objects.filter(enabled=True)
        .select_related("charter_rule", "assignee")
        .prefetch_related("channels"),
        electoral_period=setup.in_electoral_period(),
        hidden_before=hidden_before(message),
    )
    elected = is_elected(message)
    if assessment.article is None and not assessment.angry and not assessment.rules and not elected:
        return None
    case = _open_case(message, assessment, elected, analysis)
    actions.record(case, None, Decision.PROPOSED, note=_reasons_text(case))
    if elected:
        _flag_to_head(case, setup, _("commentaire d'un élu"))
    for rule in assessment.rules:
        _apply_rule(case, rule, analysis, setup, elected)
    return case


def moderate_edit(message: Message) -> ModerationCase | None:
    """An author edited ``message`` (its text and analysis are the new ones): open its case when
    it has none yet; otherwise restrict its text when health data now appears in it."""
    case = ModerationCase.objects.filter(message=message).first()
    if case is None:
        return moderate_message(message)
    if not case.sensitive and _has_health_data(Analysis.from_json(message.analysis)):
        case.sensitive = True
        case.save(update_fields=["sensitive", "updated_at"])
        _restrict(message)
    return case


def _has_health_data(analysis: Analysis) -> bool:
    return any(
        a.slug == HEALTH_SLUG and a.enabled and analysis.score("health") >= a.min_score
        for a in CharterRule.objects.filter(slug=HEALTH_SLUG)
    )


def _open_case(
    message: Message, assessment: Assessment, elected: bool, analysis: Analysis
) -> ModerationCase:
    article = assessment.article
    sensitive = _has_health_data(analysis)
    case = ModerationCase.objects.create(
        message=message,
        charter_rule=article,
        proposed_action=article.action if article else ProposedAction.REVIEW,
        severity=assessment.severity,
        score=assessment.score or analysis.score("tone.angry"),
        angry=assessment.angry,
        elected=elected,
        sensitive=sensitive,
        reasons=[{"label": e.label, "score": round(e.score, 3)} for e in assessment.evidence],
        label_index=f" {' '.join(e.label for e in assessment.evidence)} "[:500],
    )
    if sensitive:
        _restrict(message)
    return case


def _restrict(message: Message) -> None:
    """Health data: the inbox shows the text to authorised roles only (``meta["sensitive"]``),
    and a subject taken from the text is replaced, since lists and page titles show it."""
    message.meta = {**message.meta, "sensitive": "health"}
    message.save(update_fields=["meta"])
    conversation = message.conversation
    subject = conversation.subject.rstrip("…. ")
    if subject and subject in " ".join(message.text.split()):
        conversation.subject = _("Commentaire masqué : données de santé")
        conversation.save(update_fields=["subject", "updated_at"])


def _reasons_text(case: ModerationCase) -> str:
    if case.elected:
        return _("commentaire d'un élu, à examiner par la communication")
    if case.angry:
        return _("colère légitime : à ne pas masquer, une réponse d'apaisement est proposée")
    return ", ".join(f"{r['label']} ({r['score']:.2f})" for r in case.reasons)


def _flag_to_head(case: ModerationCase, setup: ModerationSetup, why: str) -> None:
    head = setup.head_of_communication
    case.escalated_to = head
    case.state = CaseState.ESCALATED
    case.save(update_fields=["escalated_to", "state", "updated_at"])
    actions.record(
        case, None, Decision.NOTIFY, article=None, note=f"{why} → {head or _('communication')}"
    )


def _apply_rule(
    case: ModerationCase,
    rule: AutoRule,
    analysis: Analysis,
    setup: ModerationSetup,
    elected: bool,
) -> None:
    electoral_period = setup.in_electoral_period()
    if rule.action == RuleAction.PROPOSE_HIDE:
        if rule.charter_rule and not applies(rule.charter_rule, electoral_period):
            return
        if rule.charter_rule and case.charter_rule is None:
            case.charter_rule = rule.charter_rule
            case.severity = max(case.severity, rule.charter_rule.severity)
        case.proposed_action = ProposedAction.HIDE
        case.save(update_fields=["charter_rule", "severity", "proposed_action", "updated_at"])
    elif rule.action == RuleAction.LABEL:
        if rule.tag not in case.tags:
            case.tags = [*case.tags, rule.tag]
            case.save(update_fields=["tags", "updated_at"])
            actions.record(case, None, Decision.LABEL, article=None, note=rule.tag)
    elif rule.action == RuleAction.NOTIFY:
        if not elected:  # an elected official's comment is flagged already
            _flag_to_head(case, setup, rule.name)
    elif rule.action == RuleAction.ASSIGN:
        _assign(case, rule)
    elif rule.action == RuleAction.HIDE:
        _hide_automatically(case, rule, analysis, elected, electoral_period)


def _assign(case: ModerationCase, rule: AutoRule) -> None:
    conversation = case.message.conversation
    try:
        inbox.assign_conversation(rule.assignee, conversation, rule.assignee)
    except ActionError as exc:
        actions.record(case, None, Decision.ASSIGN, article=None, note=str(exc))
        return
    actions.record(case, None, Decision.ASSIGN, article=None, note=str(rule.assignee))


def _hide_automatically(
    case: ModerationCase, rule: AutoRule, analysis: Analysis, elected: bool, electoral_period: bool
) -> None:
    """Hide at once, only where an administrator enabled it and the article is evidenced; never
    an elected official's comment; then explain in private, citing the article."""
    if (
        elected
        or not may_hide_automatically(rule, analysis, electoral_period)
        or actions.hide_pending(case)
    ):
        return
    if case.angry and rule.charter_rule.slug not in PRIVACY_SLUGS:
        # Angry but legitimate: a person answers it; only a privacy article, whose hiding
        # protects someone, hides it automatically.
        return
    message, article = case.message, rule.charter_rule
    try:
        inbox.hide_message(None, message)
    except ActionError as exc:
        actions.record(case, None, Decision.NOTIFY, article=article, note=str(exc))
        return
    case.charter_rule = case.charter_rule or article
    case.save(update_fields=["charter_rule", "updated_at"])
    actions.mark_auto_hidden(case)
    actions.record(case, None, Decision.AUTO_HIDE, article=article, note=rule.name)
    if rule.explain_privately:
        try:
            actions.explain(None, case, article)
        except ActionError as exc:
            actions.record(case, None, Decision.NOTIFY, article=article, note=str(exc))
