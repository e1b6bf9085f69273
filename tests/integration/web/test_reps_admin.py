"""The admin's reps page: add, pause, resume and remove reps in a browser; no one else gets in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from assistant.models import AuditEntry, Rep
from tests.integration.web.company import Company, Server, csrf_of
from tests.integration.web.conftest import DESKTOP, log_in

pytestmark = pytest.mark.slow

Site = tuple[Company, Server]


def _rep(world: Company, email: str) -> Rep:
    with Session(world.engine) as db:
        return db.exec(select(Rep).where(Rep.email == email)).one()


def test_admin_adds_pauses_resumes_and_removes_reps_in_the_browser(
    browser: Browser, site: Site
) -> None:
    world, server = site
    world.add_lead("maria", "bob@acme.test", name="María López", company="Northwind")
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, server.url, "root@acme.test")
    page.click("nav >> text=Reps")
    page.wait_for_url(f"{server.url}/manage/reps")
    bob_row = page.locator('tr[data-rep="bob@acme.test"]')
    expect(bob_row).to_contain_text("Active")
    expect(bob_row.locator("td").nth(2)).to_have_text("1")
    expect(bob_row).to_contain_text("no mailbox")

    page.fill("#email", "dan@acme.test")
    page.fill("#name", "Dan Park")
    page.fill("#team", "east")
    page.fill("#imap_host", "imap.acme.test")
    page.fill("#imap_password_env", "DAN_PASSWORD")
    page.click("#add-rep button[type=submit]")
    expect(page.locator(".flash")).to_have_text(
        "dan@acme.test is on the floor: its mailbox is watched within seconds."
    )
    dan_row = page.locator('tr[data-rep="dan@acme.test"]')
    expect(dan_row).to_contain_text("Active")
    expect(dan_row).to_contain_text("not synced yet")
    dan = _rep(world, "dan@acme.test")
    assert dan.imap is not None and dan.imap["password_env"] == "DAN_PASSWORD"
    assert (dan.source, dan.team) == ("database", "east")

    dan_row.locator("text=Pause").click()
    expect(page.locator(".flash")).to_contain_text("dan@acme.test is paused")
    expect(dan_row).to_contain_text("paused: not watched")
    dan_row.locator("text=Resume").click()
    expect(dan_row).to_contain_text("not synced yet")

    bob_row.locator("select").select_option("ana@acme.test")
    bob_row.locator("text=Remove").click()
    expect(page.locator(".flash")).to_have_text(
        "bob@acme.test is removed: its leads stay, to be reassigned; "
        "1 lead(s) now belong to ana@acme.test."
    )
    expect(bob_row).to_contain_text("Removed")
    assert world.lead("maria").owner_id == world.reps["ana@acme.test"]
    assert _rep(world, "bob@acme.test").status == "removed"

    page.fill("#email", "not-an-address")  # the browser's own check would stop this form
    page.eval_on_selector("#add-rep", "f => f.noValidate = true")
    page.fill("#name", "Nobody")
    page.click("#add-rep button[type=submit]")
    expect(page.locator(".flash")).to_have_text("Email: 'not-an-address' is not an email address")
    with Session(world.engine) as db:
        actions = [a.action for a in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert actions == ["rep_added", "rep_paused", "rep_resumed", "rep_removed", "reassigned"]


def test_only_an_admin_reaches_the_reps_page_and_every_change_needs_the_csrf_token(
    site: Site,
) -> None:
    world, server = site
    bob_id = world.reps["bob@acme.test"]
    for email in ("meg@acme.test", "ana@acme.test"):
        client = server.sign_in(email)
        csrf = csrf_of(client)
        assert client.get("/manage/reps").status_code == 403
        refused = client.post(f"/manage/reps/{bob_id}/pause", data={"csrf": csrf})
        assert refused.status_code == 403 and "This page is for admins." in refused.text
        added = client.post(
            "/manage/reps/new", data={"csrf": csrf, "email": "eve@acme.test", "name": "Eve"}
        )
        assert added.status_code == 403
    root = server.sign_in("root@acme.test")
    assert root.post(f"/manage/reps/{bob_id}/pause", data={"csrf": "forged"}).status_code == 403
    assert _rep(world, "bob@acme.test").status == "active"
    with Session(world.engine) as db:
        assert db.exec(select(Rep).where(Rep.email == "eve@acme.test")).first() is None
    moved = root.post(f"/manage/reps/{bob_id}/pause", data={"csrf": csrf_of(root)})
    assert moved.status_code == 303 and _rep(world, "bob@acme.test").status == "paused"
