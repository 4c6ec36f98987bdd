"""civique knowledge import / export: bad rows reported by line, nothing half-imported, and an
export imports back unchanged."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from civique.inbox.models import Category
from civique.knowledge.models import Article, ArticleVersion

GOOD = (
    "title,body,keywords,category,source\n"
    'Horaires de la piscine,"Ouverte du mardi au dimanche.\nFermée le lundi.",'
    "piscine,sport,site\n"
    "Jours de marché,Mercredi et samedi matin,marché,,affiche\n"
)


@pytest.fixture
def sport(db):
    return Category.objects.create(slug="sport", name="Sport et loisirs")


def run_import(tmp_path, content: str | bytes) -> tuple[str, str]:
    path = tmp_path / "fiches.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out, err = io.StringIO(), io.StringIO()
    call_command("knowledge", "import", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_articles_and_ignores_extra_columns(tmp_path, sport):
    out, _err = run_import(tmp_path, GOOD)
    assert "2 fiches créées" in out and "Colonnes ignorées : source" in out
    pool = Article.objects.get(question="Horaires de la piscine")
    assert pool.answer == "Ouverte du mardi au dimanche.\nFermée le lundi."
    assert pool.category == sport and pool.version == 1


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path, sport):
    run_import(tmp_path, GOOD)
    out, _err = run_import(tmp_path, GOOD)
    assert "0 fiches créées, 0 modifiées, 2 inchangées" in out
    assert ArticleVersion.objects.count() == 2


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path, sport):
    content = (
        "title,body,keywords,category\n"
        "Bonne fiche,Texte,mots,sport\n"
        '"Fiche sur\ndeux lignes",Texte,mots,sport\n'
        ",Sans titre,mots,sport\n"
        "Thème inconnu,Texte,mots,astronomie\n"
        "Contrôle,Te\x01xte,mots,\n"
    )
    with pytest.raises(CommandError, match="aucune fiche n'a été importée"):
        call_command(
            "knowledge",
            "import",
            str(_write(tmp_path, content)),
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )
    report = err.getvalue()
    assert "Ligne 5 : le titre (colonne « title ») est vide." in report
    assert "Ligne 6 : thème inconnu « astronomie »." in report
    assert "Ligne 7 : la colonne « body » contient un caractère de contrôle." in report
    assert "Ligne 2" not in report and "Ligne 3" not in report
    assert not Article.objects.exists()


def _write(tmp_path, content: str | bytes):
    path = tmp_path / "fiches.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"title,body,keywords,category\nCaf\xe9,x,y,\n",
            "n'est pas en UTF-8 (octet invalide ligne 2)",
        ),
        ("", "Le fichier est vide"),
        ("title,body\nA,B\n", "Colonnes manquantes dans l'en-tête : keywords, category"),
    ],
)
def test_unreadable_files_get_a_french_error(tmp_path, db, content, message):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "knowledge", "import", str(_write(tmp_path, content)), stdout=io.StringIO(), stderr=err
        )
    assert message in err.getvalue()


def test_a_missing_file_gets_a_french_error(db):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("knowledge", "import", "/nonexistent/fiches.csv")


def test_export_then_import_gives_back_the_same_articles(tmp_path, sport, article_factory, team):
    from datetime import date

    article_factory(
        'Horaires, "été" et hiver',
        "Ligne 1\nLigne 2, avec virgule",
        keywords="horaires, saison",
        category=sport,
        team=team,
        is_public=True,
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    article_factory("Sans thème", "Texte")
    out = io.StringIO()
    call_command("knowledge", "export", stdout=out, stderr=io.StringIO())
    exported = out.getvalue()
    before = list(Article.objects.order_by("pk").values())
    Article.objects.all().delete()
    result, _err = run_import(tmp_path, exported)
    assert "2 fiches créées" in result
    after = list(Article.objects.order_by("pk").values())
    keep = ("slug", "question", "answer", "keywords", "category_id", "team_id", "is_public",
            "valid_from", "valid_until", "language")  # fmt: skip
    assert [{k: a[k] for k in keep} for a in after] == [{k: b[k] for k in keep} for b in before]
    # And exporting again gives the same file.
    again = io.StringIO()
    call_command("knowledge", "export", stdout=again, stderr=io.StringIO())
    assert again.getvalue() == exported


def test_reindex_rebuilds_a_lost_index(passport, bulky):
    from django.db import connection

    from civique.knowledge import search

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM knowledge_fts")
        else:
            cursor.execute("UPDATE knowledge_searchentry SET search_vector = NULL")
    assert search.search("passeport") == []
    out = io.StringIO()
    call_command("knowledge", "reindex", stdout=out)
    assert "2 éléments réindexés" in out.getvalue()
    assert search.search("passeport")[0].title == passport.question
