"""Standing fixtures: two teams, three users (administrator, agent of the team, outsider),
and one channel of each kind of this issue."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from civique.channels.models import Channel
from civique.core.models import Role, Team, User
from civique.inbox.models import Category
from tests.channels.instagram import instagram_channel  # noqa: F401 - a fixture, shared
from tests.fakes.graph import graph_api  # noqa: F401 - a fixture, shared
from tests.smtp import Recorder, free_port


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_acknowledgements(settings):
    """Automatic acknowledgements add a message to every email; tests/sla turns them on."""
    settings.CIVIQUE_AUTO_ACKNOWLEDGE = False


@pytest.fixture(autouse=True)
def _no_satisfaction_surveys(settings):
    """A survey adds a message to every resolution; tests/satisfaction turns them on."""
    settings.CIVIQUE_SATISFACTION_SURVEY = False


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(slug="accueil", name="Accueil", email="accueil@valmont.example")


@pytest.fixture
def other_team(db) -> Team:
    return Team.objects.create(slug="voirie", name="Voirie")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_user(
        "admin", password="motdepasse-admin", role=Role.ADMINISTRATOR, first_name="Alice"
    )


@pytest.fixture
def agent(team) -> User:
    user = User.objects.create_user(
        "agent",
        password="motdepasse-agent",
        role=Role.AGENT,
        first_name="Bruno",
        last_name="Martin",
    )
    user.teams.add(team)
    return user


@pytest.fixture
def supervisor(team) -> User:
    user = User.objects.create_user(
        "superviseur", password="motdepasse-sup", role=Role.SUPERVISOR, first_name="Chloé"
    )
    user.teams.add(team)
    return user


@pytest.fixture
def outsider(other_team) -> User:
    user = User.objects.create_user("outsider", password="motdepasse-outsider", role=Role.AGENT)
    user.teams.add(other_team)
    return user


@pytest.fixture
def email_channel(team) -> Channel:
    return Channel.objects.create(
        kind="email",
        name="contact@valmont.example",
        team=team,
        settings={"address": "contact@valmont.example", "display_name": "Ville de Valmont"},
    )


@pytest.fixture
def webform_channel(team) -> Channel:
    return Channel.objects.create(kind="webform", name="Portail citoyen", team=team)


@pytest.fixture
def phone_channel(team) -> Channel:
    return Channel.objects.create(kind="phone", name="Standard", team=team)


@pytest.fixture
def counter_channel(team) -> Channel:
    return Channel.objects.create(kind="counter", name="Accueil de la mairie", team=team)


@pytest.fixture
def api_channel(team) -> Channel:
    return Channel.objects.create(kind="api", name="API", team=team)


@pytest.fixture
def category(other_team) -> Category:
    return Category.objects.create(slug="voirie", name="Voirie", team=other_team)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def smtp_channel(email_channel, smtp_server) -> Channel:
    """The standing email channel, sending through the test SMTP server."""
    controller, _recorder = smtp_server
    email_channel.settings.update(
        smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="none"
    )
    email_channel.save()
    return email_channel


@pytest.fixture
def facebook_channel(team) -> Channel:
    """A Facebook Page channel whose webhook is signed with tests.hooks.APP_SECRET."""
    from tests.hooks import APP_SECRET, PAGE_ID, VERIFY_TOKEN

    return Channel.objects.create(
        kind="facebook",
        name="Ville de Valmont (Facebook)",
        team=team,
        settings={"page_id": PAGE_ID},
        secrets={"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )


@pytest.fixture
def whatsapp_channel(team) -> Channel:
    """A WhatsApp number whose webhook is signed with tests.hooks.APP_SECRET."""
    from tests.channels.whatsapp import PHONE_NUMBER_ID, TOKEN
    from tests.hooks import APP_SECRET, VERIFY_TOKEN

    return Channel.objects.create(
        kind="whatsapp",
        name="Ville de Valmont (WhatsApp)",
        team=team,
        settings={"phone_number_id": PHONE_NUMBER_ID},
        secrets={"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )
