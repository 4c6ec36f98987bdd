"""``civique channel create``: a channel from the command line, its id alone on the last line,
its secrets encrypted, unknown settings refused in French."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civique.channels.models import Channel


def create(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("channel", "create", *args, stdout=out)
    return out.getvalue().splitlines()


def stored_secrets_column(channel: Channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channel WHERE id = %s", [channel.pk])
        return cursor.fetchone()[0]


def test_it_creates_a_facebook_page_channel_and_prints_its_id_last(team):
    lines = create(
        "facebook",
        "--name",
        "Ville de Valmont",
        "--team",
        team.slug,
        "--setting",
        "page_id=104857386211455",
        "--setting",
        "app_secret=s3cr3t-app",
        "--setting",
        "verify_token=jeton=avec=egal",
        "--setting",
        "page_access_token=EAAG-jeton",
    )
    channel = Channel.objects.get()
    assert lines[-1] == str(channel.pk)
    assert f"/hooks/facebook/{channel.pk}/" in "\n".join(lines)
    assert (channel.kind, channel.name, channel.team, channel.is_active) == (
        "facebook",
        "Ville de Valmont",
        team,
        True,
    )
    assert channel.settings == {"page_id": "104857386211455"}
    assert channel.secrets == {
        "app_secret": "s3cr3t-app",
        "verify_token": "jeton=avec=egal",
        "page_access_token": "EAAG-jeton",
    }
    column = stored_secrets_column(channel)
    for secret in ["s3cr3t-app", "jeton=avec=egal", "EAAG-jeton"]:
        assert secret not in column
        assert secret not in "\n".join(lines)


def test_it_reads_typed_settings_as_the_connector_expects_them(team):
    create(
        "email",
        "--name",
        "contact@valmont.example",
        "--team",
        team.slug,
        "--setting",
        "imap_port=993",
        "--setting",
        "imap_mark_seen=false",
        "--setting",
        "smtp_password=mot de passe",
    )
    channel = Channel.objects.get()
    assert channel.settings == {"imap_port": 993, "imap_mark_seen": False}
    assert channel.secrets == {"smtp_password": "mot de passe"}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["facebook", "--setting", "page_token=x"], "Réglage inconnu pour un canal facebook"),
        (["facebook", "--setting", "page_id"], "Réglage mal écrit"),
        (["facebook", "--setting", "page_id=1", "--setting", "page_id=2"], "donné deux fois"),
        (["email", "--setting", "imap_port=neuf"], "doit être un nombre entier"),
        (["email", "--setting", "imap_mark_seen=peut-être"], "vaut true ou false"),
        (["twitter"], "Type de canal inconnu : twitter"),
    ],
)
def test_it_refuses_what_it_does_not_know_and_creates_nothing(team, args, error):
    with pytest.raises(CommandError, match=error):
        create(args[0], "--name", "Canal", "--team", team.slug, *args[1:])
    assert not Channel.objects.exists()


def test_it_names_the_unknown_team(db):
    with pytest.raises(CommandError, match=r"Service « inconnu » introuvable\."):
        create("facebook", "--name", "Page", "--team", "inconnu")
    assert not Channel.objects.exists()


def test_the_console_script_exits_non_zero_with_a_french_error(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "civique.cli",
            "channel",
            "create",
            "facebook",
            "--name",
            "P",
            "--team",
            "x",
            "--setting",
            "inconnu=1",
        ],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode != 0
    assert "Réglage inconnu pour un canal facebook : inconnu" in result.stderr


def test_it_creates_a_whatsapp_number_with_its_template_and_secrets_apart(team):
    settings = {
        "phone_number_id": "318726540019284",
        "access_token": "EAAW-jeton",
        "app_secret": "s3cr3t-app",
        "verify_token": "jeton-wa",
        "template_name": "reponse_mairie",
        "template_language": "fr",
    }
    pairs = [arg for key, value in settings.items() for arg in ("--setting", f"{key}={value}")]
    lines = create("whatsapp", "--name", "WhatsApp de Valmont", "--team", team.slug, *pairs)
    channel = Channel.objects.get()
    assert lines[-1] == str(channel.pk)
    assert f"/hooks/whatsapp/{channel.pk}/" in "\n".join(lines)
    assert channel.settings == {
        "phone_number_id": "318726540019284",
        "template_name": "reponse_mairie",
        "template_language": "fr",
    }
    assert channel.secrets == {
        "access_token": "EAAW-jeton",
        "app_secret": "s3cr3t-app",
        "verify_token": "jeton-wa",
    }
    assert "EAAW-jeton" not in stored_secrets_column(channel)
