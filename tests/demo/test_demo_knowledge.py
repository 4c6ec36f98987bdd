"""``civique demo`` loads Valmont's knowledge base; ``civique setup`` adds it to a demo loaded
before it existed, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from civique.knowledge.models import Article, Institution, SearchEntry, TeamAnswerSettings


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", conversations=5, stdout=out)
    return out.getvalue()


def test_the_demo_loads_the_knowledge_base_with_themes_and_teams(demo):
    assert "base de connaissances : 41 fiches, 8 réponses types, 12 organismes" in demo
    assert Article.objects.get(slug="lampadaire-panne").category.slug == "eclairage-public"
    assert Article.objects.get(slug="consignes-moderation").team.slug == "communication"
    assert Institution.objects.get(slug="caf").categories.filter(slug="social-ccas").exists()
    assert TeamAnswerSettings.objects.get(team__slug="voirie").announced_delay == "3 semaines"


def test_setup_adds_a_missing_knowledge_base_to_an_existing_demo_once(demo):
    Article.objects.all().delete()
    SearchEntry.objects.filter(kind="article").delete()
    out = StringIO()
    call_command("setup", stdout=out)
    assert "Base de connaissances de la démo ajoutée : 41 fiches" in out.getvalue()
    again = StringIO()
    call_command("setup", stdout=again)
    assert "Base de connaissances" not in again.getvalue()
    assert Article.objects.count() == 41
