"""MIME parsing of real-looking town-hall mail (fixtures/email/*.eml)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civique.channels.connectors.base import ParseError
from civique.channels.connectors.email import EmailConnector
from civique.channels.connectors.email.parse import parse_email
from tests.channels.mail import eml, mail


def no_bad_characters(value: str) -> bool:
    """What PostgreSQL refuses: NUL and lone surrogates."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def test_it_decodes_windows_1252_bodies():
    parsed = parse_email(eml("depot-sauvage-windows-1252.eml"))
    assert "dépôt sauvage devant le 12 rue des Tilleuls" in parsed.text
    assert "l’odeur" in parsed.text  # 0x92, not in ISO-8859-1
    assert "200 €" in parsed.text  # 0x80
    assert "cœur" in parsed.text  # 0x9c
    assert "\r" not in parsed.text


def test_it_decodes_rfc_2047_headers():
    parsed = parse_email(eml("depot-sauvage-windows-1252.eml"))
    assert parsed.subject == "Dépôt sauvage rue des Tilleuls"
    assert parsed.sender.display_name == "Renée Lefèvre"
    assert parsed.sender.identity_kind == "email"
    assert parsed.sender.identity_value == "Renee.Lefevre@Orange.fr"  # the pipeline lower-cases


def test_it_reads_the_date_with_its_offset():
    parsed = parse_email(eml("depot-sauvage-windows-1252.eml"))
    assert parsed.platform_timestamp == datetime(2025, 1, 14, 8, 40, 58, tzinfo=UTC)
    assert parsed.platform_timestamp.utcoffset() == timedelta(hours=1)


def test_it_takes_the_message_id_with_its_angle_brackets():
    parsed = parse_email(eml("depot-sauvage-windows-1252.eml"))
    assert parsed.external_id == "<000a01db6660$4f2e1c30$ed8a5490$@orange.fr>"


def test_it_derives_a_stable_id_when_the_message_id_is_missing():
    raw = mail().replace(b"Message-ID: <question-1@orange.fr>\r\n", b"")
    first, again = parse_email(raw), parse_email(raw)
    other = parse_email(raw.replace(b"une question", b"une autre question"))
    assert first.external_id.startswith("<sha256.")
    assert first.external_id == again.external_id
    assert other.external_id != first.external_id


def test_it_wraps_a_message_id_given_without_brackets():
    parsed = parse_email(mail(message_id="sans-chevrons@orange.fr"))
    assert parsed.external_id == "<sans-chevrons@orange.fr>"


def test_it_hashes_overlong_message_ids_the_same_way_in_every_header():
    long_id = "<" + "x" * 300 + "@orange.fr>"
    original = parse_email(mail(message_id=long_id))
    reply = parse_email(
        mail(message_id="<r@orange.fr>", extra=f"In-Reply-To: {long_id}\nReferences: {long_id}\n")
    )
    assert len(original.external_id) <= 255
    assert reply.in_reply_to == original.external_id
    assert reply.references == [original.external_id]


def test_it_reads_in_reply_to_and_references_in_order():
    parsed = parse_email(
        mail(
            extra="In-Reply-To: <b@valmont.example> (votre message)\n"
            "References: <a@orange.fr>\n <b@valmont.example>\n"
        )
    )
    assert parsed.in_reply_to == "<b@valmont.example>"
    assert parsed.references == ["<a@orange.fr>", "<b@valmont.example>"]


def test_it_derives_plain_text_from_html_only_mail_and_keeps_the_html():
    parsed = parse_email(eml("lettre-information-html.eml"))
    assert parsed.text.startswith("La lettre du Comité des fêtes de Valmont\n\nChers amis,")
    assert "place de l’Église. Inscriptions avant le 28 mars !" in parsed.text
    assert "- Emplacement : 5 € le mètre\n- Buvette" in parsed.text
    assert "Je m’inscris (https://comite-fetes-valmont.example/inscription)" in parsed.text
    assert "alert" not in parsed.text and "p { color" not in parsed.text
    assert "<strong>brocante de printemps</strong>" in parsed.html  # raw; the pipeline cleans


def test_it_prefers_the_plain_part_of_an_alternative():
    parsed = parse_email(eml("outlook-reponse-automatique.eml"))
    assert "Pour toute urgence, contactez le standard" in parsed.text
    assert "Service voirie – Agglomération de Valmont" in parsed.text  # 0x96 in "iso-8859-1"
    assert "<p>Je suis absent du bureau" in parsed.html


