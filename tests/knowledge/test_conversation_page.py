"""The conversation page shows suggestions; one click puts one in the reply box."""

from __future__ import annotations

from django.urls import reverse

from civique.knowledge.models import Choice, EntryKind, SearchEntry, TeamAnswerSettings


def test_the_conversation_page_suggests_the_matching_article(
    client, agent, passport, bulky, conversation_factory
):
    conversation = conversation_factory("bjr je voudrai refaire ma carte d identiter svp")
    client.force_login(agent)
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    assert "Suggestions de réponse" in page
    assert page.index(passport.question.replace("'", "&#x27;")) < page.index("Réponses types")


def test_inserting_a_template_fills_its_variables_in_the_reply_box(
    client, agent, team, template, conversation_factory
):
    TeamAnswerSettings.objects.create(team=team, announced_delay="10 jours", signature="L'accueil")
    conversation = conversation_factory("accusé de réception ?")
    entry = SearchEntry.objects.get(kind=EntryKind.TEMPLATE, object_id=template.pk)
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:use", args=[conversation.pk]),
        {"entry": entry.pk, "suggested": "1", "reply-text": "Déjà écrit."},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reply-text"' in body
    assert "Déjà écrit.\n\nBonjour Jeanne Dupont," in body
    assert conversation.reference in body and "10 jours" in body and "L&#x27;accueil" in body
    assert Choice.objects.filter(entry=entry, conversation=conversation, suggested=True).exists()


def test_without_javascript_the_insertion_opens_a_filled_reply_form(
    client, agent, template, conversation_factory
):
    conversation = conversation_factory("accusé de réception ?")
    entry = SearchEntry.objects.get(kind=EntryKind.TEMPLATE, object_id=template.pk)
    client.force_login(agent)
    response = client.post(reverse("knowledge:use", args=[conversation.pk]), {"entry": entry.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("inbox:reply", args=[conversation.pk]) in body
    # No deadline configured for the team: said in French, the variable left visible.
    assert "Valeur manquante" in body and "{delai}" in body


def test_an_agent_cannot_use_an_entry_on_another_teams_conversation(
    client, outsider, template, conversation_factory
):
    conversation = conversation_factory("accusé")
    entry = SearchEntry.objects.get(kind=EntryKind.TEMPLATE, object_id=template.pk)
    client.force_login(outsider)
    response = client.post(reverse("knowledge:use", args=[conversation.pk]), {"entry": entry.pk})
    assert response.status_code == 404


def test_a_bad_entry_gets_a_clear_answer(client, agent, conversation_factory):
    conversation = conversation_factory("accusé")
    client.force_login(agent)
    url = reverse("knowledge:use", args=[conversation.pk])
    assert client.post(url, {"entry": "abc"}).status_code == 422
    assert client.post(url, {"entry": "99999999"}).status_code == 404
    # By HTMX (no template chosen in the list): the box comes back as it was, with the reason.
    box = client.post(url, {"entry": "", "reply-text": "Mon texte"}, HTTP_HX_REQUEST="true")
    body = box.content.decode()
    assert box.status_code == 200 and "\nMon texte</textarea>" in body
    assert "Choisissez d&#x27;abord une réponse type dans la liste." in body


def test_the_template_search_answers_a_fragment(client, agent, template, conversation_factory):
    conversation = conversation_factory("x")
    client.force_login(agent)
    url = reverse("knowledge:template_search", args=[conversation.pk])
    assert "Accusé de réception" in client.get(url, {"q": "accuse"}).content.decode()
    assert client.get(url, {"q": "a\x00b"}).status_code == 422


def test_a_request_from_the_portal_gets_the_demo_article_first(client, agent, webform_channel):
    from civique.demo.knowledge_base import load_knowledge_base
    from tests.intake import request_from

    load_knowledge_base()
    conversation = request_from(
        webform_channel,
        name="Paul Girard",
        email="paul.girard@example.fr",
        subject="Lampadaire",
        text="bjr le lampadere devant chez moi est en panne depuis 1 semaine",
    )
    client.force_login(agent)
    page = client.get(reverse("inbox:detail", args=[conversation.pk])).content.decode()
    first = page.index('class="suggestion"')
    assert "Un lampadaire est en panne" in page[first : first + 400]
    results = client.get(
        reverse("knowledge:template_search", args=[conversation.pk]), {"q": "accuse reception"}
    )
    assert "Accusé de réception" in results.content.decode()
