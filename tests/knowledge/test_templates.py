"""Template variables, variants per channel form, signatures: never a crash."""

from __future__ import annotations

from civique.channels.models import Channel
from civique.knowledge import render
from civique.knowledge.models import AgentSignature, TeamAnswerSettings


def test_variables_are_filled(agent, team, template, conversation_factory):
    TeamAnswerSettings.objects.create(team=team, announced_delay="5 jours ouvrés")
    conversation = conversation_factory("x")
    rendered = render.render_template(template, agent, conversation)
    assert rendered.text.startswith("Bonjour Jeanne Dupont,")
    assert f"Votre demande {conversation.reference} est suivie par le service Accueil." in (
        rendered.text
    )
    assert "5 jours ouvrés" in rendered.text
    assert rendered.problems == []


def test_an_unknown_variable_is_kept_and_reported_in_french():
    rendered = render.fill("Bonjour {prenom} {nom}", {"nom": "Dupont"})
    assert rendered.text == "Bonjour {prenom} Dupont"
    assert rendered.problems == [
        "Variable inconnue, laissée telle quelle : {prenom} (variables possibles : {nom})."
    ]


def test_braces_that_are_not_variables_never_break_the_text():
    for body in ["{", "}", "{}", "{{nom}}", "{ nom }", "{0}", "%(nom)s {nom!r}"]:
        render.fill(body, {"nom": "X"})


def test_a_public_comment_gets_the_short_variant_and_no_signature(
    agent, team, template, conversation_factory
):
    AgentSignature.objects.create(agent=agent, text="Bruno, accueil de Valmont")
    facebook = Channel.objects.create(kind="facebook", name="Page", team=team)
    conversation = conversation_factory("x", channel=facebook, visibility="public")
    rendered = render.render_template(template, agent, conversation)
    assert rendered.text == "Merci Jeanne Dupont, nous regardons cela."


def test_an_email_gets_the_formal_variant_signed_by_the_agent_before_the_team(
    agent, team, template, conversation_factory
):
    TeamAnswerSettings.objects.create(team=team, announced_delay="5 jours", signature="L'équipe")
    conversation = conversation_factory("x")
    assert render.render_template(template, agent, conversation).text.endswith("L'équipe")
    AgentSignature.objects.create(agent=agent, text="Bruno Martin")
    assert render.render_template(template, agent, conversation).text.endswith("Bruno Martin")


def test_the_variant_in_the_persons_language_is_preferred(template, agent, conversation_factory):
    from civique.knowledge.models import Form, TemplateVariant

    TemplateVariant.objects.create(
        template=template, form=Form.FORMAL, language="en", body="Hello {nom}."
    )
    conversation = conversation_factory("x")
    assert render.render_template(template, agent, conversation, "en").text.startswith("Hello")
    assert render.render_template(template, agent, conversation, "de").text.startswith("Bonjour")