def test_it_keeps_inline_images_apart_from_attachments():
    parsed = parse_email(eml("iphone-photo-et-pdf.eml"))
    photo, pdf = parsed.attachments
    assert photo.filename == "IMG_4021.jpeg"
    assert photo.is_inline
    assert photo.content_id == "4F1A2B3C-0D4E-4F5A-8B6C-7D8E9F0A1B2C@home"
    assert photo.content.startswith(b"\xff\xd8\xff")
    assert not pdf.is_inline
    assert pdf.content.startswith(b"%PDF-")
    assert 'src="cid:4F1A2B3C-0D4E-4F5A-8B6C-7D8E9F0A1B2C@home"' in parsed.html
    assert "s’est formé devant le 45 avenue Jean-Jaurès" in parsed.text


def test_it_decodes_rfc_2231_filenames():
    parsed = parse_email(eml("iphone-photo-et-pdf.eml"))
    assert parsed.attachments[1].filename == "Justificatif de domicile été 2024.pdf"


def test_filenames_never_carry_a_path():
    raw = (
        b"From: a@orange.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nvoir PJ\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="..\\\\..\\\\windows\\\\evil.exe"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n'
        b"\r\nroot\r\n--b--\r\n"
    )
    names = [a.filename for a in parse_email(raw).attachments]
    assert names == ["evil.exe", "passwd"]


def test_it_handles_a_missing_date_and_subject():
    parsed = parse_email(eml("sans-date-ni-objet.eml"))
    assert parsed.platform_timestamp is None
    assert parsed.subject == ""
    assert parsed.text.startswith("Bonjour, a quelle heure ouvre la mairie le samedi ?")


@pytest.mark.parametrize("value", [b"hier matin", b"Mon, 45 Foo 2025 99:00:00 +0100", b""])
def test_an_unreadable_date_is_no_date(value):
    raw = mail().replace(b"Wed, 22 Jan 2025 10:00:00 +0100", value)
    assert parse_email(raw).platform_timestamp is None


def test_a_date_without_zone_is_read_as_utc():
    raw = mail().replace(b"+0100", b"-0000")
    assert parse_email(raw).platform_timestamp == datetime(2025, 1, 22, 10, 0, tzinfo=UTC)


def test_it_keeps_a_malformed_from_as_it_came():
    parsed = parse_email(eml("expediteur-invalide.eml"))
    assert parsed.sender.identity_value == "Jean-Pierre Dumas chez free"
    assert parsed.subject == "Demande d'acte de naissance"


def test_it_reads_a_display_name_holding_a_comma():
    parsed = parse_email(mail(sender='"Dupont, Jean" <jean.dupont@orange.fr>'))
    assert parsed.sender.identity_value == "jean.dupont@orange.fr"
    assert parsed.sender.display_name == "Dupont, Jean"


def test_invalid_bytes_never_crash_the_parser():
    parsed = parse_email(eml("octets-invalides.eml"))
    assert parsed.subject == "Problème de ramassage des déchets"  # undeclared 8-bit header
    assert "n'ont pas été ramassées mardi" in parsed.text
    assert no_bad_characters(parsed.text)
    assert no_bad_characters(parsed.subject)


def test_undeclared_8bit_bodies_are_read_as_utf8_then_windows_1252():
    base = b"From: a@orange.fr\r\nSubject: x\r\n\r\n"
    assert parse_email(base + "Bientôt l’été".encode()).text == "Bientôt l’été"
    assert parse_email(base + "Bientôt l’été".encode("cp1252")).text == "Bientôt l’été"


def test_an_unknown_charset_falls_back_instead_of_failing():
    raw = mail(body="Déjà vu\n").replace(b"charset=utf-8", b"charset=x-klingon")
    assert parse_email(raw).text == "Déjà vu"


