"""What Nurture does with what a lead's mail says, end to end on Dovecot and aiosmtpd."""

from __future__ import annotations

import email
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
from sqlmodel import Session, select

from assistant.models import Lead, Suppression, email_hash
from tests.mails import mail
from tests.world import REP, World

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday
FIRST = "<first@acme.test>"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"maria@northwind.test,María López,Northwind,CFO,{REP},consideration,forecasting,"
    "Europe/Madrid\n"
)


@pytest.fixture
def world(world_on_servers: Callable[..., World]) -> World:
    w = world_on_servers(NOW, leads_csv=LEADS)
    w.first_touch("maria@northwind.test", datetime(2026, 11, 16, 9, tzinfo=UTC), name="María López")
    return w


def _reply(body: str, n: int, **kw: object) -> bytes:
    return mail(
        sender="María López <maria@northwind.test>",
        to=f"Ana Ruiz <{REP}>",
        subject="Re: Forecasting guide",
        body=body,
        message_id=f"<r{n}@northwind.test>",
        in_reply_to=FIRST,
        references=(FIRST,),
        date=datetime(2026, 11, 22, 18, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def test_out_of_office_pauses_until_the_return_date_and_drafts_nothing(world: World) -> None:
    world.deliver(
        _reply(
            "I am out of the office with limited access to email. I will be back on "
            "Monday 7 December 2026 and will respond then.",
            1,
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        )
    )
    world.tick(NOW)
    lead = world.lead("maria@northwind.test")
    assert lead.status == "paused"
    assert lead.paused_until is not None and lead.paused_until.date() == date(2026, 12, 7)
    assert world.drafts("maria@northwind.test") == []


def test_hard_bounce_of_our_mail_stops_the_lead_and_suppresses_the_address(world: World) -> None:
    world.deliver(_reply("How does pricing work for 40 seats?", 1))
    world.tick(NOW)
    [draft] = world.drafts("maria@northwind.test")
    world.approve(draft.id or 0, NOW)
    world.tick(NOW)
    sent = email.message_from_bytes(world.smtp.wait_for_messages(1)[0].data, policy=policy.default)
    ours = sent["Message-ID"]
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>\r\n"
        f"To: {REP}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Date: Mon, 23 Nov 2026 10:05:00 +0000\r\nMessage-ID: <bounce-1@mx.acme.test>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not "
        "be delivered.\r\n\r\n<maria@northwind.test>: host mx.northwind.test said: 550 5.1.1 "
        "User unknown\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.test\r\n\r\nFinal-Recipient: rfc822; maria@northwind.test\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Ana Ruiz <{REP}>\r\nTo: maria@northwind.test\r\nSubject: {sent['Subject']}\r\n"
        f"Message-ID: {ours}\r\n\r\n--B--\r\n"
    ).encode()
    world.deliver(dsn)
    world.tick(NOW)
    lead = world.lead("maria@northwind.test")
    assert lead.status == "stopped" and "bounce" in lead.status_reason

    with Session(world.engine) as session:
        assert (
            session.exec(
                select(Suppression).where(
                    Suppression.email_hash == email_hash("maria@northwind.test")
                )
            ).first()
            is not None
        )


def test_opt_out_cancels_the_pending_draft(world: World) -> None:
    world.deliver(_reply("Could you send me the security overview?", 1))
    world.tick(NOW)
    [pending] = world.drafts("maria@northwind.test")
    assert pending.state == "pending"
    world.deliver(_reply("Please remove me from your mailing list and stop emailing me.", 2))
    world.tick(NOW)
    [cancelled] = world.drafts("maria@northwind.test")
    assert cancelled.state == "cancelled"
    assert world.lead("maria@northwind.test").status == "opted_out"
    world.tick(NOW)
    assert [d.state for d in world.drafts("maria@northwind.test")] == ["cancelled"]
    assert world.smtp.messages == []


def test_lets_talk_makes_the_lead_sales_ready_and_emails_the_rep(world: World) -> None:
    world.deliver(
        _reply("This looks great. Let's talk next week, are you free Tuesday afternoon?", 1)
    )
    world.tick(NOW)
    lead = world.lead("maria@northwind.test")
    assert lead.status == "sales_ready"
    [yes] = world.drafts("maria@northwind.test")  # one answer with times, for the rep to send
    assert yes.state == "pending" and yes.content_id is None and "let's talk" in yes.body
    [notice] = world.smtp.wait_for_messages(1)
    assert notice.rcpt_tos == (REP,)
    text = email.message_from_bytes(notice.data, policy=policy.default)
    assert "Ready to talk" in text["Subject"] and "Northwind" in text["Subject"]
    world.tick(NOW)
    assert len(world.smtp.messages) == 1  # told once


def test_a_referral_and_a_new_person_on_cc_become_leads_for_the_rep_to_confirm(
    world: World,
) -> None:
    world.deliver(
        mail(
            sender="María López <maria@northwind.test>",
            to=f"Ana Ruiz <{REP}>",
            cc="Tom Baker <tom.baker@northwind.test>",
            subject="Re: Forecasting guide",
            body="Hi Ana,\n\nI'm not the right person for this. Please reach out to my colleague "
            "Jan Novak (jan.novak@northwind.test), he runs our sales operations. I've also "
            "copied Tom, our CFO.\n\nMaría",
            message_id="<r9@northwind.test>",
            in_reply_to=FIRST,
            references=(FIRST,),
            date=datetime(2026, 11, 22, 18, tzinfo=UTC),
        )
    )
    world.tick(NOW)
    maria = world.lead("maria@northwind.test")
    assert maria.status == "stopped"
    jan = world.lead("jan.novak@northwind.test")
    tom = world.lead("tom.baker@northwind.test")
    for proposed in (jan, tom):
        assert proposed.confirmed is False
        assert proposed.owner_id == maria.owner_id and proposed.referred_by_id == maria.id
        assert proposed.company == "Northwind"
    assert jan.name == "Jan Novak"
    assert world.drafts("jan.novak@northwind.test") == []  # nobody is mailed before the rep says so


def test_a_confirmed_referral_gets_one_introduced_first_note(world: World) -> None:
    world.deliver(
        _reply(
            "Thanks Ana. For the tooling side please talk to my colleague Jan Novak "
            "(jan.novak@northwind.test); he owns our CRM.",
            1,
        )
    )
    world.tick(NOW)
    assert world.drafts("jan.novak@northwind.test") == []
    with Session(world.engine) as session:
        jan = session.exec(select(Lead).where(Lead.email == "jan.novak@northwind.test")).one()
        jan.confirmed = True
        session.add(jan)
        session.commit()
    world.tick(NOW)
    world.tick(NOW)
    [intro] = world.drafts("jan.novak@northwind.test")
    assert intro.situation == "referral_intro"
    assert intro.subject == "María López suggested I get in touch"
    assert "María" in intro.body


def test_a_draft_cancelled_by_a_pause_is_written_again_once_the_rep_resumes(world: World) -> None:
    from assistant.lifecycle import commands as leadstate

    world.deliver(_reply("How long does onboarding take for a team of twenty?", 1))
    world.tick(NOW)
    [first] = world.drafts("maria@northwind.test")
    lead = world.lead("maria@northwind.test")
    assert lead.id is not None
    leadstate.pause(world.engine, lead.id, NOW + timedelta(days=3), "on leave", REP, NOW)
    world.tick(NOW)
    [cancelled] = world.drafts("maria@northwind.test")
    assert cancelled.state == "cancelled"
    leadstate.resume(world.engine, lead.id, REP, NOW + timedelta(hours=1))
    world.tick(NOW + timedelta(hours=1))
    states = sorted(d.state for d in world.drafts("maria@northwind.test"))
    assert states == ["cancelled", "pending"]
    fresh = next(d for d in world.drafts("maria@northwind.test") if d.state == "pending")
    assert fresh.trigger == first.trigger and fresh.reply_to_id == first.reply_to_id
