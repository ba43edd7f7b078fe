"""Browser tests: the real app on 127.0.0.1 in a thread, driven by Debian's Chromium.

Playwright's Python package drives /usr/bin/chromium (apt-get install chromium); no browser is
ever downloaded. Screenshots of every page a journey visits go to test-output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from service.auth.services import create_user
from service.db import session_scope
from tests.helpers import PASSWORD, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """The system Chromium; the browser tests skip without it."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    return CHROMIUM


@pytest.fixture
def live_server(catalog_app: Flask) -> Iterator[str]:
    """The app with the shipped catalog, served by werkzeug on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, catalog_app, threaded=True)
    stop = serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    stop()


@pytest.fixture
def users(catalog_app: Flask) -> dict[str, str]:
    """One user per role, with a known password: role -> email."""
    emails = {}
    with catalog_app.app_context(), session_scope() as session:
        for role in ("admin", "legal", "procurement", "viewer"):
            email = f"{role}@example.test"
            create_user(
                session=session,
                email=email,
                role=role,
                password=PASSWORD,
                name=f"{role.title()} User",
            )
            emails[role] = email
    return emails


@pytest.fixture
def browser(chromium_path: Path) -> Iterator[Any]:
    """A headless Chromium (the system one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """New pages in fresh browser contexts (laptop size unless told), closed afterwards.

    A script error or a Content-Security-Policy refusal on any page fails the test; an
    expected 4xx answer (a refused forged post) is not a page error.
    """
    contexts: list[Any] = []
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    def factory(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            accept_downloads=True,
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield factory
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as test-output/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """Sign in through the sign-in page, as a person would."""

    def go(page: Any, email: str, password: str = PASSWORD) -> None:
        page.goto("/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return go


@pytest.fixture
def page_as(
    open_page: Callable[..., Any], users: dict[str, str], sign_in: Callable[..., None]
) -> Callable[..., Any]:
    """A new page signed in as the test user of a role (options go to open_page)."""

    def factory(role: str, **options: Any) -> Any:
        page = open_page(**options)
        sign_in(page, users[role])
        return page

    return factory
