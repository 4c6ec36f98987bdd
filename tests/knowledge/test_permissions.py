"""Who reads and who writes articles: the three standing users and a supervisor."""

from __future__ import annotations

from django.urls import reverse

from civique.knowledge.models import Article, ArticleVersion


def test_an_internal_team_article_is_read_by_its_team_only(
    client, agent, outsider, admin_user, article_factory, team
):
    article = article_factory("Consignes de l'accueil", team=team)
    url = reverse("knowledge:article", args=[article.pk])
    client.force_login(agent)
    assert client.get(url).status_code == 200
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert "Consignes de l" not in client.get(reverse("knowledge:home")).content.decode()


def test_an_agent_cannot_edit_articles(client, agent, passport):
    client.force_login(agent)
    assert client.get(reverse("knowledge:article_new")).status_code == 403
    response = client.post(
        reverse("knowledge:article_edit", args=[passport.pk]),
        {"question": "Piraté", "answer": "x", "language": "fr"},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=passport.pk).question != "Piraté"


def test_a_supervisor_edits_and_each_save_is_a_version_with_its_author(
    client, supervisor, passport
):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledge:article_edit", args=[passport.pk]),
        {"question": passport.question, "answer": "Nouvelle réponse.", "language": "fr",
         "keywords": passport.keywords, "is_public": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    passport.refresh_from_db()
    assert passport.version == 2 and passport.answer == "Nouvelle réponse."
    latest, first = ArticleVersion.objects.filter(article=passport)
    assert (latest.number, latest.author, latest.answer) == (2, supervisor, "Nouvelle réponse.")
    assert first.number == 1 and first.answer.startswith("Prenez rendez-vous")
    page = client.get(reverse("knowledge:article", args=[passport.pk])).content.decode()
    assert "Version 2, par" in page


def test_a_supervisor_cannot_give_an_article_to_a_team_not_theirs(client, supervisor, other_team):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledge:article_new"),
        {"question": "Q", "answer": "R", "language": "fr", "team": other_team.pk},
    )
    assert response.status_code == 422
    assert not Article.objects.exists()


def test_validity_dates_are_checked(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("knowledge:article_new"),
        {"question": "Q", "answer": "R", "language": "fr",
         "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "La fin de validité précède son début." in response.content.decode()


def test_the_knowledge_link_is_in_the_back_office_navigation(client, agent):
    client.force_login(agent)
    page = client.get(reverse("inbox:list")).content.decode()
    assert f'href="{reverse("knowledge:home")}"' in page


def test_editing_a_partner_body_in_the_admin_updates_the_search(client, caf):
    from civique.core.models import User
    from civique.knowledge import search

    client.force_login(User.objects.create_superuser("root", password="motdepasse-root"))
    response = client.post(
        reverse("admin:knowledge_institution_change", args=[caf.pk]),
        {"slug": "caf", "name": caf.name, "description": "Aides au logement et tramways",
         "keywords": caf.keywords, "phone": "09 69 32 21 52", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    caf.refresh_from_db()
    assert caf.phone == "+33969322152"
    assert [hit.title for hit in search.search("tramways")] == [caf.name]
    bad = client.post(
        reverse("admin:knowledge_institution_change", args=[caf.pk]),
        {"slug": "caf", "name": caf.name, "phone": "pas un numéro", "is_active": "on"},
    )
    assert bad.status_code == 200 and "Numéro de téléphone invalide" in bad.content.decode()


def test_the_back_office_search_links_articles_and_partner_bodies(client, agent, passport, caf):
    client.force_login(agent)
    page = client.get(reverse("knowledge:home"), {"q": "passeport allocations"}).content.decode()
    assert reverse("knowledge:article", args=[passport.pk]) in page
    assert f"{reverse('knowledge:institutions')}#organisme-{caf.pk}" in page
    directory = client.get(reverse("knowledge:institutions")).content.decode()
    assert f'id="organisme-{caf.pk}"' in directory and "09 69 32 21 52" in directory
