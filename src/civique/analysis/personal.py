"""Personal data: phone numbers, emails, postal addresses, NIR, IBAN, tax numbers, licence
plates, birth dates, and names introduced by a civility (``Mme Dupont``); names found by the
NER layer are in ``ner``.

Numbers with a check (NIR, IBAN, tax number) are only reported when the check holds, so a
reference number or an amount is not taken for one. The administration's own published
contacts (``own_contacts``: emails, phone numbers, web domains) and public figures are never
reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.fr import nif as stdnum_nif

from civique.analysis.base import Finding, Span
from civique.analysis.normalise import fold

NAME = "personal-rules"

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}\b")
# A run that may hold a phone number: phonenumbers is called on these only (it is slow).
PHONE_HINT = re.compile(r"(?:\+|\b0)[\d\s.\-()/]{8,20}\d")

VOIES = (
    r"rue|r\.|avenue|av\.?|boulevard|bd|bld|blvd|place|pl\.|impasse|imp\.|allée|allee|chemin|"
    r"ch\.|route|rte|quai|cours|square|sq\.|résidence|residence|rés\.|lotissement|lot\.|cité|"
    r"cite|voie|passage|rond-point|sentier|hameau|faubourg|fg|lieu-dit|esplanade|parvis|"
    r"promenade|mail|montée|montee|traverse|venelle|ruelle|villa|domaine|clos|parc|rocade"
)
STREET = re.compile(r"(?i:\b(?:" + VOIES + r"))\s+(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?")
ADDRESS = re.compile(
    r"(?<![\w/.,-])(?P<num>\d{1,4})(?:\s?(?:bis|ter|quater|[ABCabc])\b)?,?\s+"
    r"(?P<voie>(?i:" + VOIES + r"))\s+"
    r"(?P<name>(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’])\s*)?"
    r"[^\W\d_][\w'’.-]*(?:[ \t]+(?!(?:et|ou|à|a|est|sont|depuis|pour|avec|car|mais|qui|que|on|"
    r"il|elle|je|vous|nous|dans|sur|en|au|aux|le|la|les|un|une|devant|derrière|près|pres|"
    r"n'|ne|y|c'|s'|qu')\b)[^\W\d_][\w'’.-]*){0,4})"
    r"(?P<city>,?\s+\d{5}(?:\s+[A-ZÉÈÂÎ][\w'’]*(?:[ -](?:sur|sous|en|le|la|les|lès|de|du|"
    r"[A-ZÉÈÂÎ][\w'’]*)){0,4})?)?"
    r"(?=[\s,.;:!?)]|$)"
)
# NIR: sex, year, month, department (2A/2B for Corsica), commune, order, key; spaces allowed.
NIR = re.compile(
    r"(?<![\dA-Za-z])(?P<sex>[1-478])\s?(?P<year>\d{2})\s?(?P<month>\d{2})\s?"
    r"(?P<dept>\d{2}|2[AaBb])\s?(?P<commune>\d{3})\s?(?P<order>\d{3})\s?(?P<key>\d{2})(?![\dA-Za-z])"
)
IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
)
TAX = re.compile(r"(?<![\d])[0-3]\d(?:\s?\d){11}(?!\d)")
TAX_HINT = re.compile(r"(?i)\b(?:fiscal|fiscale|spi|impôts?|impots?|nif|avis d'imposition)\b")
PLATE = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-HJ-NP-TV-Z]{2}[- ]\d{3}[- ][A-HJ-NP-TV-Z]{2}|"
    r"[A-HJ-NP-TV-Z]{2}\d{3}[A-HJ-NP-TV-Z]{2})(?![A-Za-z0-9-])"
)
OLD_PLATE = re.compile(
    r"(?<![\w-])\d{1,4}[ -][A-Z]{1,3}[ -](?:0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])(?![\w-])"
)
PLATE_HINT = re.compile(r"(?i)\b(?:plaque|immatricul|immat|véhicule|vehicule|voiture|camion)")
MONTHS = (
    r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    r"décembre|decembre|janv\.?|févr?\.?|fevr?\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|déc\.?|dec\.?"
)
DATE = (
    r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:19|20)?\d{2}|(?:1er|\d{1,2})\s+(?i:"
    + MONTHS
    + r")\s+(?:19|20)\d{2})"
)
BIRTH = re.compile(
    r"(?i:\b(?:née?s?|naissance|ddn|date\s+de\s+naissance|d\.d\.n\.?)\s*(?:le|:|-)?\s*(?:le\s+)?)"
    r"(?P<date>" + DATE + r")"
)
CIVILITY = re.compile(
    r"\b(?:M\.|Mr\.?|Mme|Mlle|Mmes|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Pr\.?|Professeur|"
    r"Maître|Me)\s+(?P<name>(?:[A-ZÉÈÀÂÎÔÛÇ][\w'’-]+|[A-ZÉÈ]{2,})(?:\s+[A-ZÉÈÀÂÎÔÛÇ][\w'’-]+){0,2})"
)


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def nir_key_ok(digits: str) -> bool:
    """The NIR's key is 97 minus the first 13 characters mod 97 (2A counts as 19, 2B as 18)."""
    body, key = digits[:13].upper(), digits[13:]
    body = body.replace("2A", "19", 1) if body[5:7] == "2A" else body
    body = body.replace("2B", "18", 1) if body[5:7] == "2B" else body
    if not body.isdigit() or not key.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


def iban_ok(value: str) -> bool:
    return stdnum_iban.is_valid(value)


def tax_number_ok(digits: str) -> bool:
    """The numéro fiscal (SPI): 13 digits, the first 0 to 3, the last three the first ten mod
    511."""
    return stdnum_nif.is_valid(digits)


