"""The fictional commune of Valmont: its teams, themes, channels and agents."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import time

from civique.channels.models import Channel
from civique.core.models import Role, Team, User
from civique.inbox.models import Category
from civique.sla.models import Calendar

DOMAIN = "valmont.example"

TEAMS = [
    ("accueil", "Accueil", "Accueil général de la mairie, standard et courrier."),
    ("etat-civil", "État civil", "Actes, mariages, décès, passeports et cartes d'identité."),
    ("voirie", "Voirie", "Chaussées, trottoirs, éclairage public, signalisation, espaces verts."),
    ("proprete-dechets", "Propreté – déchets", "Propreté urbaine, collecte et encombrants."),
    ("communication", "Communication", "Site internet, réseaux sociaux, magazine municipal."),
]

# slug, name, team slug, offered on the portal
CATEGORIES = [
    ("actes-etat-civil", "Actes d'état civil", "etat-civil", True),
    ("passeports-cni", "Passeports et cartes d'identité", "etat-civil", True),
    ("chaussee", "Chaussée, trottoirs et nids-de-poule", "voirie", True),
    ("eclairage-public", "Éclairage public", "voirie", True),
    ("signalisation", "Signalisation et mobilier urbain", "voirie", True),
    ("espaces-verts", "Espaces verts et arbres", "voirie", True),
    ("stationnement", "Stationnement", "voirie", True),
    ("depots-sauvages", "Dépôts sauvages", "proprete-dechets", True),
    ("encombrants", "Encombrants", "proprete-dechets", True),
    ("graffitis", "Graffitis et affichage sauvage", "proprete-dechets", True),
    ("collecte-dechets", "Collecte des déchets", "proprete-dechets", True),
    ("proprete", "Propreté de l'espace public", "proprete-dechets", True),
    ("urbanisme", "Urbanisme et travaux", "accueil", True),
    ("ecoles-periscolaire", "Écoles et périscolaire", "accueil", True),
    ("social-ccas", "Action sociale (CCAS)", "accueil", True),
    ("vie-locale", "Événements et vie locale", "communication", True),
    ("site-internet", "Site internet et publications", "communication", False),
    ("autre", "Autre demande", "accueil", True),
]


@dataclass
class DemoAgent:
    username: str
    first_name: str
    last_name: str
    role: str
    teams: list[str]
    can_log_in: bool = True
    password: str = field(default="", repr=False)


# The three accounts whose credentials are printed, then colleagues who appear in the data only.
AGENTS = [
    DemoAgent("admin", "Claire", "Fontaine", Role.ADMINISTRATOR, []),
    DemoAgent("superviseur", "Marc", "Lefèvre", Role.SUPERVISOR, ["accueil", "etat-civil"]),
    DemoAgent("agent", "Nadia", "Haddad", Role.AGENT, ["accueil", "proprete-dechets"]),
    DemoAgent("k.benali", "Karim", "Benali", Role.AGENT, ["voirie"], can_log_in=False),
    DemoAgent("s.laurent", "Sophie", "Laurent", Role.AGENT, ["communication"], can_log_in=False),
    DemoAgent("j.moreau", "Julien", "Moreau", Role.AGENT, ["etat-civil"], can_log_in=False),
    DemoAgent(
        "l.garnier", "Lucie", "Garnier", Role.SUPERVISOR, ["voirie", "proprete-dechets"], False
    ),
]


@dataclass
class Commune:
    teams: dict[str, Team]
    categories: dict[str, Category]
    channels: dict[str, Channel]
    agents: dict[str, User]
    credentials: list[DemoAgent]


# Opening hours by team: (weekdays, opens, closes); the others use the default calendar
# (Monday to Friday, 8:30–12:00 and 13:30–17:30). The reception also opens on Saturday morning;
# the communication team watches the networks until 19:00 on weekdays.
TEAM_HOURS = {
    "accueil": [
        (range(5), time(8, 30), time(12)),
        (range(5), time(13, 30), time(17, 30)),
        ([5], time(9), time(12)),
    ],
    "communication": [(range(5), time(9), time(19))],
}


def create_teams() -> dict[str, Team]:
    teams = {
        slug: Team.objects.create(
            slug=slug, name=name, email=f"{slug}@{DOMAIN}", description=description
        )
        for slug, name, description in TEAMS
    }
    for slug, hours in TEAM_HOURS.items():
        calendar = Calendar.objects.create(name=teams[slug].name, team=teams[slug])
        for weekdays, opens, closes in hours:
            for weekday in weekdays:
                calendar.slots.create(weekday=weekday, opens=opens, closes=closes)
    return teams


def create_categories(teams: dict[str, Team]) -> dict[str, Category]:
    return {
        slug: Category.objects.create(slug=slug, name=name, team=teams[team], is_public=public)
        for slug, name, team, public in CATEGORIES
    }


# The local mail sink that ``make run`` starts (``civique run --mail-sink 2525``).
MAIL_SINK_PORT = 2525


# Valmont's Facebook Page (an invented id, the one of the test fixtures).
FACEBOOK_PAGE_ID = "104857386211455"


# Its Instagram account and WhatsApp number (invented, those of the test fixtures).
INSTAGRAM_USER_ID = "17841405822304914"
WHATSAPP_PHONE_NUMBER_ID = "318726540019284"


def meta_secrets(token: str) -> dict[str, str]:
    """Secrets invented here, at each load, for one of Meta's channels: nothing real is
    connected, and ``civique simulate`` signs with the stored app secret. ``token`` names the
    access token's setting."""
    return {
        "app_secret": secrets.token_hex(16),
        "verify_token": secrets.token_urlsafe(16),
        token: "EAAdemo" + secrets.token_urlsafe(40),
    }


