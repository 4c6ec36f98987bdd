"""Django settings for Civique.

Every setting comes from the environment, with embedded defaults (SQLite in WAL mode under
``./var/``, database-backed task queue). ``docs/env.md`` tables every variable. A bad value stops
start-up with a message naming the variable.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir 0 ou 1 (reçu {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier (reçu {raw!r}).") from None


def env_rate(name: str, default: str) -> str:
    """A rate such as ``10/15m`` (count / optional multiplier and s, m, h or d), checked at start-up
    rather than failing on the first sign-in."""
    raw = os.environ.get(name) or default
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", raw):
        raise ImproperlyConfigured(
            f"{name} doit être un nombre par durée, par exemple 10/15m ou 200/h (reçu {raw!r})."
        )
    return raw


def url_origin(name: str, url: str) -> str:
    """The scheme and host of ``url`` (for the CSP), "" when it is empty."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname or "{" in parts.netloc:
        raise ImproperlyConfigured(
            f"{name} doit être une adresse http(s) sans variable dans le nom d'hôte (reçu {url!r})."
        )
    return f"{parts.scheme}://{parts.netloc}"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("CIVIQUE_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A random key kept in ``var/secret_key`` so that the embedded profile needs no setup."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Processes starting together (the two test passes, a web process and its worker) may
        # all get here: each writes a whole key to a file of its own (0600), then links it into
        # place; the first link wins and everyone reads that key, never a half-written one.
        fd, draft = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_text().strip()


DEBUG = env_bool("CIVIQUE_DEBUG", False)
SECRET_KEY = env_str("CIVIQUE_SECRET_KEY") or _embedded_secret_key()
# Keys that encrypt channel secrets at rest; the first encrypts, all decrypt (rotation).
ENCRYPTION_KEYS = env_list("CIVIQUE_ENCRYPTION_KEYS") or [SECRET_KEY]
ALLOWED_HOSTS = env_list("CIVIQUE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CIVIQUE_CSRF_TRUSTED_ORIGINS")
# Address of the reverse proxy in front of `civique run`, whose X-Forwarded-For/-Proto are believed.
CIVIQUE_TRUSTED_PROXY = env_str("CIVIQUE_TRUSTED_PROXY")
SITE_URL = env_str("CIVIQUE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "civique.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "civique.contacts",
    "civique.channels",
    "civique.ingest",
    "civique.inbox",
    "civique.moderation",
    "civique.knowledge",
    "civique.sla",
    "civique.notifications",
    "civique.satisfaction",
    "civique.reporting",
    "civique.portal",
    "civique.api",
    "civique.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Last to see each answer: bidirectional controls shown as U+FFFD (core/display.py).
    "civique.core.display.NeutraliseBidiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a rate-limit refusal into settings.RATELIMIT_VIEW (429).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "civique.urls"
WSGI_APPLICATION = "civique.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civique.core.context_processors.civique",
                "civique.moderation.context_processors.moderation",
                "civique.notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_ENGINE = "django.db.backends.sqlite3"


def _sqlite_options() -> dict:
    """Options every SQLite database gets, the default one as one named by DATABASE_URL.

    WAL lets readers work while the worker writes; IMMEDIATE takes the write lock at BEGIN so two
    writers queue on the busy timeout instead of failing mid-transaction.
    """
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }


DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CIVIQUE_DB_CONN_MAX_AGE", 60)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL n'est pas une URL de base valide : {exc}"
        ) from None
    _db["CONN_HEALTH_CHECKS"] = True
else:
    _db = {"ENGINE": SQLITE_ENGINE, "NAME": str(VAR_DIR / "civique.sqlite3")}
if _db["ENGINE"] == SQLITE_ENGINE:
    # Options written in the URL (``?timeout=60``) win over the embedded ones.
    _db["OPTIONS"] = {**_sqlite_options(), **_db.get("OPTIONS", {})}
    # Kept per thread, as on PostgreSQL: opening the file and running the PRAGMAs took a fifth of
    # a webhook's time when done for every request.
    _db.setdefault("CONN_MAX_AGE", env_int("CIVIQUE_DB_CONN_MAX_AGE", 60))
# Lets concurrent test runs against one PostgreSQL server use distinct test databases.
if os.environ.get("CIVIQUE_TEST_DB_SUFFIX"):
    _db.setdefault("TEST", {})["NAME"] = f"test_civique_{os.environ['CIVIQUE_TEST_DB_SUFFIX']}"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache (rate limits) -------------------------------------------------------------------
REDIS_URL = env_str("CIVIQUE_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit wants a shared cache; the embedded profile serves from one web process, whose
# memory cache is therefore shared by every request it answers. Scale-out sets CIVIQUE_REDIS_URL.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_VIEW = "civique.core.views.rate_limited"

# --- Tasks ----------------------------------------------------------------------------------
TASKS_BACKEND = env_str("CIVIQUE_TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"CIVIQUE_TASKS_BACKEND doit valoir {', '.join(_TASK_BACKENDS)} (reçu {TASKS_BACKEND!r})."
    )
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("CIVIQUE_TASKS_BACKEND=rq demande CIVIQUE_REDIS_URL.")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("CIVIQUE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
PHONE_REGION = env_str("CIVIQUE_PHONE_REGION", "FR")

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders, but expects the folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("CIVIQUE_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: attachments go through a permission check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Civique --------------------------------------------------------------------------------
CIVIQUE_ORGANISATION = env_str("CIVIQUE_ORGANISATION", "Ville de Valmont")
CIVIQUE_REFERENCE_PREFIX = env_str("CIVIQUE_REFERENCE_PREFIX", "V")
CIVIQUE_MAX_ATTACHMENT_BYTES = env_int("CIVIQUE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Tiles of the map on a located conversation (Leaflet). The tile server learns the agent's
# address and the area shown; empty: no map, only the coordinates and a link to OpenStreetMap.
CIVIQUE_MAP_TILES_URL = env_str(
    "CIVIQUE_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
CIVIQUE_MAX_EVENT_BYTES = env_int("CIVIQUE_MAX_EVENT_BYTES", 40 * 1024 * 1024)
CIVIQUE_INGEST_BATCH = env_int("CIVIQUE_INGEST_BATCH", 100)
CIVIQUE_MAX_ATTEMPTS = env_int("CIVIQUE_MAX_ATTEMPTS", 5)
# A worker parks an event whose processing takes longer than this (seconds; 0: no limit).
CIVIQUE_EVENT_TIME_LIMIT = env_int("CIVIQUE_EVENT_TIME_LIMIT", 60)
CIVIQUE_RETRY_BASE_SECONDS = env_int("CIVIQUE_RETRY_BASE_SECONDS", 30)
CIVIQUE_SWEEP_SECONDS = env_int("CIVIQUE_SWEEP_SECONDS", 15)
CIVIQUE_POLL_SECONDS = env_int("CIVIQUE_POLL_SECONDS", 60)
CIVIQUE_REQUIRE_SERVICES = env_bool("CIVIQUE_REQUIRE_SERVICES", False)
# Meta's Graph API (Facebook, Instagram, WhatsApp Cloud API), with its version; tests point it at
# a local fake.
CIVIQUE_GRAPH_API_URL = env_str("CIVIQUE_GRAPH_API_URL", "https://graph.facebook.com/v26.0")
# Preparation stages: the work that needs no database (making values storable, cleaning HTML,
# re-encoding images, analysing the text), run before the write transaction so that no long work
# holds the database's write lock. Then the pipeline proper, in one transaction per event.
CIVIQUE_PREPARE = [
    "civique.ingest.prepare.make_storable",
    "civique.ingest.prepare.clean_html",
    "civique.ingest.prepare.prepare_attachments",
    "civique.ingest.prepare.analyse_texts",
]
# The analysers (civique.analysis): the institution's own published contacts (emails, phone
# numbers, web domains), never reported as personal data, besides each channel's own address;
# public figures' names (each form to spare: "Jean Dupont", "Dupont"), never reported as names;
# and whether spaCy's French NER looks for person names (slower; off, the rules still run).
CIVIQUE_OWN_CONTACTS = env_list("CIVIQUE_OWN_CONTACTS")
CIVIQUE_PUBLIC_FIGURES = env_list("CIVIQUE_PUBLIC_FIGURES")
CIVIQUE_ANALYSIS_NER = env_bool("CIVIQUE_ANALYSIS_NER", True)
CIVIQUE_PIPELINE = [
    "civique.ingest.changes.apply_platform_change",
    "civique.ingest.stages.identify_contact",
    "civique.ingest.stages.find_conversation",
    "civique.ingest.stages.persist_message",
    "civique.ingest.changes.apply_tombstone",
    "civique.ingest.stages.route",
    "civique.satisfaction.stages.record_survey_answer",
    "civique.ingest.stages.update_clocks",
    "civique.moderation.stages.apply_charter",
    "civique.sla.acknowledgements.acknowledge",
    "civique.ingest.stages.notify",
]
# Automatic acknowledgements (sla/acknowledgements.py); at most one per conversation, and per
# contact, in the period.
CIVIQUE_AUTO_ACKNOWLEDGE = env_bool("CIVIQUE_AUTO_ACKNOWLEDGE", True)
CIVIQUE_ACK_PERIOD_HOURS = env_int("CIVIQUE_ACK_PERIOD_HOURS", 24)
# Satisfaction survey after a resolution (satisfaction/actions.py): valid for VALIDITY days; a
# conversation resolved again gets another only RESEND days after the last one.
CIVIQUE_SATISFACTION_SURVEY = env_bool("CIVIQUE_SATISFACTION_SURVEY", True)
CIVIQUE_SATISFACTION_VALIDITY_DAYS = env_int("CIVIQUE_SATISFACTION_VALIDITY_DAYS", 30)
CIVIQUE_SATISFACTION_RESEND_DAYS = env_int("CIVIQUE_SATISFACTION_RESEND_DAYS", 30)
# Failed sign-ins: free ones per (account, address) pair, and per address (a town hall's agents
# may share one); beyond, a delay that doubles from the first to the max (core.throttle).
LOGIN_RATE_LIMIT_PER_USER = env_rate("CIVIQUE_LOGIN_RATE_LIMIT_PER_USER", "10/15m")
LOGIN_RATE_LIMIT_PER_IP = env_rate("CIVIQUE_LOGIN_RATE_LIMIT_PER_IP", "200/h")
LOGIN_THROTTLE_FIRST_DELAY = env_int("CIVIQUE_LOGIN_THROTTLE_FIRST_DELAY", 30)
LOGIN_THROTTLE_MAX_DELAY = env_int("CIVIQUE_LOGIN_THROTTLE_MAX_DELAY", 900)
PORTAL_RATE_LIMIT = env_rate("CIVIQUE_PORTAL_RATE_LIMIT", "10/h")
PORTAL_TRACK_RATE_LIMIT_PER_HANDLE = env_rate("CIVIQUE_PORTAL_TRACK_RATE_LIMIT_PER_HANDLE", "5/h")
# API requests allowed per token, and per client address for requests without a valid token
# (the OpenAPI description, a missing or wrong token); beyond, 429 (api.auth, core.throttle).
API_RATE_LIMIT = env_rate("CIVIQUE_API_RATE_LIMIT", "600/m")
API_RATE_LIMIT_ANONYMOUS = env_rate("CIVIQUE_API_RATE_LIMIT_ANONYMOUS", "60/m")
# The web-form channel the portal posts to; empty: the first active one.
CIVIQUE_PORTAL_CHANNEL = env_int("CIVIQUE_PORTAL_CHANNEL", 0) or None
# Largest request body the web server accepts (uploads included).
CIVIQUE_MAX_REQUEST_BYTES = env_int("CIVIQUE_MAX_REQUEST_BYTES", 64 * 1024 * 1024)
EMAIL_FROM_DEFAULT = env_str("CIVIQUE_EMAIL_FROM", "Ville de Valmont <contact@valmont.example>")
DEFAULT_FROM_EMAIL = EMAIL_FROM_DEFAULT
# Seconds before a system mail (notification copies) gives up on the SMTP server, so a server
# that hangs cannot block the scheduler's tick.
EMAIL_TIMEOUT = env_int("CIVIQUE_EMAIL_TIMEOUT", 10)

# --- Security -------------------------------------------------------------------------------
CSRF_FAILURE_VIEW = "civique.core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CIVIQUE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The map's tiles come from CIVIQUE_MAP_TILES_URL's server, and only images from it.
        "img-src": [
            SELF,
            "data:",
            *filter(None, [url_origin("CIVIQUE_MAP_TILES_URL", CIVIQUE_MAP_TILES_URL)]),
        ],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CIVIQUE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task run drowns the useful lines; failures are still logged.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        # One line per call to Meta's Graph API; its failures are logged by graph.py.
        "httpx": {"level": "WARNING"},
    },
}
