"""Personal data: numbers with checks are reported only when the check holds; street names,
public figures and the institution's own contacts are never reported."""

from __future__ import annotations

import pytest

from civique.analysis import analyse
from civique.analysis.personal import iban_ok, nir_key_ok, tax_number_ok


def spans(text: str, label: str, **kwargs) -> list[str]:
    found = analyse(text, ner=False, **kwargs)
    return [s.text for f in found.findings if f.label == label for s in f.spans]


def test_a_nir_is_reported_when_its_key_holds_and_not_when_it_is_wrong():
    assert nir_key_ok("269054958815780")
    assert not nir_key_ok("269054958815781")
    assert spans("mon numéro de sécu : 2 69 05 49 588 157 80", "personal.nir") == [
        "2 69 05 49 588 157 80"
    ]
    assert spans("mon numéro de sécu : 2 69 05 49 588 157 81", "personal.nir") == []


def test_a_corsican_nir_counts_2a_as_19_and_2b_as_18():
    body_2a = "1850520A12345"  # placeholder replaced below with a real 2A body
    body_2a = "18505" + "2A" + "123456"
    key = 97 - int(body_2a.replace("2A", "19")) % 97
    assert nir_key_ok(f"{body_2a}{key:02d}")
    assert not nir_key_ok(f"{body_2a}{(key % 97) + 1:02d}")
    body_2b = "28505" + "2B" + "654321"
    key_b = 97 - int(body_2b.replace("2B", "18")) % 97
    text = f"NIR {body_2b}{key_b:02d} merci"
    assert spans(text, "personal.nir") == [f"{body_2b}{key_b:02d}"]


def test_an_iban_is_reported_only_when_its_check_digits_hold():
    assert iban_ok("FR7630006000011234567890189")
    assert not iban_ok("FR7630006000011234567890188")
    assert spans("virez sur FR76 3000 6000 0112 3456 7890 189 svp", "personal.iban") == [
        "FR76 3000 6000 0112 3456 7890 189"
    ]
    assert spans("virez sur FR76 3000 6000 0112 3456 7890 188 svp", "personal.iban") == []


def test_a_tax_number_is_reported_when_its_check_holds():
    assert tax_number_ok("3023217600053")
    assert not tax_number_ok("3023217600054")
    assert spans("mon numéro fiscal 3023217600053", "personal.tax_number") == ["3023217600053"]
    assert spans("mon numéro fiscal 3023217600054", "personal.tax_number") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("appelez moi au 06 12 34 56 78 svp", "06 12 34 56 78"),
        ("mon portable 0612345678.", "0612345678"),
        ("tel: +33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("joignable au 01.23.45.67.89 le matin", "01.23.45.67.89"),
    ],
)
def test_french_phone_numbers_are_found_in_their_usual_forms(text, expected):
    assert spans(text, "personal.phone") == [expected]


def test_the_institutions_own_contacts_are_never_reported():
    text = "Appelez la mairie au 01 23 45 67 89 ou écrivez à contact@valmont.fr, moi 06 12 34 56 78"
    own = ["01 23 45 67 89", "contact@valmont.fr"]
    assert spans(text, "personal.phone", own_contacts=own) == ["06 12 34 56 78"]
    assert spans(text, "personal.email", own_contacts=own) == []
    assert spans(text, "personal.email") == ["contact@valmont.fr"]


def test_an_address_needs_a_number_and_a_street_type_and_a_street_name_alone_is_no_person():
    assert spans("j'habite au 12 rue Victor Hugo, 69003 Lyon depuis 3 ans", "personal.address") == [
        "12 rue Victor Hugo, 69003 Lyon"
    ]
    found = analyse("la rue Victor Hugo est encore bloquée par les travaux", ner=True)
    assert not any(f.label.startswith("personal.") for f in found.findings), found


def test_public_figures_are_not_reported_as_names():
    text = "Mme Hidalgo a inauguré la place, M. Martin y était aussi"
    assert spans(text, "personal.name", public_figures=["Hidalgo"]) == ["M. Martin"]


def test_plates_and_birth_dates_are_found():
    assert spans("la voiture AB-123-CD est garée sur le trottoir", "personal.plate") == [
        "AB-123-CD"
    ]
    assert spans("ma plaque 1234 AB 75 date de 1990", "personal.plate") == ["1234 AB 75"]
    assert spans("mon fils, né le 12/03/2015, attend", "personal.birth_date") == [
        "né le 12/03/2015"
    ]
    assert spans("née le 3 mars 1975 à Lyon", "personal.birth_date") == ["née le 3 mars 1975"]


def test_a_reference_number_or_an_amount_is_not_personal_data():
    found = analyse("Dossier 2024-000123, montant 1 234,56 euros, réf 987654321", ner=False)
    assert not any(f.label.startswith("personal.") for f in found.findings), found


def test_an_address_on_the_institutions_own_domain_is_its_own_contact():
    text = "écrivez à accueil@valmont.fr ou à moi, renee@example.org"
    assert spans(text, "personal.email", own_contacts=["valmont.fr"]) == ["renee@example.org"]
