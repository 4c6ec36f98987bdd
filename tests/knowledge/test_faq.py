"""The portal's FAQ shows public articles valid today, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone


def test_the_faq_lists_public_valid_articles_only(client, article_factory, team):
    today = timezone.localdate()
    article_factory("Horaires de la piscine", is_public=True)
    article_factory("Procédure interne de la piscine", is_public=False)
    article_factory("Fermeture de la piscine l'été dernier", is_public=True,
                    valid_until=today - timedelta(days=1))  # fmt: skip
    article_factory("Piscine : nouveaux tarifs à venir", is_public=True,
                    valid_from=today + timedelta(days=1))  # fmt: skip
    article_factory("Consignes internes de l'accueil", is_public=False, team=team)
    page = client.get(reverse("portal:faq")).content.decode()
    assert "Horaires de la piscine" in page
    for hidden in ["Procédure interne", "été dernier", "nouveaux tarifs", "Consignes internes"]:
        assert hidden not in page
    searched = client.get(reverse("portal:faq"), {"q": "piscine"}).content.decode()
    assert "Horaires de la piscine" in searched
    for hidden in ["Procédure interne", "été dernier", "nouveaux tarifs"]:
        assert hidden not in searched


def test_an_internal_article_is_never_served_on_the_portal(client, article_factory):
    internal = article_factory("Procédure interne", is_public=False)
    expired = article_factory(
        "Ancienne fiche", is_public=True, valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert client.get(reverse("portal:faq_article", args=[internal.pk])).status_code == 404
    assert client.get(reverse("portal:faq_article", args=[expired.pk])).status_code == 404


def test_the_faq_search_finds_without_accents_and_links_the_article(client, passport):
    page = client.get(reverse("portal:faq"), {"q": "carte identite"}).content.decode()
    link = reverse("portal:faq_article", args=[passport.pk])
    assert link in page
    article = client.get(link).content.decode()
    assert "Prenez rendez-vous en ligne" in article


def test_a_bad_faq_search_gets_a_french_error(client, db):
    response = client.get(reverse("portal:faq"), {"q": "x" * 201})
    assert response.status_code == 422
    assert "Le formulaire contient une erreur" in response.content.decode()
    assert client.get(reverse("portal:faq"), {"q": "a\x00b"}).status_code == 422
