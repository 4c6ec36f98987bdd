"""Identity normalisation: one place decides when two handles are the same."""

import pytest
from django.core.exceptions import ValidationError

from civique.contacts.normalize import format_phone, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("+32 470 12 34 56", "+32470123456"),  # Belgium, international form
    ],
)
def test_it_reads_french_and_overseas_numbers_to_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12", "06 12", "pas un numéro", ""])
def test_it_refuses_what_is_not_a_phone_number(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_french_numbers_display_in_national_form():
    assert format_phone("+33612345678") == "06 12 34 56 78"


def test_emails_are_lower_cased_and_checked():
    assert normalize_email(" <Jeanne.Dupont@Example.ORG> ") == "jeanne.dupont@example.org"
    with pytest.raises(ValidationError):
        normalize_email("jeanne@")
