"""The Failures page in Chromium: what a stage could not handle, retried or dismissed by a rep."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from assistant.models import Failure
from tests.integration.web.company import Company, Server
from tests.integration.web.conftest import DESKTOP, log_in
from tests.integration.web.seeds import seed_queue

pytestmark = pytest.mark.slow


def _state(world: Company, key: str) -> str:
    with Session(world.engine) as db:
        failure = db.get(Failure, world.failures[key])
        assert failure is not None
        return failure.state


def test_a_rep_sees_her_failures_and_asks_for_another_try(
    browser: Browser, site: tuple[Company, Server]
) -> None:
    world, server = site
    seed_queue(world)
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, server.url, "ana@acme.test")
    page.click("nav >> text=Failures")
    row = page.locator("tr", has_text="María López")
    expect(row).to_contain_text("RuntimeError: María López's draft failed")
    expect(row).to_contain_text("waits for you")
    row.get_by_role("button", name="Retry now").click()
    expect(page.locator(".flash")).to_contain_text("tried again on the next pass")
    assert _state(world, "maria") == "retrying"
    page.locator("tr", has_text="María López").get_by_role("button", name="Dismiss").click()
    expect(page.locator(".empty")).to_contain_text("Nothing has failed")
    assert _state(world, "maria") == "dismissed"


def test_another_rep_sees_none_of_them(browser: Browser, site: tuple[Company, Server]) -> None:
    world, server = site
    seed_queue(world)
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, server.url, "bob@acme.test")
    page.goto(f"{server.url}/failures")
    expect(page.locator(".empty")).to_contain_text("Nothing has failed")
    assert "María" not in page.content()