# kind, name, team, settings, name of the access token's secret
SOCIAL_CHANNELS = [
    (
        "facebook",
        "Ville de Valmont (Facebook)",
        "communication",
        {"page_id": FACEBOOK_PAGE_ID},
        "page_access_token",
    ),
    (
        "instagram",
        "@villedevalmont (Instagram)",
        "communication",
        {"ig_user_id": INSTAGRAM_USER_ID, "page_id": FACEBOOK_PAGE_ID},
        "page_access_token",
    ),
    (
        "whatsapp",
        "Mairie de Valmont (WhatsApp)",
        "accueil",
        {"phone_number_id": WHATSAPP_PHONE_NUMBER_ID},
        "access_token",
    ),
]


def create_social_channels(teams: dict[str, Team]) -> dict[str, Channel]:
    """The town's Facebook Page and Instagram account (the communication team's), and its
    WhatsApp number (the front desk's, like the phone)."""
    return {
        kind: Channel.objects.create(
            kind=kind, name=name, team=teams[team], settings=settings, secrets=meta_secrets(token)
        )
        for kind, name, team, settings, token in SOCIAL_CHANNELS
    }


def create_channels(teams: dict[str, Team]) -> dict[str, Channel]:
    """One channel of each kind. The mailbox sends through the local mail sink, so answers
    really leave over SMTP and land as .eml files under var/mail-sink/; it has no IMAP server,
    so it is never polled (inbound demo mail goes through the intake directly)."""
    accueil = teams["accueil"]
    email = Channel.objects.create(
        kind="email",
        name=f"contact@{DOMAIN}",
        team=accueil,
        settings={
            "address": f"contact@{DOMAIN}",
            "display_name": "Ville de Valmont",
            "smtp_host": "127.0.0.1",
            "smtp_port": MAIL_SINK_PORT,
            "smtp_security": "none",
        },
    )
    webform = Channel.objects.create(
        kind="webform", name="Portail citoyen", team=accueil, settings={"reply_channel": email.pk}
    )
    return {
        "email": email,
        "webform": webform,
        "phone": Channel.objects.create(kind="phone", name="Standard téléphonique", team=accueil),
        "counter": Channel.objects.create(
            kind="counter", name="Accueil de la mairie", team=accueil
        ),
        "api": Channel.objects.create(
            kind="api", name="API", team=accueil, settings={"client": "Application Valmont & moi"}
        ),
        **create_social_channels(teams),
    }


def create_agents(teams: dict[str, Team]) -> tuple[dict[str, User], list[DemoAgent]]:
    """Create the agents. Those who can log in get a fresh random password, returned once."""
    users, credentials = {}, []
    for spec in AGENTS:
        user = User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.first_name}.{spec.last_name}@{DOMAIN}".lower().replace("è", "e"),
            role=spec.role,
            is_staff=spec.role == Role.ADMINISTRATOR,
            is_superuser=spec.role == Role.ADMINISTRATOR,
        )
        if spec.can_log_in:
            credentials.append(_new_password(user, spec))
        else:
            user.set_unusable_password()
        user.save()
        user.teams.set([teams[slug] for slug in spec.teams])
        users[spec.username] = user
    return users, credentials


def _new_password(user: User, spec: DemoAgent) -> DemoAgent:
    """Give ``user`` a fresh random password (not saved); return it with the spec, once."""
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    return DemoAgent(**{**spec.__dict__, "password": password})


def reset_passwords() -> list[DemoAgent]:
    """New passwords for the accounts whose credentials the demo prints (when they were lost)."""
    credentials = []
    for spec in AGENTS:
        user = User.objects.filter(username=spec.username).first()
        if spec.can_log_in and user is not None:
            credentials.append(_new_password(user, spec))
            user.save(update_fields=["password"])
    return credentials


def load_commune(credentials: list[DemoAgent]) -> Commune:
    """Valmont as an interrupted load left it. Precondition: ``create_commune`` committed."""
    channels = {}
    for channel in Channel.objects.order_by("pk"):
        channels.setdefault(channel.kind, channel)
    return Commune(
        teams={team.slug: team for team in Team.objects.all()},
        categories={category.slug: category for category in Category.objects.all()},
        channels=channels,
        agents={user.username: user for user in User.objects.all()},
        credentials=credentials,
    )


def create_commune() -> Commune:
    """Create Valmont's configuration. Precondition: no team exists yet (an empty database)."""
    teams = create_teams()
    agents, credentials = create_agents(teams)
    return Commune(
        teams=teams,
        categories=create_categories(teams),
        channels=create_channels(teams),
        agents=agents,
        credentials=credentials,
    )
