"""The local mail sink: a real SMTP server on 127.0.0.1 that keeps every mail as an .eml file."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from civique.core.mailsink import MailSinkError, eml_name, start_sink
from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import DeliveryState, Message
from civique.inbox.outbox import deliver_due
from tests.channels.mail import ingest, mail
from tests.smtp import free_port

CITIZEN_ID = "<question-1@orange.fr>"


@pytest.fixture
def sink(tmp_path):
    lines: list[str] = []
    controller = start_sink(free_port(), tmp_path / "mail-sink", report=lines.append)
    yield controller, tmp_path / "mail-sink", lines
    controller.stop()


def send(port: int, raw: bytes, to: str = "renee.lefevre@orange.fr") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("contact@valmont.example", [to], raw)


def headers_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_it_writes_each_mail_as_an_eml_file_with_the_headers_it_received(sink):
    controller, directory, lines = sink
    raw = mail(subject="Encombrants rue des Lilas")
    send(controller.port, raw)
    (path,) = directory.iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-question-1@orange\.fr\.eml", path.name)
    stored = path.read_bytes()
    assert headers_of(stored) == headers_of(raw)
    assert stored.rstrip(b"\r\n").endswith(b"une question.")
    (line,) = lines
    assert "de Renée Lefèvre <renee.lefevre@orange.fr>" in line
    assert "à contact@valmont.example" in line
    assert "« Encombrants rue des Lilas »" in line
    assert str(path) in line


def test_it_never_overwrites_a_mail_sent_twice(sink):
    controller, directory, _lines = sink
    send(controller.port, mail())
    send(controller.port, mail())
    assert len(list(directory.iterdir())) == 2


def test_it_listens_on_the_loopback_only(sink):
    controller, _directory, _lines = sink
    assert {s.getsockname()[0] for s in controller.server.sockets} == {"127.0.0.1"}


def test_it_says_clearly_when_the_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MailSinkError, match=f"impossible d'écouter sur 127.0.0.1:{port}"):
            start_sink(port, tmp_path)


def test_file_names_are_safe_whatever_the_message_id():
    now = datetime(2025, 1, 22, 9, 0, 0, 123456, tzinfo=UTC)
    assert eml_name("<a/../b c:d@x.fr>", now) == "20250122T090000.123456Z-a_.._b_c_d@x.fr.eml"
    assert eml_name("", now) == "20250122T090000.123456Z-sans-message-id.eml"
    assert len(eml_name("<" + "x" * 500 + "@y>", now)) < 120


def test_an_agent_reply_lands_in_the_sink_threaded_on_the_citizen_mail(sink, email_channel, agent):
    controller, directory, _lines = sink
    email_channel.settings.update(
        smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="none"
    )
    email_channel.save()
    event = ingest(email_channel, mail(message_id=CITIZEN_ID))
    conversation = Message.objects.get(pk=event.message_ids[0]).conversation

    message = reply_to_conversation(agent, conversation, "Bonjour,\nvoici la réponse.")
    deliver_due()

    message.refresh_from_db()
    assert message.delivery.state == DeliveryState.SENT
    (path,) = directory.iterdir()
    sent = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert sent["In-Reply-To"] == CITIZEN_ID
    assert sent["Message-ID"] == message.external_id
    assert sent["To"] == "Renée Lefèvre <renee.lefevre@orange.fr>"
    assert f"[#{conversation.reference}]" in sent["Subject"]


def _civique(*args: str, var_dir) -> subprocess.Popen:
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "civique.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return out, err


def test_the_mailsink_command_keeps_mail_until_stopped(tmp_path):
    port = free_port()
    directory = tmp_path / "boite"
    process = _civique("mailsink", "--port", str(port), "--dir", str(directory), var_dir=tmp_path)
    try:
        wait_for_port(port, process)
        send(port, mail(subject="Bonjour"))
    finally:
        out, _err = _stop(process)
    (path,) = directory.iterdir()
    assert f"127.0.0.1:{port}" in out
    assert "« Bonjour »" in out
    assert str(path) in out


def test_civique_run_starts_the_sink_and_stops_it_on_exit(tmp_path):
    port, web = free_port(), free_port()
    process = _civique(
        "run", "--no-worker", "--port", str(web), "--mail-sink", str(port), var_dir=tmp_path
    )
    try:
        wait_for_port(port, process)
        send(port, mail())
    finally:
        out, _err = _stop(process)
    assert len(list((tmp_path / "mail-sink").iterdir())) == 1
    assert f"{tmp_path / 'mail-sink'}" in out
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
