"""The main pages at desktop and phone width, saved as pictures under test-artifacts/web/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.integration.web.company import ARTIFACTS, Company, Server
from tests.integration.web.conftest import DESKTOP, PHONE, log_in
from tests.integration.web.seeds import seed_history, seed_queue

pytestmark = pytest.mark.slow


def _shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    # Nothing may stick out sideways: at phone width that would mean scrolling both ways.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the screen"
    folder = ARTIFACTS / "web"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_main_pages_render_cleanly(
    browser: Browser, site: tuple[Company, Server], width: str
) -> None:
    world, server = site
    seed_queue(world)
    seed_history(world)
    world.add_mail("li", text="Thanks for the guide. Do you have a mobile app? Best, Li")
    viewport = DESKTOP if width == "desktop" else PHONE
    url = server.url

    rep = browser.new_context(viewport=viewport).new_page()
    rep.goto(f"{url}/login")
    _shoot(rep, f"{width}-login")
    log_in(rep, url, "ana@acme.test")
    _shoot(rep, f"{width}-queue")
    rep.goto(f"{url}/drafts/{world.drafts['maria']}")
    _shoot(rep, f"{width}-draft")
    rep.goto(f"{url}/leads/{world.leads['maria']}")
    rep.evaluate("document.querySelectorAll('details.quoted').forEach(d => d.open = true)")
    _shoot(rep, f"{width}-lead")
    rep.goto(f"{url}/leads")
    _shoot(rep, f"{width}-leads")

    manager = browser.new_context(viewport=viewport).new_page()
    log_in(manager, url, "meg@acme.test")
    for path, name in (
        ("/manage?days=90", "team"),
        ("/manage/rules/tone", "tone-rules"),
        ("/manage/rules/cadence", "cadence-rules"),
        ("/manage/content/gaps", "content-gaps"),
        ("/manage/content", "content"),
    ):
        manager.goto(f"{url}{path}")
        _shoot(manager, f"{width}-{name}")
    manager.get_by_role(
        "link", name="Connecting Acme Forecast to Your CRM: Integration Guide"
    ).click()
    _shoot(manager, f"{width}-content-item")
