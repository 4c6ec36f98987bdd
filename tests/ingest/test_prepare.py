"""The preparation stages: values made storable, HTML cleaned in bounded time, all of it before
the write transaction. Runs on SQLite and on PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

import json

from civique.contacts.models import Identity
from civique.inbox.models import Message, TimelineEntry
from civique.ingest.models import EventState
from civique.ingest.prepare import MAX_HTML_DEPTH, html_depth, storable_text
from tests.channels.mail import ingest


def nested_html_mail(depth: int) -> bytes:
    html = "<div>" * depth + "Texte au fond." + "</div>" * depth
    return (
        "From: Renée <renee@example.org>\r\nTo: contact@valmont.example\r\n"
        "Subject: Infolettre\r\nMessage-ID: <nested@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    ).encode()


def test_storable_text_drops_nul_controls_and_lone_surrogates():
    assert storable_text("a\x00b\x07c\td\ne\r\x7ff\ud800g") == "abc\td\ne\rf\ufffdg"


def test_nul_bytes_anywhere_in_a_delivery_never_stop_its_processing(api_channel):
    payload = {
        "external_id": "api-\u0000-1",
        "identity_kind": "api",
        "identity_value": "dossier\u0000-42",
        "name": "Jean\u0000 Dupont",
        "subject": "Sujet\u0000",
        "text": "Bonjour\u0000, lampadaire\u0007 en panne \ud83d.",
        "meta": {"clé\u0000": ["valeur\u0000"]},
    }
    event = ingest(api_channel, json.dumps(payload).encode())
    assert event.state == EventState.DONE, event.last_error
    message = Message.objects.get()
    assert message.external_id == "api--1"
    assert message.text == "Bonjour, lampadaire en panne \ufffd."
    assert message.subject == "Sujet"
    assert message.meta["clé"] == ["valeur"]
    assert Identity.objects.get().value == "dossier-42"
    assert message.author_name == "Jean Dupont"


def test_a_date_no_database_can_hold_gives_way_to_the_reception_time(api_channel):
    payload = {"identity_kind": "api", "identity_value": "x", "text": "Bonjour"}
    for n, stamp in enumerate(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]):
        event = ingest(api_channel, json.dumps({**payload, "occurred_at": stamp}).encode())
        assert event.state == EventState.DONE, event.last_error
        message = Message.objects.get(pk=event.message_ids[0])
        assert message.platform_timestamp is None
        notes = TimelineEntry.objects.filter(message=message, kind="system")
        assert any("hors des dates possibles" in n.data["text"] for n in notes), n


def test_html_depth_counts_nesting_and_ignores_void_and_optional_end_tags():
    assert html_depth("") == 0
    assert html_depth("<div><p>un<p>deux<br><img src=x><div>x</div></div>") == 2
    assert html_depth("<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>") == 2
    assert html_depth("<li>" * 5000) == 0
    assert html_depth("<div>" * 3000) == 3000
    assert html_depth("</div></div><div>") == 1


def test_a_megabyte_of_nested_html_keeps_its_text_and_drops_its_markup(email_channel):
    raw = nested_html_mail(90_000)  # about 1 MB: 200 s in the HTML cleaner before the bound
    assert html_depth(raw.decode()) > MAX_HTML_DEPTH
    event = ingest(email_channel, raw)
    assert event.state == EventState.DONE, event.last_error
    message = Message.objects.get()
    assert message.html == ""
    assert "Texte au fond." in message.text
    notes = [e.data["text"] for e in TimelineEntry.objects.filter(message=message, kind="system")]
    assert any("trop imbriquée" in note for note in notes)


def test_html_within_the_bounds_is_sanitised_as_before(email_channel):
    raw = nested_html_mail(40).replace(
        b"Texte au fond.",
        b'<script>alert(1)</script><img src="https://pixel.example/t.gif">Texte au fond.',
    )
    ingest(email_channel, raw)
    html = Message.objects.get().html
    assert "Texte au fond." in html
    assert "<script" not in html and "pixel.example" not in html
    assert html.count("<div>") == 40
