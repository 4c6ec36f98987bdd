"""A comment its author edits on the platform is moderated on its new text."""

from __future__ import annotations

import pytest

from civique.inbox.models import Message
from civique.moderation.models import ModerationCase
from tests.moderation.conftest import receive

pytestmark = pytest.mark.django_db

COMMENT_ID = "872301445528771_0000000000000777"
HOSPITAL = (
    "Ma mère, Jeanne Petit, est hospitalisée en cardiologie depuis lundi après son infarctus "
    "et personne ne nous donne de nouvelles !"
)


def edit(channel, text: str) -> Message:
    receive(channel, text, author="71", name="Paul Girard", comment_id=COMMENT_ID, verb="edited")
    return Message.objects.get(external_id=COMMENT_ID)


def test_a_calm_comment_edited_into_an_insult_gets_its_case(page_routes):
    calm = receive(page_routes, "Merci pour la collecte", author="71", comment_id=COMMENT_ID)
    assert not ModerationCase.objects.filter(message=calm).exists()
    edited = edit(page_routes, "Le maire est un incapable")
    assert edited.pk == calm.pk and edited.text == "Le maire est un incapable"
    case = ModerationCase.objects.get(message=edited)
    assert (case.charter_rule.slug, case.proposed_action) == ("injures", "hide")


def test_an_edit_adding_health_data_restricts_the_existing_case(page_routes):
    insult = receive(page_routes, "Le maire est un incapable", author="71", comment_id=COMMENT_ID)
    assert not insult.moderation.sensitive
    edited = edit(page_routes, f"Le maire est un incapable. {HOSPITAL}")
    edited.moderation.refresh_from_db()
    assert edited.moderation.sensitive and edited.meta["sensitive"] == "health"