def test_broken_base64_and_a_missing_boundary_keep_what_can_be_read():
    raw = (
        b"From: a@orange.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="jamais-vu"\r\n\r\n'
        b"Bonjour, le texte est quand meme la.\r\n"
    )
    assert "le texte est quand meme la" in parse_email(raw).text
    raw = (
        b"From: a@orange.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nCi-joint.\r\n--b\r\n"
        b"Content-Type: image/jpeg; name=photo.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"/9j/4AAQ$$$SkZJ%%\r\n--b--\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "Ci-joint."
    assert parsed.attachments[0].filename == "photo.jpg"


@pytest.mark.parametrize(
    "payload",
    [b"", b"   \r\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"Bonjour, ceci est une phrase.\n"],
)
def test_it_refuses_what_is_not_an_email_with_a_french_message(payload):
    with pytest.raises(ParseError) as caught:
        parse_email(payload)
    assert "ourriel" in str(caught.value)


def test_the_connector_returns_one_message_per_mail(email_channel):
    parsed = EmailConnector().parse(email_channel, eml("sans-date-ni-objet.eml"), "message/rfc822")
    assert len(parsed) == 1
    assert parsed[0].meta["from"] == "paulette.roux@laposte.net"


# --- Automated mail -----------------------------------------------------------------------------


def test_it_flags_an_outlook_auto_reply():
    parsed = parse_email(eml("outlook-reponse-automatique.eml"))
    assert parsed.is_automated
    assert parsed.meta["automated_kind"] == "auto_reply"
    assert "Auto-Submitted" in parsed.automated_reason
    assert parsed.in_reply_to == "<civique.17.0123456789abcdef@valmont.example>"


def test_it_flags_a_postfix_bounce_and_threads_it_on_the_returned_message():
    parsed = parse_email(eml("postfix-non-remis.eml"))
    assert parsed.is_automated
    assert parsed.meta["automated_kind"] == "bounce"
    assert parsed.in_reply_to == "<civique.42.a1b2c3d4e5f60718@valmont.example>"
    assert "User unknown" in parsed.text
    names = [a.filename for a in parsed.attachments]
    assert names == ["rapport-de-remise.txt", "message-retourne.eml"]
    assert b"Status: 5.1.1" in parsed.attachments[0].content
    assert b"Subject: Re: Lampadaire en panne [#V-42]" in parsed.attachments[1].content


def test_it_flags_list_mail():
    parsed = parse_email(eml("lettre-information-html.eml"))
    assert parsed.is_automated
    assert parsed.meta["automated_kind"] == "list"


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Auto-Submitted: auto-replied", "auto_reply"),
        ("X-Autoreply: yes", "auto_reply"),
        ("X-Autorespond: Absent", "auto_reply"),
        ("X-Auto-Response-Suppress: All", "auto_reply"),
        ("Precedence: auto_reply", "auto_reply"),
        ("Precedence: junk", "list"),
        ("Precedence: list", "list"),
        ("List-Id: <conseil.valmont.example>", "list"),
        ("List-Unsubscribe: <mailto:stop@asso.example>", "list"),
    ],
)
def test_it_flags_automated_headers(header, kind):
    parsed = parse_email(mail(extra=header + "\n"))
    assert parsed.is_automated
    assert parsed.meta["automated_kind"] == kind
    assert parsed.automated_reason


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("=?utf-8?q?R=C3=A9ponse_automatique_:_Demande_de_rendez-vous?=", "auto_reply"),
        ("Auto: Votre demande", "auto_reply"),
        ("Automatic reply: Parking", "auto_reply"),
        ("Out of Office: Parking", "auto_reply"),
        ("Absence : retour le 3 février", "auto_reply"),
        ("Undelivered Mail Returned to Sender", "bounce"),
        ("Delivery Status Notification (Failure)", "bounce"),
        ("Non remis : Demande de carte d'identité", "bounce"),
    ],
)
def test_it_flags_automated_subjects(subject, kind):
    parsed = parse_email(mail(subject=subject))
    assert parsed.is_automated
    assert parsed.meta["automated_kind"] == kind


@pytest.mark.parametrize(
    "subject",
    [
        "Absence d'éclairage rue des Lilas",
        "Absent de la liste électorale",
        "Automobile ventouse devant chez moi",
        "Re: Dépôt sauvage",
    ],
)
def test_a_citizen_writing_about_such_things_is_a_person(subject):
    assert not parse_email(mail(subject=subject)).is_automated


def test_auto_submitted_no_means_a_person_wrote_it():
    assert not parse_email(mail(extra="Auto-Submitted: no\n")).is_automated


def test_mail_from_the_mailer_daemon_is_a_bounce():
    parsed = parse_email(mail(sender="MAILER-DAEMON@smtp.orange.fr", subject="Failure"))
    assert parsed.meta["automated_kind"] == "bounce"


def test_a_date_offset_is_kept_for_display():
    parsed = parse_email(eml("outlook-reponse-automatique.eml"))
    assert parsed.platform_timestamp.tzinfo is not None
    assert parsed.platform_timestamp.astimezone(UTC).hour == 7
