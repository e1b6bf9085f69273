"""A rep and a manager at work in Chromium, against a real `nurture web` process."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from assistant.llm.base import DraftRequest, LeadProfile, RepProfile
from assistant.llm.offline import OfflineDrafter
from assistant.models import AuditEntry, DraftVersion
from assistant.rules import tone_for
from tests.integration.web.company import Company, Server
from tests.integration.web.conftest import DESKTOP, log_in
from tests.integration.web.seeds import seed_queue

pytestmark = pytest.mark.slow

Site = tuple[Company, Server]


def _page(browser: Browser, **options: object) -> Page:
    context = browser.new_context(viewport=DESKTOP, **options)  # type: ignore[arg-type]
    return context.new_page()


def _rep(browser: Browser, site: Site, email: str = "ana@acme.test", **options: object) -> Page:
    world, server = site
    seed_queue(world)
    page = _page(browser, **options)
    log_in(page, server.url, email)
    return page


def test_rep_signs_in_and_sees_only_her_own_drafts_hot_leads_first(
    browser: Browser, site: Site
) -> None:
    page = _rep(browser, site)
    cards = page.locator(".card[data-draft]")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("María López")
    expect(cards.nth(0)).to_contain_text("Northwind")
    expect(cards.nth(0)).to_contain_text("The lead replied and has not had an answer")
    expect(cards.nth(0)).to_contain_text("Connecting Acme Forecast to Your CRM")
    expect(cards.nth(0).locator(".mail").first).to_contain_text("useful read")
    expect(page.locator(".hot-strip")).to_contain_text("Tom Becker")
    html = page.content()
    assert "BOB-ONLY" not in html and "WEST-ONLY" not in html


def test_approve_from_the_queue_freezes_the_email_for_the_next_send(
    browser: Browser, site: Site
) -> None:
    world, _ = site
    page = _rep(browser, site)
    page.locator(f"#d{world.drafts['maria']}").get_by_role("button", name="Approve").first.click()
    expect(page.locator(".flash-ok")).to_contain_text("Approved: the email to maria@northwind.test")
    draft = world.draft("maria")
    assert draft.state == "approved" and draft.approved_by == "ana@acme.test"
    assert draft.mime is not None and b"maria@northwind.test" in draft.mime
    expect(page.locator(".card[data-draft]")).to_have_count(2)


def test_edit_then_approve_sends_the_edited_text_and_records_before_and_after(
    browser: Browser, site: Site
) -> None:
    world, server = site
    page = _rep(browser, site)
    original = world.draft("li").subject
    page.locator(f"#d{world.drafts['li']}").get_by_role("link", name="Edit").click()
    page.fill("#subject", "Spreadsheets, and what comes after")
    page.fill("#body", "Hi Li,\n\nShort and sweet: here is the checklist.\n\nAna")
    page.locator("#edit").get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{server.url}/queue**")
    draft = world.draft("li")
    assert draft.state == "approved"
    assert draft.subject == "Spreadsheets, and what comes after"
    assert draft.body == "Hi Li,\n\nShort and sweet: here is the checklist.\n\nAna\n"
    with Session(world.engine) as db:
        entry = db.exec(
            select(AuditEntry).where(
                AuditEntry.draft_id == draft.id, AuditEntry.action == "approved"
            )
        ).one()
    assert entry.actor == "ana@acme.test" and entry.detail["edited"] is True
    assert entry.detail["after"]["subject"] == "Spreadsheets, and what comes after"
    assert entry.detail["before"]["subject"] == original != "Spreadsheets, and what comes after"


def test_reject_needs_a_reason_and_keeps_it(browser: Browser, site: Site) -> None:
    world, _ = site
    page = _rep(browser, site)
    card = page.locator(f"#d{world.drafts['sam']}")
    card.locator("summary", has_text="Reject").click()
    card.get_by_placeholder("Why reject it?").fill("Sam asked for a call instead")
    card.get_by_role("button", name="Reject draft").click()
    expect(page.locator(".flash-ok")).to_contain_text("Rejected")
    draft = world.draft("sam")
    assert draft.state == "rejected" and draft.decision_note == "Sam asked for a call instead"


def test_keyboard_only_approval_snooze_and_reject(browser: Browser, site: Site) -> None:
    world, server = site
    page = _rep(browser, site)
    page.keyboard.press("j")
    expect(page.locator(f"#d{world.drafts['li']}")).to_have_class("card current")
    page.keyboard.press("a")
    expect(page.locator(".flash-ok")).to_contain_text("Approved")
    assert world.draft("li").state == "approved"
    assert world.draft("maria").state == "pending"
    # Focus comes back to a neighbour of the approved card, ready for the next key.
    expect(page.locator(".card.current")).to_have_count(1)
    page.keyboard.press("s")
    expect(page.locator(".flash-ok")).to_contain_text("Snoozed for 1 day")
    snoozed = [k for k in ("maria", "sam") if world.draft(k).snoozed_until is not None]
    assert len(snoozed) == 1
    page.keyboard.press("r")
    page.keyboard.type("Not the right moment")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-ok")).to_contain_text("Rejected")
    expect(page.locator(".empty")).to_contain_text("all caught up")
    page.goto(f"{server.url}/queue?view=snoozed")
    page.get_by_role("button", name="Back to queue").click()
    expect(page.locator(".flash-ok")).to_contain_text("Back in the queue")
    page.goto(f"{server.url}/queue")
    expect(page.locator(".card[data-draft]")).to_have_count(1)


def test_approve_for_a_picked_time_in_the_reps_time_zone(browser: Browser, site: Site) -> None:
    world, _ = site
    page = _rep(browser, site, timezone_id="Europe/Madrid")
    card = page.locator(f"#d{world.drafts['maria']}")
    card.locator("summary", has_text="Send later").click()
    card.locator("input[type=datetime-local]").fill("2030-03-04T10:30")
    card.get_by_role("button", name="Approve for then").click()
    expect(page.locator(".flash-ok")).to_contain_text("goes out on 04 Mar 2030 at 09:30 UTC")
    assert world.draft("maria").send_after == datetime(2030, 3, 4, 9, 30, tzinfo=UTC)


def test_bulk_approve_approves_every_selected_draft(browser: Browser, site: Site) -> None:
    world, _ = site
    page = _rep(browser, site)
    page.locator(f"#d{world.drafts['maria']} [data-pick]").check()
    page.locator(f"#d{world.drafts['sam']} [data-pick]").check()
    expect(page.locator("[data-picked-count]")).to_have_text("2 selected")
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".flash-ok")).to_contain_text("Approved 2 drafts")
    assert [world.draft(k).state for k in ("maria", "li", "sam")] == [
        "approved",
        "pending",
        "approved",
    ]


def test_lead_page_shows_the_conversation_and_pauses_resumes_and_reassigns(
    browser: Browser, site: Site
) -> None:
    world, server = site
    page = _rep(browser, site)
    page.goto(f"{server.url}/leads/{world.leads['maria']}")
    expect(page.locator(".timeline")).to_contain_text("useful read")
    expect(page.locator(".timeline")).to_contain_text("Pending")
    page.locator("summary", has_text="Pause").click()
    page.fill("#until", "2031-07-01")
    page.fill("#pause-reason", "Budget frozen until Q3")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".flash-ok")).to_contain_text("Paused until 01 July 2031")
    lead = world.lead("maria")
    assert lead.status == "paused" and lead.status_reason == "Budget frozen until Q3"
    assert world.draft("maria").state == "cancelled"  # nothing goes out during a pause
    page.get_by_role("button", name="Resume nurturing").click()
    expect(page.locator(".flash-ok")).to_contain_text("Nurturing again")
    assert world.lead("maria").status == "active"
    page.locator("summary", has_text="Reassign").click()
    page.select_option("#rep", label="Bob Stone (bob@acme.test)")
    page.get_by_role("button", name="Reassign", exact=True).click()
    expect(page.locator(".flash-ok")).to_contain_text("now belongs to Bob Stone")
    assert world.lead("maria").owner_id == world.reps["bob@acme.test"]
    page.goto(f"{server.url}/leads/{world.leads['maria']}")
    expect(page.locator(".error-sentence")).to_have_text("There is no such lead.")


def test_regenerate_with_an_instruction_and_swap_the_content(browser: Browser, site: Site) -> None:
    world, server = site
    page = _rep(browser, site)
    page.goto(f"{server.url}/drafts/{world.drafts['maria']}")
    page.fill("#instruction", "shorter, and mention the pilot")
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator(".flash-ok")).to_contain_text("Here is the new draft")
    expect(page.locator(".version")).to_have_count(1)
    before = world.draft("maria").content_id
    page.get_by_role("button", name="Use this instead").first.click()
    expect(page.locator(".flash-ok")).to_contain_text("Redrafted around")
    draft = world.draft("maria")
    assert draft.state == "pending" and draft.version == 3 and draft.content_id != before
    with Session(world.engine) as db:
        kept = db.exec(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft.id)
            .order_by(col(DraftVersion.version))
        ).all()
    assert [v.replaced_by for v in kept] == [
        "instruction: shorter, and mention the pilot",
        "content swap",
    ]


def test_manager_changes_a_tone_rule_and_the_next_draft_follows_it(
    browser: Browser, site: Site
) -> None:
    world, server = site
    seed_queue(world)
    page = _page(browser)
    log_in(page, server.url, "meg@acme.test")
    page.goto(f"{server.url}/manage/rules/tone")
    page.fill("#f-max_words", "12")
    page.get_by_role("button", name="Save tone rules").click()
    expect(page.locator(".flash-error")).to_contain_text("max_words")
    expect(page.locator(".field.invalid #f-max_words")).to_have_count(1)
    page.fill("#f-max_words", "90")
    page.fill("#f-required_lines", "P.S. Our spring pilot closes on 30 April.")
    page.get_by_role("button", name="Save tone rules").click()
    expect(page.locator(".flash-ok")).to_contain_text("Saved as version 1")
    expect(page.locator(".history")).to_contain_text("meg@acme.test")
    expect(page.locator(".diff")).to_contain_text("P.S. Our spring pilot closes on 30 April.")

    with Session(world.engine) as db:
        tone = tone_for(db, "east", "ana@acme.test")
        west = tone_for(db, "west", "cara@acme.test")
    assert tone.max_words == 90 and tone.version == 1
    assert "P.S. Our spring pilot closes on 30 April." not in west.required_lines
    draft = OfflineDrafter().render(
        DraftRequest(
            situation="follow_up",
            rep=RepProfile("Ana Ruiz", "ana@acme.test", "Ana Ruiz"),
            lead=LeadProfile("Sam Okafor", "sam@umbrella.test", "Umbrella", "CFO", "decision"),
            subject="Forecasting",
            thread=(),
            latest_reply=None,
            content=None,
            tone=tone,
        )
    )
    assert "P.S. Our spring pilot closes on 30 April." in draft.body
    # And through the pipeline: Ana's next draft is written under the new rules.
    page.goto(f"{server.url}/drafts/{world.drafts['sam']}")
    page.fill("#instruction", "keep it brief")
    page.get_by_role("button", name="Regenerate").click()
    expect(page.locator(".flash-ok")).to_contain_text("Here is the new draft")
    assert "P.S. Our spring pilot closes on 30 April." in world.draft("sam").body
