"""End-to-end tests: Debian's Chromium, driven by Playwright, against the live test server."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.services import required

CHROMIUM = os.environ.get("CIVIQUE_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the pages themselves run under their CSP.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
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
