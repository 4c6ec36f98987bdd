"""An interrupted first load keeps its credentials, and ``civique setup`` finishes it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civique.core.models import Team, User
from civique.demo.generator import DemoError
from civique.demo.models import DemoLoad
from civique.demo.networks import NETWORKS
from civique.inbox.models import Conversation

BREAKS_AFTER = 10


def break_after_ten_conversations(ctx) -> None:
    """A pipeline stage that fails once ten conversations exist: a load stopped midway."""
    if Conversation.objects.count() > BREAKS_AFTER:
        raise RuntimeError("panne simulée")


def generated() -> int:
    """Conversations of the generator (the social networks are played apart, after them)."""
    return Conversation.objects.exclude(channel__kind__in=NETWORKS).count()


def password_of(text: str, username: str) -> str:
    line = next(line for line in text.splitlines() if f"identifiant : {username} " in line)
    return line.split("mot de passe : ", 1)[1].split()[0]


@pytest.fixture
def var_dir(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def interrupted(var_dir, settings):
    """A demo whose generation failed after ten conversations; returns its error output."""
    default = list(settings.CIVIQUE_PIPELINE)
    settings.CIVIQUE_PIPELINE = [*default, f"{__name__}.break_after_ten_conversations"]
    err = StringIO()
    with pytest.raises(DemoError):
        call_command("demo", conversations=30, stdout=StringIO(), stderr=err)
    settings.CIVIQUE_PIPELINE = default
    return err.getvalue()


def test_credentials_are_written_before_the_conversations(interrupted, var_dir):
    text = (var_dir / "demo-credentials.txt").read_text()
    assert User.objects.get(username="admin").check_password(password_of(text, "admin"))
    assert User.objects.get(username="agent").check_password(password_of(text, "agent"))
    assert Conversation.objects.count() == BREAKS_AFTER


def test_an_interrupted_load_says_where_the_credentials_are_and_how_to_go_on(interrupted, var_dir):
    assert "interrompu" in interrupted
    assert str(var_dir / "demo-credentials.txt") in interrupted
    assert "make run" in interrupted
    assert "rm -r var" in interrupted


def test_an_interrupted_load_is_recorded_as_unfinished(interrupted):
    load = DemoLoad.objects.get()
    assert not load.is_complete
    assert load.conversations == 30


def test_setup_finishes_an_interrupted_load_with_the_same_credentials(interrupted, var_dir):
    before = (var_dir / "demo-credentials.txt").read_text()
    out = StringIO()
    call_command("setup", stdout=out, stderr=StringIO())
    assert "interrompu" in out.getvalue()
    assert generated() == 30
    assert set(Conversation.objects.values_list("channel__kind", flat=True)) >= set(NETWORKS)
    assert DemoLoad.objects.get().is_complete
    assert (var_dir / "demo-credentials.txt").read_text() == before
    assert User.objects.get(username="admin").check_password(password_of(before, "admin"))
    assert before in out.getvalue()
    assert Team.objects.count() == 5


def test_setup_gives_new_passwords_when_the_credentials_file_was_lost(interrupted, var_dir):
    old = (var_dir / "demo-credentials.txt").read_text()
    (var_dir / "demo-credentials.txt").unlink()
    call_command("setup", stdout=StringIO(), stderr=StringIO())
    new = (var_dir / "demo-credentials.txt").read_text()
    admin = User.objects.get(username="admin")
    assert admin.check_password(password_of(new, "admin"))
    assert not admin.check_password(password_of(old, "admin"))
    assert generated() == 30


def test_demo_refuses_a_fresh_load_over_an_interrupted_one(interrupted):
    with pytest.raises(CommandError, match="--resume"):
        call_command("demo", conversations=5, stdout=StringIO())


def test_setup_leaves_a_complete_demo_alone(var_dir):
    call_command("demo", conversations=5, stdout=StringIO())
    call_command("setup", stdout=StringIO())
    assert generated() == 5
    with pytest.raises(CommandError, match="Aucun chargement"):
        call_command("demo", resume=True, stdout=StringIO())


def test_setup_loads_no_demo_into_a_configured_database(var_dir):
    Team.objects.create(slug="accueil", name="Accueil")
    call_command("setup", stdout=StringIO())
    assert not DemoLoad.objects.exists()
    assert not (var_dir / "demo-credentials.txt").exists()