def _own_phones(own_contacts: Iterable[str]) -> set[str]:
    phones = set()
    for item in own_contacts:
        if "@" in item or not any(c.isdigit() for c in item):
            continue
        try:
            number = phonenumbers.parse(item, "FR")
        except phonenumbers.NumberParseException:
            continue
        phones.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return phones


def own_sets(own_contacts: Iterable[str]) -> tuple[frozenset[str], ...]:
    """The own contacts split into emails, E.164 phones and web domains (all lower case)."""
    return _own_sets(tuple(str(item).strip() for item in own_contacts if str(item).strip()))


@lru_cache(maxsize=64)
def _own_sets(own: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    emails = {item.lower() for item in own if "@" in item}
    domains = {
        item.lower().removeprefix("www.")
        for item in own
        if "@" not in item and "." in item and not any(c.isdigit() for c in item)
    }
    domains |= {email.split("@", 1)[1] for email in emails}
    return frozenset(emails), frozenset(_own_phones(own)), frozenset(domains)


def find_phones(text: str, own_phones: frozenset[str]) -> list[Span]:
    spans = []
    for hint in PHONE_HINT.finditer(text):
        chunk_start = max(0, hint.start() - 2)
        chunk = text[chunk_start : hint.end() + 2]
        for match in phonenumbers.PhoneNumberMatcher(
            chunk, "FR", leniency=phonenumbers.Leniency.VALID
        ):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 in own_phones:
                continue
            start, end = chunk_start + match.start, chunk_start + match.end
            spans.append(_span(text, start, end))
    return sorted(set(spans), key=lambda s: s.start)


def analyse_personal(
    text: str, *, own_contacts: Iterable[str] = (), public_figures: Iterable[str] = ()
) -> list[Finding]:
    own_emails, own_phones, own_domains = own_sets(own_contacts)
    findings: list[Finding] = []

    def add(label: str, score: float, spans: list[Span]) -> None:
        if spans:
            findings.append(Finding(label, score, NAME, tuple(spans)))

    add("personal.email", 0.95, [
        _span(text, m.start(), m.end()) for m in EMAIL.finditer(text)
        if m.group().lower() not in own_emails
        and m.group().lower().rsplit("@", 1)[1] not in own_domains
    ])  # fmt: skip
    digits_in_text = sum(c.isdigit() for c in text)
    if digits_in_text >= 8:
        add("personal.phone", 0.9, find_phones(text, own_phones))
    plate_ranges = [m.span() for m in OLD_PLATE.finditer(text)] if digits_in_text >= 3 else []
    add("personal.address", 0.85, [
        _span(text, m.start(), m.end()) for m in ADDRESS.finditer(text)
        if not any(a < m.end("num") and m.start("num") < b for a, b in plate_ranges)
    ])  # fmt: skip
    if digits_in_text >= 13:
        nirs = [
            _span(text, m.start(), m.end()) for m in NIR.finditer(text)
            if _month_ok(m.group("month")) and nir_key_ok(re.sub(r"\s", "", m.group()))
        ]  # fmt: skip
        add("personal.nir", 0.95, nirs)
        taken = {(s.start, s.end) for s in nirs}
        taxes = [
            _span(text, m.start(), m.end()) for m in TAX.finditer(text)
            if tax_number_ok(re.sub(r"\s", "", m.group())) and (m.start(), m.end()) not in taken
        ]  # fmt: skip
        if taxes:
            add("personal.tax_number", 0.9 if TAX_HINT.search(text) else 0.6, taxes)
    if digits_in_text >= 11:
        add("personal.iban", 0.95, [
            _span(text, m.start(), m.end()) for m in IBAN.finditer(text)
            if iban_ok(m.group())
        ])  # fmt: skip
    plates = [_span(text, m.start(), m.end()) for m in PLATE.finditer(text)]
    hint = bool(PLATE_HINT.search(text))
    old = [_span(text, m.start(), m.end()) for m in OLD_PLATE.finditer(text)] if hint else []
    if plates or old:
        add("personal.plate", 0.9 if hint else 0.7, plates + old)
    add("personal.birth_date", 0.9, [
        _span(text, m.start(), m.end()) for m in BIRTH.finditer(text)
    ])  # fmt: skip
    figures = {fold(name) for name in public_figures}
    names = [
        _span(text, m.start(), m.end()) for m in CIVILITY.finditer(text)
        if not is_public_figure(m.group("name"), figures) and not after_street_type(text, m.start())
    ]  # fmt: skip
    add("personal.name", 0.75, names)
    return findings


def _month_ok(month: str) -> bool:
    value = int(month)
    return 1 <= value <= 12 or 20 <= value <= 42 or 50 <= value <= 99


TITLES = re.compile(
    r"^(?:(?:m|mr|mme|mle|mles|mmes|madame|monsieur|mademoiselle|dr|docteur|pr|professeur|me|"
    r"maitre|le maire|la maire|maire|le depute|la deputee|depute|deputee|le senateur|senateur)\s+)+"
)


def is_public_figure(name: str, figures: set[str]) -> bool:
    """``name``, without civility or title, is one of ``figures`` (folded names). Each form to
    spare is listed (``Jean Dupont``, ``Dupont``): a bare last name is not matched to a full
    name, so a patient who shares the mayor's last name is still reported."""
    folded = TITLES.sub("", fold(name))
    return bool(folded) and folded in figures


def after_street_type(text: str, start: int) -> bool:
    """Whether the words just before ``start`` are a street type (``rue``, ``avenue du``...), so
    that ``rue Victor Hugo`` is an address part, not a person."""
    before = text[max(0, start - 30) : start]
    return bool(re.search(r"(?:" + STREET.pattern + r")$", before))
