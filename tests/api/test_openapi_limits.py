"""The OpenAPI description states the limits the API enforces, so that what it calls valid is
accepted and what it calls invalid is refused: control characters and blank texts (patterns),
the sender given one way (``oneOf``), plausible years for ``occurred_at``. Found by the
property-based run (test_schema_properties.py); each is checked here on its own."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civique.api.api import api
from civique.api.schemas import NO_CONTROLS, NON_BLANK, InboundMessageIn, ReplyIn

pytestmark = pytest.mark.django_db

COMPONENTS = api.get_openapi_schema()["components"]["schemas"]


def _validator(name: str):
    # The schema refers to its siblings through #/components/schemas/.
    schema = {**COMPONENTS[name], "components": {"schemas": COMPONENTS}}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _accepted(model, document: dict) -> bool:
    try:
        model.model_validate(document)
    except ValueError:
        return False
    return True


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_a_reply_text_valid_in_the_description_is_taken_and_the_converse(text):
    described = _validator("ReplyIn").is_valid({"text": text})
    accepted = _accepted(ReplyIn, {"text": text})

    assert accepted or not described
    # Stripping goes first: a form feed at an end is only whitespace to the API.
    if text == text.strip():
        assert described == accepted


def test_the_text_patterns_refuse_controls_and_blanks_and_keep_the_rest():
    no_controls, non_blank = re.compile(NO_CONTROLS), re.compile(NON_BLANK)

    assert no_controls.search("Bonjour\tà\r\ntous ‮")
    assert not no_controls.search("nul\x00") and not no_controls.search("\x7f")
    assert non_blank.search(" a ") and not non_blank.search(" \u3000\n\t")


@pytest.mark.parametrize(
    "sender, valid",
    [
        ({"email": "lea@example.org"}, True),
        ({"phone": "+33612345678"}, True),
        ({"identity_kind": "api", "identity_value": "crm:4521"}, True),
        ({"identity_kind": "whatsapp", "identity_value": "+33612345678"}, True),
        ({}, False),
        ({"email": "lea@example.org", "phone": "+33612345678"}, False),
        ({"identity_kind": "api"}, False),
        ({"identity_kind": "api", "identity_value": "   "}, False),
        ({"identity_kind": "phone", "identity_value": "ref"}, False),
        ({"phone": "portal_submission"}, False),
    ],
)
def test_the_description_says_the_sender_is_given_one_way(sender, valid):
    document = {"channel": 1, "text": "Bonjour", **sender}

    assert _validator("InboundMessageIn").is_valid(document) is valid
    assert _accepted(InboundMessageIn, document) is valid


@pytest.mark.parametrize(
    "when, valid",
    [
        ("2025-05-12T09:30:00+02:00", True),
        ("1901-01-01T00:00:00Z", True),
        ("1899-12-31T23:00:00Z", False),
        ("0380-07-20T05:29:11-02:41", False),
    ],
)
def test_the_description_bounds_the_year_of_occurred_at(when, valid):
    document = {"channel": 1, "text": "Bonjour", "email": "lea@example.org", "occurred_at": when}

    assert _validator("InboundMessageIn").is_valid(document) is valid
    assert _accepted(InboundMessageIn, document) is valid
