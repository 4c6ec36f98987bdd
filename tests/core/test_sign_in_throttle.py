"""Sign-in throttling counts failures per account and address together, never locks anyone out."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from civique.core.models import AuditEvent, User
from civique.core.throttle import parse_rate
from civique.settings import env_rate

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-agent"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, password: str, username: str = "agent"):
    return client.post("/connexion/", {"username": username, "password": password})


def test_an_attacker_failing_for_an_account_does_not_lock_its_owner_out(agent):
    attacker = from_address("203.0.113.9")
    codes = [sign_in(attacker, f"essai{n}").status_code for n in range(20)]
    assert codes[-1] == 429
    response = sign_in(from_address("198.51.100.7"), PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="auth.login", actor=agent).exists()


def test_successful_sign_ins_do_not_count(agent, settings):
    settings.LOGIN_RATE_LIMIT_PER_USER = "3/h"
    settings.LOGIN_RATE_LIMIT_PER_IP = "3/h"
    office = from_address("198.51.100.7")
    for _ in range(6):
        assert sign_in(office, PASSWORD).status_code == 302
        office.post("/deconnexion/")
    assert sign_in(office, "faux").status_code == 200


def test_a_success_resets_the_count_of_its_account_and_address(agent, settings):
    settings.LOGIN_RATE_LIMIT_PER_USER = "3/h"
    office = from_address("198.51.100.7")
    assert [sign_in(office, "faux").status_code for _ in range(2)] == [200, 200]
    assert sign_in(office, PASSWORD).status_code == 302
    office.post("/deconnexion/")
    assert [sign_in(office, "faux").status_code for _ in range(3)] == [200, 200, 200]


def test_a_throttled_pair_gets_a_french_message_and_a_growing_delay(agent, settings, monkeypatch):
    settings.LOGIN_RATE_LIMIT_PER_USER = "3/h"
    settings.LOGIN_THROTTLE_FIRST_DELAY = 30
    settings.LOGIN_THROTTLE_MAX_DELAY = 100
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    attacker = from_address("203.0.113.9")
    assert [sign_in(attacker, "faux").status_code for _ in range(3)] == [200, 200, 200]
    refused = sign_in(attacker, PASSWORD)  # even the right password, from this address
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    html = refused.content.decode()
    assert "Trop de tentatives ont échoué" in html and "30 secondes" in html
    # After the delay, one more failure doubles it; then the ceiling holds.
    now += 31
    assert sign_in(attacker, "faux").status_code == 200
    assert sign_in(attacker, "faux")["Retry-After"] == "60"
    now += 61
    assert sign_in(attacker, "faux").status_code == 200
    assert sign_in(attacker, "faux")["Retry-After"] == "100"
    assert "2 minutes" in sign_in(attacker, "faux").content.decode()


def test_each_throttled_attempt_is_audited_for_administrators(agent, settings):
    settings.LOGIN_RATE_LIMIT_PER_USER = "2/h"
    attacker = from_address("203.0.113.9")
    for _ in range(4):
        sign_in(attacker, "faux")
    events = AuditEvent.objects.filter(verb="auth.login_throttled")
    assert events.count() == 2
    event = events.first()
    assert (event.object_repr, event.ip_address) == ("agent", "203.0.113.9")
    assert event.changes["attente_secondes"] > 0
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="motdepasse-root"))
    listing = admin.get("/admin/core/auditevent/?verb=auth.login_throttled")
    assert listing.status_code == 200
    assert listing.content.decode().count("203.0.113.9") == 2


def test_an_address_spraying_many_accounts_meets_its_own_ceiling(agent, settings):
    settings.LOGIN_RATE_LIMIT_PER_IP = "4/h"
    sprayer = from_address("203.0.113.9")
    codes = [sign_in(sprayer, "faux", username=f"compte{n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert sign_in(from_address("198.51.100.7"), PASSWORD).status_code == 302


def test_a_throttled_name_holding_a_nul_byte_gets_the_french_page(agent, settings):
    settings.LOGIN_RATE_LIMIT_PER_USER = "1/h"
    attacker = from_address("203.0.113.9")
    assert sign_in(attacker, "faux", username="agent\x00").status_code == 200
    assert sign_in(attacker, "faux", username="agent\x00").status_code == 429
    event = AuditEvent.objects.get(verb="auth.login_throttled")
    assert event.object_repr == "(compte inconnu)"


@pytest.mark.parametrize("raw", ["dix/15m", "10", "10/15 minutes", "0/h", " 5 / h"])
def test_a_rate_the_throttle_cannot_read_stops_start_up(raw, monkeypatch):
    monkeypatch.setenv("CIVIQUE_LOGIN_RATE_LIMIT_PER_USER", raw)
    with pytest.raises(ImproperlyConfigured, match="doit être un nombre par durée"):
        env_rate("CIVIQUE_LOGIN_RATE_LIMIT_PER_USER", "10/15m")


def test_every_rate_start_up_accepts_is_read_by_the_throttle(monkeypatch):
    for raw, expected in [("10/15m", (10, 900)), ("200/h", (200, 3600)), ("5/2d", (5, 172800))]:
        monkeypatch.setenv("CIVIQUE_LOGIN_RATE_LIMIT_PER_USER", raw)
        assert parse_rate(env_rate("CIVIQUE_LOGIN_RATE_LIMIT_PER_USER", "10/15m")) == expected
