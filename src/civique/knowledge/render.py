"""Filling an answer's variables. Variables are written ``{nom}``; an unknown one, or one with no
value here, is left in the text as written and reported in French: rendering never fails.

| variable | value |
|---|---|
| ``{nom}`` | the contact's name |
| ``{reference}`` | the conversation's reference (V-123) |
| ``{equipe}`` | the conversation's team |
| ``{delai}`` | the answer deadline the team announces (its answer settings) |
| ``{signature}`` | the agent's signature, else the team's (empty on a public comment) |
| ``{organisme}``, ``{telephone}``, ``{site}``, ``{adresse}``, ``{horaires}`` | a partner
  body's details, in its redirect text |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from civique.contacts.normalize import format_phone
from civique.inbox.models import Conversation, Visibility
from civique.knowledge.models import (
    AgentSignature,
    AnswerTemplate,
    Form,
    Institution,
    TeamAnswerSettings,
    TemplateVariant,
)

VARIABLE = re.compile(r"\{([^{}\s]{1,40})\}")
CONVERSATION_VARIABLES = ("nom", "reference", "equipe", "delai", "signature")
INSTITUTION_VARIABLES = ("organisme", "telephone", "site", "adresse", "horaires")

# The channel kinds whose answers are formal (letters, mail, the portal's follow-up).
FORMAL_KINDS = {"email", "webform", "api", "letter", "counter", "phone"}


@dataclass
class Rendered:
    text: str
    problems: list[str] = field(default_factory=list)


def form_for(conversation: Conversation) -> str:
    """The answer's shape on this conversation: short under a public comment, formal by mail
    or letter, a plain message on private messaging."""
    if conversation.visibility == Visibility.PUBLIC:
        return Form.SHORT
    if conversation.channel.kind in FORMAL_KINDS:
        return Form.FORMAL
    return Form.MESSAGE


def signature_for(agent, conversation: Conversation) -> str:
    """The agent's signature, else the team's; none on a public comment."""
    if conversation.visibility == Visibility.PUBLIC:
        return ""
    own = AgentSignature.objects.filter(agent=agent).first() if agent else None
    if own and own.text.strip():
        return own.text.strip()
    settings = TeamAnswerSettings.objects.filter(team_id=conversation.team_id).first()
    return settings.signature.strip() if settings else ""


def conversation_values(agent, conversation: Conversation) -> dict[str, str]:
    settings = TeamAnswerSettings.objects.filter(team_id=conversation.team_id).first()
    return {
        "nom": conversation.contact.display_name if conversation.contact else "",
        "reference": conversation.reference,
        "equipe": conversation.team.name if conversation.team else "",
        "delai": settings.announced_delay if settings else "",
        "signature": signature_for(agent, conversation),
    }


def institution_values(institution: Institution) -> dict[str, str]:
    return {
        "organisme": institution.name,
        "telephone": format_phone(institution.phone) if institution.phone else "",
        "site": institution.website,
        "adresse": institution.address,
        "horaires": institution.hours,
    }


def fill(body: str, values: dict[str, str]) -> Rendered:
    """Replace each ``{variable}`` of ``body`` by its value; report unknown and empty ones."""
    problems: list[str] = []
    unknown: list[str] = []
    empty: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        if not values[name]:
            if name not in empty and name != "signature":
                empty.append(name)
            return "" if name == "signature" else match.group(0)
        return values[name]

    text = VARIABLE.sub(replace, body)
    if unknown:
        problems.append(
            _(
                "Variable inconnue, laissée telle quelle : %(names)s "
                "(variables possibles : %(known)s)."
            )
            % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in values),
            }
        )
    if empty:
        problems.append(
            _("Valeur manquante, à compléter avant l'envoi : %(names)s.")
            % {"names": ", ".join(f"{{{name}}}" for name in empty)}
        )
    return Rendered(text.strip(), problems)


def choose_variant(template: AnswerTemplate, form: str, language: str) -> TemplateVariant | None:
    """The variant of this form and language, else of this form in French, else the formal
    one, else any."""
    variants = list(template.variants.all())
    for wanted in ((form, language), (form, "fr"), (Form.FORMAL, language), (Form.FORMAL, "fr")):
        for variant in variants:
            if (variant.form, variant.language) == wanted:
                return variant
    return variants[0] if variants else None


def with_signature(text: str, body: str, signature: str) -> str:
    """Add the signature below the text unless the body already placed it with {signature}."""
    if not signature or "{signature}" in body:
        return text
    return f"{text}\n\n{signature}"


def render_template(
    template: AnswerTemplate, agent, conversation: Conversation, language: str = "fr"
) -> Rendered:
    variant = choose_variant(template, form_for(conversation), language)
    if variant is None:
        return Rendered("", [_("Cette réponse type n'a aucun texte.")])
    values = conversation_values(agent, conversation)
    rendered = fill(variant.body, values)
    rendered.text = with_signature(rendered.text, variant.body, values["signature"])
    return rendered


def render_redirect(institution: Institution, agent, conversation: Conversation) -> Rendered:
    """The text telling the person where to turn, in the channel's shape."""
    body = institution.redirect_text or _(
        "Votre demande relève de {organisme}, qui pourra vous répondre directement. "
        "Vous pouvez le joindre au {telephone} ou sur {site}."
    )
    values = {**conversation_values(agent, conversation), **institution_values(institution)}
    rendered = fill(body, values)
    rendered.text = with_signature(rendered.text, body, values["signature"])
    return rendered


def render_article(answer: str, agent, conversation: Conversation) -> Rendered:
    values = conversation_values(agent, conversation)
    rendered = fill(answer, values)
    rendered.text = with_signature(rendered.text, answer, values["signature"])
    return rendered
