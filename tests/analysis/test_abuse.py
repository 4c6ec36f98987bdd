"""Abuse told apart from anger: insults, hate, threats, harassment, obscenity, and the angry
but legitimate complaint that the charter never hides."""

from __future__ import annotations

import pytest

from civique.analysis import THRESHOLD, analyse


def asserted(text: str) -> set[str]:
    return {f.label for f in analyse(text, ner=False).findings if f.score >= THRESHOLD}


def test_an_angry_complaint_is_angry_and_not_abuse():
    labels = asserted("c'est inadmissible, trois semaines que le lampadaire est cassé !!!")
    assert "tone.angry" in labels
    assert not {label for label in labels if label.startswith("abuse.")}


def test_a_swear_word_in_a_complaint_is_a_hint_not_abuse():
    found = analyse("putain ça fait 3 semaines que personne répond !!", ner=False)
    assert found.score("abuse") < THRESHOLD
    assert found.score("tone.angry") >= THRESHOLD


@pytest.mark.parametrize(
    "text",
    ["t'es qu'un connnnard", "bande de c0nnards", "espèce de con.nard", "CONNARD", "connärd va"],
)
def test_disguised_insults_are_found(text):
    assert "abuse.insult" in asserted(text)


def test_a_weak_insult_counts_only_when_aimed_at_someone():
    assert "abuse.insult" in asserted("vous êtes des incapables")
    assert "abuse.insult" not in asserted("je suis incapable de trouver le formulaire")


def test_an_insult_span_is_the_original_text():
    text = "Bonjour, t'es qu'un c0nnnard !"
    found = analyse(text, ner=False)
    (insult,) = [f for f in found.findings if f.label == "abuse.insult"]
    (span,) = insult.spans
    assert text[span.start : span.end] == span.text == "c0nnnard"


@pytest.mark.parametrize(
    "text",
    ["sale arabe", "les migrants dehors, renvoyez les chez eux", "bande de bougnoules"],
)
def test_hate_against_a_protected_group(text):
    assert "abuse.hate" in asserted(text)


@pytest.mark.parametrize(
    "text",
    [
        "je vais te buter",
        "on sait où tu habites",
        "vous allez le regretter",
        "je vais venir avec mon fusil à la mairie",
        "il faudrait les pendre",
    ],
)
def test_threats(text):
    assert "abuse.threat" in asserted(text)


def test_asking_to_be_called_is_no_threat():
    assert asserted("je vais vous appeler demain pour le dossier") == set()


def test_harassment_persistence_and_exposure():
    assert "abuse.harassment" in asserted("je vais te pourrir la vie, je te lâcherai pas")
    assert "abuse.harassment" in asserted("Durand est un connard, il habite au 4 rue des Lilas")


def test_obscenity():
    assert "abuse.obscene" in asserted("suce ma bite")


def test_a_traffic_cone_is_not_an_insult():
    assert asserted("le cône de chantier est tombé sur la chaussée") == set()
