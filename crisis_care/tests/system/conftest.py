"""Browser journeys: Playwright driving Debian's Chromium against the live server.

Every page a journey visits is checked with axe-core (from node_modules, evaluated in
the page so our CSP does not block it) and must have zero violations. A CSP violation
reported by the browser also fails the test.
"""

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (building fixtures) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = (
    Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
).read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

pytestmark = pytest.mark.system


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert csp_errors == [], f"CSP violations: {csp_errors}"


def _format(violations: list[dict]) -> str:  # type: ignore[type-arg]
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.fixture
def axe() -> Callable[[Page], None]:
    """axe(page): assert the page as it stands has no accessibility violations."""

    def check(page: Page) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE)
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = result["violations"]
        assert violations == [], f"axe found violations on {page.url}:\n{_format(violations)}"

    return check


@pytest.fixture
def sign_in(axe: Callable[[Page], None]) -> Callable[[Page, str], None]:
    def do(page: Page, username: str, password: str = "correct-horse-battery-staple") -> None:
        page.goto("/sign-in/")
        axe(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/home/")

    return do


@pytest.fixture
def seeded_directory() -> None:
    """The directory as the data migration seeds it. Transactional tests empty the tables
    when they finish, so a journey that runs after one seeds it again."""
    from django.apps import apps

    from crisis_care.directory.models import Service

    if not Service.objects.filter(name="Crisis café").exists():
        seed = importlib.import_module("crisis_care.directory.migrations.0002_seed_services")
        seed.seed(apps, None)
