"""End-to-end tests: Debian's Chromium, driven by Playwright, against the live test server.

Every page runs under its real Content-Security-Policy. The ``page`` fixture records what the
browser reports as a problem: uncaught JavaScript errors and console errors, among which Chromium
reports CSP violations ("Refused to load / execute...") and failed sub-resources (a 404 style
sheet, script or favicon). Tests assert that ``page.console_errors`` stays empty.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.services import required

CHROMIUM = os.environ.get("CIVIQUE_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
# 422 (a form with errors) and 429 (rate limited) are answers the product gives on purpose;
# Chromium still logs them as "Failed to load resource". Any other failed load is a problem.
DELIBERATE_STATUS = re.compile(r"Failed to load resource: .*status of (422|429)\b")


@pytest.fixture(autouse=True)
def _no_rate_limit_counters():
    """The portal's rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium introuvable ({CHROMIUM})"
        if required():
            pytest.fail(message + " (CIVIQUE_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _open_page(browser, **context_options):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not DELIBERATE_STATUS.search(message.text):
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.console_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page; axe-core is injected by page.evaluate, which the CSP allows."""
    context, page = _open_page(browser)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page on a phone-sized viewport (390×844), touch enabled."""
    context, page = _open_page(browser, viewport=PHONE, has_touch=True, is_mobile=True)
    yield page
    context.close()


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations found by axe-core on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the login form, as a person would; ends on the inbox."""
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def signed_in(page, live_server, user) -> None:
    """Give the page a session of ``user`` without going through the form (tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
