"""One lead through ten rounds of reply, draft, approval and send: nothing repeats, the stage moves.

The whole pipeline in process on Dovecot and aiosmtpd, on SQLite and PostgreSQL: the rep's
own first mail (found in Sent) counts, every later item is new, and the stage follows what
the lead writes, forward as they engage and back when the budget freezes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlmodel import Session, col, select

from assistant.content.library import STAGES, load_library
from assistant.models import ContentDelivery, ContentItem, Draft
from tests.mails import mail
from tests.world import REP, ROOT, World

pytestmark = pytest.mark.slow

LEAD = "maria@northwind.test"
START = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday
FIRST = "<first@acme.test>"
FIRST_ITEM = "state-of-sales-forecasting-2026"
ATTACHED = "implementation-plan"  # an item with a file: the rep attaches the same bytes
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone,industry\n"
    f"{LEAD},María López,Northwind,CFO,{REP},awareness,forecasting,Europe/Madrid,"
    "Manufacturing\n"
)
# What María writes, round by round, and where that should take her (None: anywhere near).
ROUNDS = (
    ("Thanks. Today we mostly forecast in spreadsheets.", "awareness"),
    ("Our reps rarely update their close dates in the CRM.", "awareness"),
    ("How do you make a forecast explainable to the board?", "consideration"),
    ("We are also looking at Forecastly for this.", "consideration"),
    # Two consideration items in, the question is answered by the integration guide it asks for.
    ("How does the integration with SAP work?", "consideration"),
    ("What would it cost for 40 users?", "decision"),
    ("Budgets are frozen for now, so the project is on hold.", "consideration"),
    ("Thanks, that was very useful. Happy to read more.", "decision"),
    ("Do you have a customer story from another manufacturer?", "decision"),
    ("How long does an implementation usually take?", "decision"),
)


@pytest.fixture
def world(world_on_servers: Callable[..., World]) -> World:
    w = world_on_servers(START, leads_csv=LEADS)
    w.first_touch(
        LEAD,
        START - timedelta(days=7),
        name="María López",
        subject="Forecasting report",
        body="Hi María,\n\nThe report we spoke about: "
        f"http://www.acme.test/resources/{FIRST_ITEM}/?utm_source=outlook\n\nAna",
    )
    return w


def test_ten_rounds_never_repeat_an_item_and_the_stage_follows_the_lead(world: World) -> None:
    now, parent, thread = START, FIRST, [FIRST]
    stages: list[str] = []
    sent: list[str] = []
    for number, (text, expected_stage) in enumerate(ROUNDS, start=1):
        world.deliver(
            mail(
                sender=f"María López <{LEAD}>",
                to=f"Ana Ruiz <{REP}>",
                subject="Re: Forecasting report",
                body=f"{text}\n\nMaría",
                message_id=f"<round-{number}@northwind.test>",
                in_reply_to=parent,
                references=tuple(thread),
                date=now,
            )
        )
        thread.append(f"<round-{number}@northwind.test>")
        world.tick(now)
        [draft] = [d for d in world.drafts(LEAD) if d.state == "pending"]
        assert draft.content_id is not None, f"round {number}: {draft.content_reason}"
        stages.append(world.lead(LEAD).stage)
        assert stages[-1] == expected_stage, f"round {number}: {stages}"

        approved = world.approve(draft.id or 0, now)
        assert approved.send_after is not None and approved.message_id is not None
        now = max(now, approved.send_after) + timedelta(minutes=1)
        world.tick(now)
        world.smtp.wait_for_messages(number)
        sent.append(_slug(world, draft.content_id))
        parent = approved.message_id
        thread.append(parent)
        now += timedelta(days=1)

    assert len(set(sent)) == len(sent) == 10
    assert FIRST_ITEM not in sent  # the rep's own mail, found in Sent, counted
    for before, after in zip(["awareness", *stages], stages, strict=False):
        assert abs(STAGES.index(after) - STAGES.index(before)) <= 1, stages
    with Session(world.engine) as session:
        ledger = session.exec(
            select(ContentItem.slug, ContentDelivery.source)
            .join(ContentDelivery, col(ContentDelivery.content_id) == ContentItem.id)
            .order_by(col(ContentDelivery.id))
        ).all()
        states = session.exec(select(Draft.state)).all()
    assert ledger == [(FIRST_ITEM, "sent_folder"), *((slug, "nurture") for slug in sent)]
    assert states == ["sent"] * 10


def test_the_reps_own_mail_counts_by_html_link_and_by_attached_file(world: World) -> None:
    """A rep's mail from their own client: an HTML link with tracking, a PDF attached."""
    pdf = next(s for s in load_library(ROOT / "data" / "content") if s.slug == ATTACHED)
    assert pdf.file is not None
    manual = EmailMessage()
    manual["From"], manual["To"] = f"Ana Ruiz <{REP}>", f"María López <{LEAD}>"
    manual["Subject"], manual["Message-ID"] = "Two things", "<manual@acme.test>"
    manual["Date"] = format_datetime(START - timedelta(days=2))
    manual.set_content("Hi María, the guide is linked below and the plan attached.")
    manual.add_alternative(
        '<p>Hi María, <a href="https://acme.test/resources/crm-integration-guide/?utm_source=x'
        '&amp;utm_medium=email">the guide</a>.</p>',
        subtype="html",
    )
    manual.add_attachment(
        pdf.file.read_bytes(), maintype="application", subtype="pdf", filename="plan.pdf"
    )
    world.deliver(manual.as_bytes(), folder="Sent")
    world.deliver(
        mail(
            sender=f"María López <{LEAD}>",
            to=f"Ana Ruiz <{REP}>",
            subject="Re: Two things",
            # Nothing the two items answer: what comes next is a new item. (A question one of
            # them answers is answered from it, with its link: test_draft_stage.py.)
            body="Thanks, both useful. Anything else we should read?\n\nMaría",
            message_id="<q@northwind.test>",
            in_reply_to="<manual@acme.test>",
            references=("<manual@acme.test>",),
            date=START,
        )
    )
    world.tick(START)
    with Session(world.engine) as session:
        ledger = session.exec(
            select(ContentItem.slug)
            .join(ContentDelivery, col(ContentDelivery.content_id) == ContentItem.id)
            .where(ContentDelivery.source == "sent_folder")
        ).all()
    assert sorted(ledger) == sorted([FIRST_ITEM, "crm-integration-guide", ATTACHED])
    [draft] = world.drafts(LEAD)
    assert draft.content_id is not None
    assert _slug(world, draft.content_id) not in ledger


def _slug(world: World, content_id: int) -> str:
    with Session(world.engine) as session:
        item = session.get(ContentItem, content_id)
        assert item is not None
        return item.slug
