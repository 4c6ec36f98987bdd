"""``civique channel_secret``: secrets are read from stdin, stored encrypted, never printed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civique.channels.models import Channel


def run(*args: str, stdin: str = "", monkeypatch) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("channel_secret", *args, stdout=out)
    return out.getvalue()


def stored_column(channel: Channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channel WHERE id = %s", [channel.pk])
        return cursor.fetchone()[0]


def test_it_stores_the_secret_encrypted_and_never_prints_it(email_channel, monkeypatch):
    output = run(
        str(email_channel.pk), "imap_password", stdin="Tr3s-s3cret\n", monkeypatch=monkeypatch
    )
    assert "imap_password" in output
    assert "Tr3s-s3cret" not in output
    assert Channel.objects.get(pk=email_channel.pk).secrets == {"imap_password": "Tr3s-s3cret"}
    assert "Tr3s-s3cret" not in stored_column(email_channel)


def test_it_keeps_the_other_secrets(email_channel, monkeypatch):
    email_channel.secrets = {"smtp_password": "garde-moi"}
    email_channel.save()
    run(str(email_channel.pk), "imap_password", stdin="autre", monkeypatch=monkeypatch)
    assert Channel.objects.get(pk=email_channel.pk).secrets == {
        "smtp_password": "garde-moi",
        "imap_password": "autre",
    }


def test_it_deletes_a_secret(email_channel, monkeypatch):
    email_channel.secrets = {"smtp_password": "x", "imap_password": "y"}
    email_channel.save()
    run(str(email_channel.pk), "imap_password", "--delete", monkeypatch=monkeypatch)
    assert Channel.objects.get(pk=email_channel.pk).secrets == {"smtp_password": "x"}


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (["999", "imap_password"], "x", "Canal n°999 introuvable."),
        (["{pk}", "imap_password"], "\n", "Valeur vide"),
        (["{pk}", "Mot de passe"], "x", "Nom de secret invalide"),
    ],
)
def test_it_refuses_bad_input_clearly(email_channel, monkeypatch, args, stdin, error):
    args = [a.format(pk=email_channel.pk) for a in args]
    with pytest.raises(CommandError, match=error):
        run(*args, stdin=stdin, monkeypatch=monkeypatch)
    assert Channel.objects.get(pk=email_channel.pk).secrets == {}
