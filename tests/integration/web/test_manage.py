"""The manager's console over HTTP: content library, cadence rules, the team's numbers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from assistant import clock
from assistant.db import transaction
from assistant.models import ContentDelivery, ContentItem, Lead
from assistant.pipeline.approve import approve, reject
from assistant.rules import cadence_for
from tests.integration.web.company import Company, Server, csrf_of
from tests.integration.web.seeds import seed_queue

pytestmark = pytest.mark.slow

Site = tuple[Company, Server]
NEW_ITEM = {
    "slug": "pilot-offer-2031",
    "title": "The 2031 Pilot Offer",
    "type": "checklist",
    "url": "https://acme.test/pilot",
    "stage": "decision",
    "topics": "pilot, Pricing Model",
    "industries": "saas",
    "personas": ["finance", "executive"],
    "summary": "What a pilot includes.",
    "body": "- Four weeks\n- Your data",
    "expires": "",
    "event_date": "",
}


def _item(world: Company, slug: str) -> ContentItem:
    with Session(world.engine) as db:
        return db.exec(select(ContentItem).where(ContentItem.slug == slug)).one()


def test_content_library_add_edit_retire(site: Site) -> None:
    world, server = site
    meg = server.sign_in("meg@acme.test")
    csrf = csrf_of(meg)
    bad = meg.post("/manage/content/new", data={**NEW_ITEM, "csrf": csrf, "url": "ftp://x"})
    assert bad.status_code == 400 and "must start with http" in bad.text
    made = meg.post("/manage/content/new", data={**NEW_ITEM, "csrf": csrf})
    assert made.status_code == 303
    item = _item(world, "pilot-offer-2031")
    assert item.topics == ["pilot", "pricing_model"] and item.personas == ["finance", "executive"]
    again = meg.post("/manage/content/new", data={**NEW_ITEM, "csrf": csrf})
    assert again.status_code == 400 and "is taken" in again.text

    edited = meg.post(
        f"/manage/content/{item.id}", data={**NEW_ITEM, "csrf": csrf, "title": "The Pilot Offer"}
    )
    assert edited.status_code == 303 and _item(world, "pilot-offer-2031").title == "The Pilot Offer"
    nameless = meg.post(f"/manage/content/{item.id}", data={**NEW_ITEM, "csrf": csrf, "title": ""})
    assert nameless.status_code == 400 and "The title is empty." in nameless.text
    webinar = meg.post(
        f"/manage/content/{item.id}",
        data={**NEW_ITEM, "csrf": csrf, "title": "The Pilot Offer", "type": "webinar"},
    )
    assert webinar.status_code == 303  # without a date it is an on-demand recording
    assert _item(world, "pilot-offer-2031").type == "webinar"
    meg.post(f"/manage/content/{item.id}/retire", data={"csrf": csrf, "retired": "1"})
    assert _item(world, "pilot-offer-2031").retired
    assert "The Pilot Offer" not in meg.get("/manage/content").text
    assert "The Pilot Offer" in meg.get("/manage/content?retired=1").text


def test_content_results_count_replies_and_sales_ready_after_each_item(site: Site) -> None:
    world, server = site
    seed_queue(world)
    item = _item(world, "crm-integration-guide")
    sent_at = clock.now() - timedelta(days=5)
    with transaction(world.engine) as db:
        for key in ("maria", "li", "bea", "cy"):
            db.add(
                ContentDelivery(
                    lead_id=world.leads[key],
                    content_id=item.id,
                    source="nurture",
                    delivered_at=sent_at,
                )
            )
        tom = db.get(Lead, world.leads["tom"])
        assert tom is not None
        db.add(
            ContentDelivery(
                lead_id=tom.id,
                content_id=item.id,
                source="nurture",
                delivered_at=sent_at - timedelta(days=1),
            )
        )
    page = server.sign_in("meg@acme.test").get(f"/manage/content/{item.id}").text
    # East only: María, Li, Bea and Tom got it; María, Li and Bea wrote afterwards; Tom turned hot.
    assert re.search(r"Sent</div><div class=\"stat-value\">4<", page)
    assert re.search(r"Replies after it</div><div class=\"stat-value\">3<", page)
    assert re.search(r"Sales-ready after it</div><div class=\"stat-value\">1<", page)


def test_cadence_editor_validates_and_keeps_every_version(site: Site) -> None:
    world, server = site
    meg = server.sign_in("meg@acme.test")
    form = {
        "csrf": csrf_of(meg),
        "team": "east",
        "reply_within_hours": "24",
        "follow_up_after_business_days": "4",
        "spacing_growth": "1.5",
        "re_engage_after_days": "2",
        "max_touches": "5",
        "min_days_between_touches": "2",
        "daily_cap_per_mailbox": "100",
        "per_minute_throttle": "6",
        "company_weekly_cap": "5",
        "window_start": "25:00",
        "window_end": "17:00",
        "working_days": ["mon", "tue", "wed", "thu"],
        "holidays_country": "",
        "quiet_periods": "2031-12-24 2032-01-02 Holidays",
    }
    wrong = meg.post("/manage/rules/cadence", data=form)
    assert wrong.status_code == 400 and "window_start" in wrong.text
    assert 'value="25:00"' in wrong.text  # what the manager typed is kept
    saved = meg.post("/manage/rules/cadence", data={**form, "window_start": "08:30"})
    assert saved.status_code == 303
    with Session(world.engine) as db:
        cadence = cadence_for(db, "east", "ana@acme.test", world.settings.cadence)
    assert (cadence.window_start, cadence.max_touches, cadence.working_days) == (
        "08:30",
        5,
        ("mon", "tue", "wed", "thu"),
    )
    assert cadence.quiet_periods == (("2031-12-24", "2032-01-02", "Holidays"),)
    page = meg.get("/manage/rules/cadence").text
    assert "Version 1" in page and "max_touches" in page
    # West's manager cannot touch east's rules.
    walt = server.sign_in("walt@acme.test")
    assert walt.get("/manage/rules/tone?team=east").status_code == 404
    assert (
        walt.post("/manage/rules/tone", data={"csrf": csrf_of(walt), "team": "east"}).status_code
        == 404
    )


def test_dashboard_counts_each_reps_decisions(site: Site) -> None:
    world, server = site
    seed_queue(world)
    now = clock.now()
    approve(world.engine, world.settings, world.drafts["maria"], "ana@acme.test", now)
    approve(
        world.engine,
        world.settings,
        world.drafts["li"],
        "ana@acme.test",
        now,
        body="Hi Li,\n\nEdited by hand.\n\nAna",
    )
    reject(world.engine, world.drafts["sam"], "ana@acme.test", "too pushy", now)
    page = server.sign_in("meg@acme.test").get("/manage").text
    row = page.split("Ana Ruiz</strong>")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="right">([^<]*)<', row)
    assert cells[:4] == ["3", "1", "1", "1"]  # created, as written, edited, rejected
    assert cells[6] == "1"  # Tom turned sales-ready
    assert page.count('<svg class="chart"') == 2 and page.count("<rect class=") >= 3
    assert "WEST-ONLY" not in page and "Cara Diaz" not in page


def test_content_gaps_show_questions_only_from_the_managers_own_team(site: Site) -> None:
    world, server = site
    seed_queue(world)
    world.add_mail("li", text="Thanks for the guide. Do you have a mobile app? Best, Li")
    world.add_mail("cy", text="Thanks. Is there a Pipedrive integration? Cy")
    meg = server.sign_in("meg@acme.test").get("/manage/content/gaps").text
    assert "<strong>app</strong>" in meg and "<strong>pipedrive</strong>" in meg
    assert "Do you have a mobile app?" in meg
    assert "Is there a Pipedrive integration?" not in meg  # a west lead's words
    root = server.sign_in("root@acme.test").get("/manage/content/gaps").text
    assert "Is there a Pipedrive integration?" in root
    assert server.sign_in("bob@acme.test").get("/manage/content/gaps").status_code == 403
