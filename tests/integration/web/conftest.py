"""Fixtures for the web app: a seeded store, a real `nurture web` process, Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.integration.web.company import PASSWORD, Company, Server, build, start_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Company, Server]]:
    """A seeded SQLite store served by a real server process (the browser flows' world)."""
    world, config = build(tmp_path, f"sqlite:///{tmp_path}/nurture.db")
    yield from _serving(world, config)


@pytest.fixture
def site_on(tmp_path: Path, db_url: str) -> Iterator[tuple[Company, Server]]:
    """The same world on SQLite and on PostgreSQL, for tests of what the store enforces."""
    world, config = build(tmp_path, db_url)
    yield from _serving(world, config)


def _serving(world: Company, config: Path) -> Iterator[tuple[Company, Server]]:
    try:
        server = start_server(config, world.settings)
        try:
            yield world, server
        finally:
            server.stop()
    finally:
        world.engine.dispose()


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/queue**")
