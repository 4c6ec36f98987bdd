"""Mail written to break the parser (fixtures/hostile/*.eml, and mails nested hundreds deep):
every value read is storable, and reading either gives a message or a short ParseError."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import pytest

from civique.channels.connectors.base import ParsedMessage, ParseError
from civique.channels.connectors.email.parse import MAX_MIME_DEPTH, parse_email
from tests.channels.mail import (
    HOSTILE,
    hostile,
    mail,
    nested_multipart,
    nested_rfc822,
    storable,
    strings,
)

HOSTILE_MAILS = sorted(path.name for path in HOSTILE.glob("*.eml"))
CONTROLS = {chr(code) for code in [*range(0x09), *range(0x0B, 0x20), 0x7F]}


def header_values(parsed: ParsedMessage) -> list[str]:
    """The values the parser read from headers (the body text may keep tabs and line feeds)."""
    values = [parsed.external_id, parsed.in_reply_to, *parsed.references, parsed.subject]
    if parsed.sender:
        values += [parsed.sender.identity_value, parsed.sender.display_name]
    values += list(strings(parsed.meta))
    for attachment in parsed.attachments:
        values += [attachment.filename, attachment.content_id, attachment.declared_type]
    return values


@pytest.mark.parametrize("name", HOSTILE_MAILS)
def test_every_value_read_from_a_hostile_mail_is_storable(name):
    parsed = parse_email(hostile(name))
    assert all(storable(value) for value in strings(parsed))
    assert not any(set(value) & CONTROLS for value in header_values(parsed))
    assert len(parsed.subject) <= 255
    assert len(parsed.external_id) <= 255
    assert all(len(ref) <= 255 for ref in parsed.references)


def test_a_nul_in_the_message_id_is_removed_the_same_way_in_every_header():
    parsed = parse_email(hostile("nul-dans-message-id.eml"))
    assert parsed.external_id == "<nidpoule-1@orange.fr>"
    assert parsed.in_reply_to == "<civique.7.abc@valmont.example>"
    assert parsed.references == ["<premier@orange.fr>", "<civique.7.abc@valmont.example>"]
    assert parsed.subject == "Nid-de-poule avenue Foch"
    reply = parse_email(
        mail(message_id="<r@orange.fr>", extra="In-Reply-To: <nid\x00poule-1@orange.fr>\n")
    )
    assert reply.in_reply_to == parsed.external_id


def test_control_characters_are_removed_from_every_header_value():
    parsed = parse_email(hostile("controles-dans-les-en-tetes.eml"))
    assert parsed.external_id == "<banccasse@free.fr>"
    assert parsed.subject == "Banc cassé place du Marché[0m"
    assert parsed.sender.display_name == "Jeanne [31mMartin"
    assert parsed.meta["to"] == ["contact@valmont.example", "voirie@valmont.example"]
    assert parsed.meta["cc"] == ["elu@valmont.example"]
    (pdf,) = parsed.attachments
    assert (pdf.filename, pdf.content_id) == ("banc.pdf", "photo@free.fr")


def test_an_unknown_charset_in_an_encoded_word_is_decoded_best_effort():
    parsed = parse_email(hostile("charset-inconnu.eml"))
    assert parsed.subject == "café crème"
    assert parsed.sender.display_name == "Renée Lefèvre"
    assert parsed.text == "Terrasse du café envahie par la crème glacée."
    assert [a.filename for a in parsed.attachments] == ["reçu.pdf", "déclaration.pdf"]


def test_an_unknown_charset_holding_utf8_reads_as_utf8():
    parsed = parse_email(
        mail(subject="=?x-bogus?Q?caf=C3=A9_cr=C3=A8me?= et =?utf-8?q?d=C3=A9j=C3=A0?=")
    )
    assert parsed.subject == "café crème et déjà"


@pytest.mark.parametrize("charset", ["undefined", "utf-8\x00", "x" * 300, "base64"])
def test_a_charset_that_cannot_decode_falls_back_to_utf8(charset):
    raw = mail(body="Déjà vu\n", subject=f"=?{charset}?q?D=C3=A9j=C3=A0?=")
    parsed = parse_email(raw.replace(b"charset=utf-8", f'charset="{charset}"'.encode()))
    assert parsed.text == "Déjà vu"
    assert parsed.subject == "Déjà"


@pytest.mark.parametrize(
    ("sender", "name"),
    [
        (b"=?unknown-8bit?q?Ren=E9e?= =?utf-8?b?A?= \xe9 <r@orange.fr>", "Renée A é"),
        (b'"=?x-bogus?q?Ren=E9e?= \xc3\xa9" <r@orange.fr>', "Renée é"),
    ],
)
def test_broken_encoded_words_beside_8bit_bytes_are_read(sender, name):
    raw = b"From: " + sender + b"\r\nSubject: =?utf-8?b?A?= \xe9t\xe9\r\n\r\nBonjour.\r\n"
    parsed = parse_email(raw)
    assert (parsed.sender.identity_value, parsed.sender.display_name) == ("r@orange.fr", name)
    assert parsed.subject == "=?utf-8?b?A?= été"  # a word that is not base64 stays as it came


def test_broken_base64_keeps_the_text_and_the_attachment():
    parsed = parse_email(hostile("base64-casse.eml"))
    assert parsed.text == "Le lampadaire clignote.\n\nUn encodage de transfert inconnu."
    (photo,) = parsed.attachments
    assert photo.filename == "lampadaire.jpg"
    assert photo.content.startswith(b"\xff\xd8\xff")


def test_a_mail_without_sender_subject_date_or_id_is_read():
    raw = hostile("sans-en-tetes.eml")
    parsed = parse_email(raw)
    assert parsed.sender is None
    assert (parsed.subject, parsed.platform_timestamp) == ("", None)
    assert parsed.external_id.startswith("<sha256.")
    assert parsed.text.startswith("Bonjour, ce courriel n'a ni expéditeur")


def test_ten_thousand_character_header_lines_are_bounded():
    parsed = parse_email(hostile("ligne-de-10k.eml"))
    assert parsed.subject.startswith("Signalement très")
    assert parsed.external_id.startswith("<long.")
    assert len(parsed.references) == 500
    assert parsed.sender.identity_value == "luc.bernard@orange.fr"
    assert parsed.text == "Un objet très long."


def test_an_8bit_message_id_has_no_surrogates():
    parsed = parse_email(hostile("message-id-8bit.eml"))
    assert parsed.external_id == "<réponse-ÿþ@wanadoo.fr>"
    assert parsed.in_reply_to == "<café@valmont.example>"


def test_nul_bytes_in_the_body_are_removed():
    parsed = parse_email(hostile("nul-dans-le-corps.eml"))
    assert parsed.text == "Quels sont les horaires de la piscine ?"
    assert parsed.html == "<p>Quels sont les horaires de la <b>piscine</b> ?</p>"


def test_malformed_header_lines_keep_what_can_be_read():
    parsed = parse_email(hostile("en-tetes-mal-formes.eml"))
    assert parsed.sender.identity_value == "hugo.leroy@gmail.com"
    assert parsed.subject == "Ramassage des encombrants"
    assert parsed.platform_timestamp is None
    assert parsed.external_id.startswith("<sha256.")  # an empty Message-ID
    assert "le ramassage des encombrants est-il prévu ce mois-ci ?" in parsed.text


def test_unterminated_multiparts_keep_their_parts():
    parsed = parse_email(hostile("multipart-sans-fin.eml"))
    assert parsed.text == "Je souhaite inscrire ma fille à la cantine."
    assert parsed.html.startswith("<p>Je souhaite inscrire ma fille")


def test_parameters_cut_short_are_read_with_the_lenient_parser():
    # ``filename*`` with no value makes the email package's default policy raise IndexError.
    parsed = parse_email(hostile("parametres-tronques.eml"))
    assert parsed.subject == "Attestation de domicile"
    assert parsed.text == "Voici mon justificatif de domicile."
    (pdf,) = parsed.attachments
    assert (pdf.declared_type, pdf.content) == ("application/pdf", b"%PDF-1.4\n")


def test_a_body_the_email_package_cannot_read_keeps_the_headers_with_a_notice(caplog):
    # A NUL in the boundary's RFC 2231 charset makes the email package raise ValueError, with
    # either policy: the mail is kept with its headers, and one line is logged.
    parsed = parse_email(hostile("frontiere-illisible.eml"))
    assert parsed.sender.identity_value == "chantal.morel@orange.fr"
    assert parsed.subject == "Demande de badge"
    assert parsed.external_id == "<frontiere-illisible@orange.fr>"
    assert parsed.text == ""
    assert parsed.notices == [
        "Corps du courriel illisible : seuls ses en-têtes ont été importés ; "
        "consultez-le dans la boîte aux lettres."
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "Courriel lu sans son corps : embedded null character"
    ]


def test_an_over_long_address_is_read_whole():
    parsed = parse_email(hostile("adresse-de-10k.eml"))
    assert len(parsed.sender.identity_value) > 10_000  # the pipeline refuses it, keeping the mail


# --- Nesting --------------------------------------------------------------------------------------


def test_parts_down_to_the_maximum_depth_are_read():
    parsed = parse_email(nested_multipart(MAX_MIME_DEPTH))
    assert parsed.text == "Tout au fond."
    assert parsed.notices == []


def test_parts_below_the_maximum_depth_are_left_out_with_a_notice():
    parsed = parse_email(nested_multipart(MAX_MIME_DEPTH + 1))
    assert parsed.text == ""
    (notice,) = parsed.notices
    assert f"au-delà de {MAX_MIME_DEPTH} niveaux n'ont pas été lues" in notice


def test_a_returned_message_nested_within_the_limit_is_kept_whole():
    parsed = parse_email(nested_rfc822(MAX_MIME_DEPTH))
    (returned,) = parsed.attachments
    assert returned.filename == "message-retourne.eml"
    assert b"From: n0@orange.fr\nContent-Type: text/plain\n\nTout au fond." in returned.content
    assert parsed.notices == []


def test_a_returned_message_nested_too_deep_is_left_out_with_a_notice():
    parsed = parse_email(nested_rfc822(MAX_MIME_DEPTH + 1))
    assert parsed.attachments == []
    assert len(parsed.notices) == 1


@pytest.mark.parametrize("depth", [300, 900, 5000])
@pytest.mark.parametrize("build", [nested_rfc822, nested_multipart])
def test_mail_nested_hundreds_deep_is_kept_with_its_headers_and_no_traceback(build, depth, caplog):
    caplog.set_level(logging.DEBUG)
    try:
        parsed = parse_email(build(depth))
    except ParseError as exc:  # also acceptable: parked at once, with a short reason
        assert "\n" not in str(exc) and len(str(exc)) < 300
    else:
        assert parsed.sender.identity_value == "a@orange.fr"
        assert parsed.subject == "Poupees russes"
        assert len(parsed.notices) == 1
    assert not [record for record in caplog.records if record.exc_info]


def call_with_frames_left(frames_left: int, func: Callable[[], ParsedMessage]) -> ParsedMessage:
    """``func()`` called when only about ``frames_left`` frames remain before RecursionError."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back

    def dive(levels: int) -> ParsedMessage:
        return func() if levels <= 0 else dive(levels - 1)

    return dive(sys.getrecursionlimit() - depth - frames_left)


def test_running_out_of_stack_anywhere_gives_a_message_or_a_short_parse_error():
    # Wherever the recursion limit strikes (the email package, the walk, a header), the outcome
    # is a message or a ParseError: never a RecursionError retried five times.
    raw = nested_multipart(MAX_MIME_DEPTH + 10)
    outcomes = set()
    for frames_left in range(15, 160, 5):
        try:
            parsed = call_with_frames_left(frames_left, lambda: parse_email(raw))
        except ParseError as exc:
            assert str(exc) == "Courriel illisible : structure MIME trop imbriquée."
            outcomes.add("parked")
        else:
            assert len(parsed.notices) == 1
            outcomes.add("kept")
    assert outcomes == {"parked", "kept"}
