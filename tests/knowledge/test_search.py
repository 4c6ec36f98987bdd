"""The search finds articles whatever the accents, the inflection, typos and phone spellings."""

from __future__ import annotations

import pytest

from civique.knowledge import search
from civique.knowledge.models import EntryKind


def titles(query: str, **kwargs) -> list[str]:
    return [hit.title for hit in search.search(query, **kwargs)]


def test_it_finds_an_article_written_without_accents(passport, bulky):
    assert titles("carte d'identite")[0] == passport.question


def test_it_finds_an_article_with_accents_in_the_query_only(article_factory):
    article = article_factory("Horaires de la mairie", keywords="ouverture, horaires")
    assert titles("à quelle heure ouvre la mairie ?")[0] == article.question


def test_it_matches_plural_and_inflected_forms(passport, bulky):
    assert titles("enlèvement d'un encombrant")[0] == bulky.question
    assert titles("passeports")[0] == passport.question


def test_it_forgives_a_typo(passport, bulky):
    assert titles("encombrnts")[0] == bulky.question
    assert titles("pasport")[0] == passport.question


def test_it_reads_phone_spellings(passport, bulky):
    assert titles("bjr pr ma cni svp")[0] == passport.question


def test_it_returns_nothing_for_an_empty_or_meaningless_query(passport):
    assert titles("") == []
    assert titles("bonjour merci") == []


def test_an_expired_article_is_not_found(article_factory):
    from datetime import date

    article_factory(
        "Inscriptions au centre de loisirs",
        keywords="centre de loisirs",
        valid_until=date(2000, 1, 1),
    )
    assert titles("centre de loisirs") == []


def test_an_internal_article_of_another_team_is_hidden(article_factory, agent, other_team):
    article_factory("Procédure interne voirie", keywords="procédure voirie", team=other_team)
    assert titles("procédure voirie", user=agent) == []


def test_it_boosts_what_agents_chose(article_factory, agent):
    from civique.knowledge import actions

    first = article_factory("Stationnement résidentiel", keywords="stationnement, voiture")
    second = article_factory("Stationnement gênant", keywords="stationnement, voiture")
    query = "stationnement voiture"
    before = titles(query)
    chosen = second if before[0] == first.question else first
    entry = search.SearchEntry.objects.get(kind=EntryKind.ARTICLE, object_id=chosen.pk)
    for _ in range(3):
        actions.record_choice(agent, entry, conversation=None, message_text=query, suggested=True)
    assert titles(query)[0] == chosen.question


@pytest.mark.parametrize("query", ["'", '"', "a OR b", "NEAR(x y)", "*", "&|!", "x:*"])
def test_query_syntax_of_the_engines_is_plain_text(passport, query):
    search.search(query)  # never raises


def test_the_conversations_theme_raises_its_articles_and_partner_bodies(article_factory, caf):
    from civique.inbox.models import Category
    from civique.knowledge import actions

    social = Category.objects.create(slug="social", name="Action sociale")
    housing = article_factory("Aide au logement d'urgence", keywords="logement, aide")
    caf.categories.add(social)
    actions.sync_institution(caf)
    housing.category = social
    actions.save_article(None, housing)

    def scores(**kwargs) -> dict[str, float]:
        return {hit.title: hit.score for hit in search.search("aide au logement", **kwargs)}

    plain, themed = scores(), scores(category_id=social.pk)
    for title in (caf.name, housing.question):
        assert themed[title] == pytest.approx(plain[title] + search.CATEGORY_WEIGHT)
