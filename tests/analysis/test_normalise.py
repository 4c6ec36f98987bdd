"""The skeleton folds disguised spellings together and maps back to exact offsets."""

from __future__ import annotations

import pytest

from civique.analysis.lexicon import skeleton_regex
from civique.analysis.normalise import fold, skeleton


@pytest.mark.parametrize(
    "text", ["connard", "connnnnard", "c0nnard", "con.nard", "CONNARD", "connärd", "c*o*n*n*a*r*d"]
)
def test_disguised_spellings_share_one_skeleton(text):
    assert fold(text) == "conard"


def test_leet_stays_out_of_numbers_and_word_edges():
    assert fold("3 semaines, 2024") == "3 semaines 2024"
    assert fold("connard!") == "conard"
    assert fold("@mairie") == "mairie"
    assert fold("s@lope") == "salope"


def test_a_skeleton_match_maps_back_to_the_original_characters():
    text = "Salut, espèce de C0NNNNARD !!"
    skel = skeleton(text)
    start = skel.text.index("conard")
    a, b = skel.span(start, start + len("conard"))
    assert text[a:b] == "C0NNNNARD"


def test_hand_written_patterns_meet_collapsed_skeletons():
    pattern = skeleton_regex(r"\bon va tout casser\b")
    assert pattern.search(skeleton("On va tout casser !").text)
    assert skeleton_regex(r"\bhomme\b").search(skeleton("un homme").text)
