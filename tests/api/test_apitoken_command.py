from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civique.api.models import ApiToken, hash_token
from civique.core.models import AuditEvent, Role, User


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("apitoken", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_new_token_and_stores_only_its_hash(agent):
    secret, err = run("agent", "--name", "SIG voirie")

    token = ApiToken.objects.get(user=agent)
    assert len(secret) >= 40
    assert token.name == "SIG voirie"
    assert token.prefix == secret[:8]
    assert token.token_hash == hash_token(secret)
    assert secret not in str(token.__dict__)
    assert "n'est affiché qu'une fois" in err


def test_it_prints_a_different_token_each_time(agent):
    first, _ = run("agent")
    second, _ = run("agent")

    assert first != second
    assert ApiToken.objects.filter(user=agent).count() == 2


def test_it_creates_a_missing_user_as_a_plain_agent_and_says_so(db):
    secret, err = run("sig-bot")

    user = User.objects.get(username="sig-bot")
    assert user.role == Role.AGENT
    assert not user.teams.exists()
    assert not user.has_usable_password()
    assert "créé" in err and "sans service ni mot de passe" in err
    assert ApiToken.objects.get(user=user).token_hash == hash_token(secret)


def test_it_revokes_a_token_by_its_prefix(agent, client):
    secret, _ = run("agent")

    out, _ = run("agent", "--revoke", secret[:8])

    assert "révoqué" in out
    assert ApiToken.objects.get(user=agent).revoked_at is not None
    response = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_it_refuses_to_revoke_a_prefix_it_does_not_know(agent):
    run("agent")

    with pytest.raises(CommandError, match="Aucun jeton actif"):
        run("agent", "--revoke", "inconnu0")


def test_it_lists_tokens_without_showing_them(agent):
    secret, _ = run("agent", "--name", "tableau de bord")

    out, _ = run("agent", "--list")

    assert secret[:8] in out and "tableau de bord" in out and "actif" in out
    assert secret not in out


def test_it_writes_the_audit_journal(db):
    secret, _ = run("sig-bot")
    run("sig-bot", "--revoke", secret[:8])

    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"user.create", "apitoken.create", "apitoken.revoke"} <= verbs
    assert not AuditEvent.objects.filter(changes__icontains=secret).exists()
