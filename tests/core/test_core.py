"""Health check, secrets encrypted at rest, the append-only audit journal, settings errors."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from civique.channels.models import Channel
from civique.core.audit import audit
from civique.core.models import AuditEvent, WorkerHeartbeat
from civique.settings import url_origin

pytestmark = pytest.mark.django_db


def test_healthz_reports_a_missing_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "worker": "never seen"}


def test_healthz_is_happy_with_a_recent_heartbeat(client):
    WorkerHeartbeat.objects.create(name="w1", pid=1)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"


def test_healthz_flags_a_stale_worker(client):
    WorkerHeartbeat.objects.create(name="w1", pid=1, last_seen=timezone.now() - timedelta(hours=1))
    assert client.get("/healthz").json()["worker"] == "stale"


def test_channel_secrets_are_encrypted_at_rest(team):
    channel = Channel.objects.create(kind="email", name="m", team=team, secrets={"pw": "s3cret!"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "s3cret" not in stored
    assert Channel.objects.get(pk=channel.pk).secrets == {"pw": "s3cret!"}


def test_the_audit_journal_refuses_changes_and_deletions(admin_user, team):
    event = audit(admin_user, "team.create", team, {"name": [None, "Accueil"]})
    assert event.actor_label == "Alice"
    event.verb = "autre"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(verb="x")


def test_a_bad_setting_stops_start_up_with_a_clear_message(tmp_path):
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path), "CIVIQUE_TASKS_BACKEND": "celery"}
    result = subprocess.run(
        [sys.executable, "-m", "civique.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CIVIQUE_TASKS_BACKEND doit valoir" in result.stderr


SQLITE_PROFILE = """
from django.db import connection
connection.ensure_connection()
with connection.cursor() as cursor:
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
print(connection.settings_dict["NAME"], mode, connection.transaction_mode, busy)
"""


def sqlite_profile(tmp_path, **extra: str) -> list[str]:
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.update(extra)
    result = subprocess.run(
        [sys.executable, "-m", "civique.cli", "shell", "-c", SQLITE_PROFILE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[-1].split()


def test_a_sqlite_database_url_gets_the_embedded_profile(tmp_path):
    default = sqlite_profile(tmp_path)
    assert default == [str(tmp_path / "var" / "civique.sqlite3"), "wal", "IMMEDIATE", "30000"]
    named = sqlite_profile(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/autre.sqlite3")
    assert named == [str(tmp_path / "autre.sqlite3"), "wal", "IMMEDIATE", "30000"]


def test_options_in_a_sqlite_database_url_win(tmp_path):
    url = f"sqlite:///{tmp_path}/autre.sqlite3?timeout=2"
    assert sqlite_profile(tmp_path, DATABASE_URL=url)[1:] == ["wal", "IMMEDIATE", "2000"]


def test_sign_ins_and_failures_are_audited(client, agent):
    client.post("/connexion/", {"username": "agent", "password": "faux"})
    client.post("/connexion/", {"username": "agent", "password": "motdepasse-agent"})
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", "object_repr"))
    assert verbs == [("auth.login_failed", "agent"), ("auth.login", str(agent))]
    assert "motdepasse" not in str(list(AuditEvent.objects.values()))


def test_password_guessing_on_one_account_is_rate_limited(client, agent, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_RATE_LIMIT_PER_USER = "3/h"
    codes = [
        client.post("/connexion/", {"username": "agent", "password": f"essai{n}"}).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # Another account from the same address is not blocked.
    assert client.post("/connexion/", {"username": "admin", "password": "x"}).status_code == 200
    cache.clear()


def test_the_admin_signs_in_through_the_rate_limited_form(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/admin/"


def test_a_signed_in_agent_who_is_not_staff_gets_a_french_refusal_from_the_configuration(
    client, agent
):
    client.force_login(agent)
    # A redirect loop makes the test client raise RedirectCycleError.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert "réservée aux administrateurs" in page
    assert 'href="/"' in page


def test_a_visitor_who_is_not_signed_in_is_sent_from_the_configuration_to_the_login_form(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/connexion/?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_a_failed_sign_in_with_no_such_account_keeps_no_name(client):
    client.post("/connexion/", {"username": "MonMotDePasse!", "password": "x"})
    event = AuditEvent.objects.get(verb="auth.login_failed")
    assert event.object_repr == "(compte inconnu)"
    assert "MonMotDePasse" not in str(list(AuditEvent.objects.values()))


def test_spelling_an_account_differently_does_not_escape_its_limit(client, agent, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_RATE_LIMIT_PER_USER = "2/h"
    codes = [
        client.post("/connexion/", {"username": name, "password": "x"}).status_code
        for name in ["agent", " agent", "AGENT "]
    ]
    assert codes == [200, 200, 429]
    cache.clear()


def test_a_missing_page_answers_in_french(client):
    response = client.get("/pas-de-page-ici/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_an_expired_form_gets_a_french_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/portail/suivi/", {"reference": "V-1"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("http://tuiles.valmont.fr:8080/osm/{z}/{x}/{y}.png", "http://tuiles.valmont.fr:8080"),
        ("", ""),
    ],
)
def test_the_map_tiles_server_is_the_only_other_origin_images_come_from(url, origin):
    assert url_origin("CIVIQUE_MAP_TILES_URL", url) == origin


@pytest.mark.parametrize(
    "url", ["https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "tile.openstreetmap.org/{z}"]
)
def test_a_tiles_address_the_policy_cannot_name_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="CIVIQUE_MAP_TILES_URL doit être"):
        url_origin("CIVIQUE_MAP_TILES_URL", url)


@pytest.mark.parametrize(
    "model_path",
    [
        "civique.core.models.AuditEvent",
        "civique.inbox.models.TimelineEntry",
        "civique.moderation.models.ModerationDecision",
    ],
)
def test_every_journal_is_append_only(model_path):
    from django.utils.module_loading import import_string

    from civique.core.models import AppendOnlyModel

    model = import_string(model_path)
    assert issubclass(model, AppendOnlyModel)
    # A stored row (a primary key) refuses a second save; its queryset refuses both writes.
    with pytest.raises(TypeError, match=model.frozen_message):
        model(pk=1).save()
    with pytest.raises(TypeError):
        model.objects.update(created_at=None)
    with pytest.raises(TypeError):
        model.objects.all().delete()


def test_processes_starting_together_share_one_whole_secret_key(tmp_path):
    """The two test passes (or a web process and its worker) start on a fresh var/ at once:
    none may crash on the key file, and all get the same key."""
    env = {**os.environ, "CIVIQUE_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("CIVIQUE_SECRET_KEY", None)
    script = "from civique import settings; print(settings.SECRET_KEY)"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(8)
    ]
    results = [p.communicate(timeout=120) for p in starts]
    assert [p.returncode for p in starts] == [0] * 8, [err.decode()[-300:] for _out, err in results]
    keys = {out.decode().strip() for out, _err in results}
    stored = (tmp_path / "var" / "secret_key").read_text().strip()
    assert keys == {stored} and len(stored) > 40
    assert [p.name for p in (tmp_path / "var").iterdir() if p.name.startswith(".secret")] == []
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
