"""Seeds for the web tests: Ana's queue beside her teammates', and weeks of past decisions."""

from __future__ import annotations

from datetime import timedelta

from assistant import clock
from assistant.db import transaction
from assistant.models import AuditEntry, Draft, Lead
from tests.integration.web.company import Company

MARIA_HTML = (
    b"From: Maria Lopez <maria@northwind.test>\r\nTo: ana@acme.test\r\n"
    b"Subject: Re: The forecasting white paper\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Hi Ana,</p><p>Thanks, <b>useful read</b>. How long does the CRM integration usually "
    b"take for a team of 40 reps?</p><p>Maria</p>"
    b'<div class="gmail_quote">On Mon, Ana wrote:<blockquote>Here is the paper.</blockquote></div>'
)


def seed_queue(world: Company) -> None:
    """Ana's queue of three drafts and a hot lead; Bob (her team) and Cara (west) have one each."""
    now = clock.now()
    world.add_lead("maria", "ana@acme.test", name="María López", company="Northwind")
    world.add_sent(
        "maria",
        "cfo-guide-revenue-predictability",
        at=now - timedelta(days=6),
        subject="The forecasting white paper you asked for",
        text="Hi María,\n\nHere is the CFO's guide to revenue predictability.\n\nAna",
    )
    said = world.add_mail(
        "maria",
        raw=MARIA_HTML,
        subject="Re: The forecasting white paper",
        text="Hi Ana,\n\nThanks, useful read. How long does the CRM integration usually take "
        "for a team of 40 reps?\n\nMaria\n\n> Here is the paper.",
        reply_text="Thanks, useful read. How long does the CRM integration usually take for "
        "a team of 40 reps?",
    )
    world.add_draft(
        "maria",
        "maria",
        subject="Re: The forecasting white paper",
        reply_to=said,
        content_slug="crm-integration-guide",
        created=now - timedelta(hours=3),
        body="Hi María,\n\nFor a team of 40 reps most CRM integrations are live in two to three "
        "weeks. The integration guide walks through each step:\n"
        "https://acme.test/resources/crm-integration-guide\n\n"
        "Would a 20-minute call next week help?\n\nBest,\nAna Ruiz\nAcme\n",
    )
    world.add_lead("li", "ana@acme.test", name="Li Wei", company="Initech", stage="awareness")
    said = world.add_mail("li", text="Interesting. We are mostly in spreadsheets today.")
    world.add_draft(
        "li",
        "li",
        subject="Re: Spreadsheets",
        reply_to=said,
        created=now - timedelta(hours=2),
        content_slug="board-ready-forecast-checklist",
        body="Hi Li,\n\nMany teams start from spreadsheets. This checklist shows what a "
        "board-ready forecast needs.\n\nBest,\nAna\n",
    )
    world.add_lead("sam", "ana@acme.test", name="Sam Okafor", company="Umbrella", stage="decision")
    world.add_draft(
        "sam",
        "sam",
        subject="Following up",
        situation="follow_up",
        created=now - timedelta(hours=1),
        body="Hi Sam,\n\nA short note in case the business case template helps.\n\nBest,\nAna\n",
    )
    world.add_lead(
        "tom", "ana@acme.test", name="Tom Becker", company="Globex", status="sales_ready"
    )
    world.add_failure("maria", "maria", "draft", "RuntimeError: María López's draft failed")
    world.add_lead("bea", "bob@acme.test", name="Bea Hidden", company="Hooli")
    said = world.add_mail("bea", text="BOB-ONLY-MAIL: our budget is 80k.")
    world.add_draft(
        "bea",
        "bea",
        subject="BOB-ONLY-SUBJECT",
        reply_to=said,
        body="Hi Bea,\n\nBOB-ONLY-BODY\n\nBob\n",
    )
    world.add_lead("cy", "cara@acme.test", name="Cy Westwood", company="Westwind")
    world.add_draft(
        "cy",
        "cy",
        subject="WEST-ONLY-SUBJECT",
        situation="follow_up",
        body="Hi Cy,\n\nWEST-ONLY-BODY\n\nCara\n",
    )


def seed_history(world: Company, weeks: int = 10) -> None:
    """Past weeks of decisions for Ana and Bob, so the team's charts have something to draw."""
    now = clock.now()
    for rep in ("ana@acme.test", "bob@acme.test"):
        for week in range(weeks):
            key = f"h-{rep[:3]}-{week}"
            world.add_lead(key, rep, name=f"Past Lead {week}", company=f"Past Co {week}")
            for n in range(2 + (week * 7 + len(rep)) % 5):
                made = now - timedelta(weeks=weeks - week, hours=n * 5)
                draft_id = world.add_draft(
                    f"{key}-{n}",
                    key,
                    subject="Earlier",
                    body="Earlier.\n",
                    created=made,
                    situation="follow_up",
                )
                outcome = (week + n) % 6
                with transaction(world.engine) as db:
                    draft = db.get(Draft, draft_id)
                    lead = db.get(Lead, world.leads[key])
                    assert draft is not None and lead is not None
                    if outcome == 5:
                        draft.state, draft.decision_note = "rejected", "off tone"
                    else:
                        draft.state, draft.approved_by = "sent", rep
                        draft.approved_at = made + timedelta(minutes=20 + 35 * n)
                        draft.sent_at = draft.approved_at + timedelta(minutes=5)
                        db.add(
                            AuditEntry(
                                at=draft.approved_at,
                                actor=rep,
                                action="approved",
                                lead_id=lead.id,
                                draft_id=draft_id,
                                detail={"edited": outcome in (1, 3)},
                            )
                        )
                    db.add(draft)
            if week % 3 == 1:
                world.add_mail(
                    key, text="Thanks, this helps.", at=now - timedelta(weeks=weeks - week - 1)
                )
            if week % 4 == 2:
                with transaction(world.engine) as db:
                    lead = db.get(Lead, world.leads[key])
                    assert lead is not None
                    lead.status, lead.sales_ready_at = (
                        "sales_ready",
                        now - timedelta(weeks=weeks - week - 1),
                    )
                    db.add(lead)
