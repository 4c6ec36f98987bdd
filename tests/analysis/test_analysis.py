"""The public API: analyse and analyse_many, their shape, health data and spam; and property
tests: never raises, spans within bounds and equal to the text they point at."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from civique.analysis import THRESHOLD, Analysis, analyse, analyse_many
from civique.analysis.base import LABELS


def labels(text: str, ner: bool = False) -> set[str]:
    return {f.label for f in analyse(text, ner=ner).findings if f.score >= THRESHOLD}


def test_health_data_about_an_identified_person():
    found = analyse("ma mère Mme Dupont est en réanimation depuis mardi, chambre 12", ner=False)
    assert found.score("health") >= 0.9
    assert "personal.name" in found.labels()
    assert labels("mon fils diabétique n'a pas eu son insuline") >= {"health"}


def test_a_health_word_about_a_service_is_only_a_hint():
    found = analyse("le service de cardiologie est saturé, 6h d'attente aux urgences", ner=False)
    assert found.score("health") < THRESHOLD


def test_spam_links_and_flood():
    assert labels("Gagnez des bitcoins facilement ici bit.ly/xyz123") >= {
        "spam.link",
        "spam.advertising",
    }
    assert "spam.flood" in labels("NON NON NON NON NON NON NON au projet")
    assert "spam.flood" in labels("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")


def test_a_link_to_the_institutions_own_site_is_not_spam():
    text = "Le formulaire est sur https://www.valmont.fr/demarches"
    assert analyse(text, ner=False, own_contacts=["valmont.fr"]).labels() == set()
    assert "spam.link" in analyse(text, ner=False).labels()


def test_a_calm_message_has_no_finding():
    assert analyse("Bonjour, à quelle heure ouvre la médiathèque samedi ? Merci").findings == ()


def test_every_label_is_in_the_vocabulary_and_the_json_round_trips():
    texts = [
        "sale con je vais te buter 06 12 34 56 78 bit.ly/x ma mère est en réa",
        "c'est INADMISSIBLE !!!",
    ]
    for result in analyse_many(texts, ner=False):
        assert result.labels() <= set(LABELS)
        assert Analysis.from_json(result.to_json()) == result


def test_analyse_many_matches_analyse_one_by_one():
    texts = ["Mme Durand est diabétique", "rien à signaler", "", "t'es un connard"]
    assert analyse_many(texts, ner=False) == [analyse(t, ner=False) for t in texts]


def test_ner_finds_a_name_that_no_civility_introduces_and_spares_street_names():
    found = analyse("Paul Durand est un connard, il habite rue Victor Hugo")
    names = [s.text for f in found.findings if f.label == "personal.name" for s in f.spans]
    assert names == ["Paul Durand"]


def check_spans(result: Analysis, text: str) -> None:
    for finding in result.findings:
        assert 0.0 <= finding.score <= 1.0
        assert finding.label in LABELS
        for span in finding.spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text


FRENCHISH = st.lists(
    st.sampled_from(
        [
            *"abcdeéèêfghijklmnopqrstuvwxyzàçôûCOÉ0123456789 .,;:!?'’-*@$+/\n",
            *["connard", " rue ", "06 12 34 56 78", "né le ", "FR76", "2A", "bit.ly/"],
            " je vais te ",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_analyse_never_raises_and_spans_match_the_text(text):
    check_spans(analyse(text, ner=False), text)


@settings(max_examples=300, deadline=None)
@given(FRENCHISH)
def test_spans_match_the_text_on_french_looking_input(text):
    check_spans(analyse(text, ner=False), text)


@settings(max_examples=40, deadline=None)
@given(st.lists(FRENCHISH, max_size=4))
def test_ner_spans_match_the_text_too(texts):
    for text, result in zip(texts, analyse_many(texts), strict=True):
        check_spans(result, text)


def test_a_call_to_vote_is_electoral_and_a_mention_of_an_election_a_hint():
    found = analyse("Le 15 mars, votez pour notre liste ! #municipales2026", ner=False)
    assert found.score("politics.electoral") >= THRESHOLD
    assert 0 < analyse("Les municipales ont lieu en mars", ner=False).score("politics") < THRESHOLD
    assert analyse("Où se trouve mon bureau de vote ?", ner=False).findings == ()
