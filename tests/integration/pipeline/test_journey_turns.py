"""Every turn of the journey gets the right email, end to end on Dovecot and aiosmtpd.

The message that pauses, refers or asks to talk is answered once, without content; then the
lead waits, is stopped, or is the rep's. A colleague the lead copied stays on the reply.
"""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from assistant.models import Draft, Lead, Notification
from tests.integration.pipeline.test_lifecycle import JON, MARIA, NOW, _reply, world
from tests.nurture_cli import Nurture, write_config
from tests.servers.dovecot import MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World

pytestmark = pytest.mark.slow
__all__ = ["world"]


def _one_pending(world: World, address: str) -> Draft:
    drafts = world.drafts(address)
    assert [d.state for d in drafts] == ["pending"], [(d.state, d.situation) for d in drafts]
    return drafts[0]


def test_can_we_talk_gets_a_yes_with_times_and_the_rep_is_told(world: World) -> None:
    world.deliver(_reply(MARIA, "María López", "Can we talk on Thursday? Any time works.", 1))
    world.tick(NOW)
    lead = world.lead(MARIA)
    assert lead.status == "sales_ready"
    draft = _one_pending(world, MARIA)
    assert draft.content_id is None  # the lead asked to talk: no content push
    assert "Thursday" in draft.body
    with Session(world.engine) as session:
        assert session.exec(select(Notification.kind)).all() == ["sales_ready"]
    world.tick(NOW + timedelta(hours=1))  # nothing more: the rep has the lead now
    assert len(world.drafts(MARIA)) == 1


def test_try_me_in_mid_september_is_acknowledged_once_and_paused_to_then(world: World) -> None:
    world.deliver(
        _reply(
            MARIA,
            "María López",
            "Not the right time. Can you reach back out around mid-September?",
            1,
        )
    )
    world.tick(NOW)
    lead = world.lead(MARIA)
    assert lead.status == "paused" and lead.paused_until is not None
    assert lead.paused_until.date() == datetime(2027, 9, 15, tzinfo=UTC).date()
    draft = _one_pending(world, MARIA)
    assert draft.content_id is None and "September" in draft.body
    assert not [f for f in draft.flags if "date not found" in f]
    world.approve(draft.id or 0, NOW)
    world.tick(NOW + timedelta(days=1))
    world.tick(NOW + timedelta(days=30))  # paused: no follow-up in between
    assert [d.state for d in world.drafts(MARIA)] == ["sent"]


def test_a_referral_thanks_the_referrer_and_proposes_the_colleague(world: World) -> None:
    world.deliver(
        _reply(
            MARIA,
            "María López",
            "I'm not the right person for this. Please talk to Marta "
            "Ruiz, marta.ruiz@northwind.test, she runs our planning.",
            1,
        )
    )
    world.tick(NOW)
    assert world.lead(MARIA).status == "stopped"
    draft = _one_pending(world, MARIA)
    assert draft.content_id is None and "Marta" in draft.body
    with Session(world.engine) as session:
        marta = session.exec(select(Lead).where(Lead.email == "marta.ruiz@northwind.test")).one()
    assert not marta.confirmed and marta.referred_by_id == world.lead(MARIA).id
    world.tick(NOW + timedelta(days=10))
    assert len(world.drafts(MARIA)) == 1  # thanked once, then nothing


def test_a_colleague_on_cc_stays_on_the_reply_unless_the_rep_drops_them(world: World) -> None:
    world.deliver(
        _reply(
            JON,
            "Jon Berg",
            "Adding our CISO, Priya. Could you send the security overview?",
            2,
            cc="Priya Shah <priya.shah@contoso.test>",
        )
    )
    world.tick(NOW)
    draft = _one_pending(world, JON)
    assert draft.cc == ["priya.shah@contoso.test"]
    approved = world.approve(draft.id or 0, NOW)
    assert approved.cc == ["priya.shah@contoso.test"]
    world.tick(NOW)
    [sent] = world.smtp.wait_for_messages(1)
    assert set(sent.rcpt_tos) == {JON, "priya.shah@contoso.test"}
    parsed = email.message_from_bytes(sent.data, policy=policy.default)
    assert "priya.shah@contoso.test" in str(parsed["Cc"]) and REP in str(parsed["From"])


def test_the_rep_may_leave_a_copied_colleague_off(world: World) -> None:
    from assistant.pipeline import approve as approve_stage

    world.deliver(
        _reply(
            JON,
            "Jon Berg",
            "Could you send the security overview?",
            2,
            cc="priya.shah@contoso.test",
        )
    )
    world.tick(NOW)
    draft = _one_pending(world, JON)
    with pytest.raises(Exception, match="was not copied on this draft"):
        approve_stage.approve(
            world.engine, world.settings, draft.id or 0, REP, NOW, cc=["evil@example.test"]
        )
    approved = approve_stage.approve(world.engine, world.settings, draft.id or 0, REP, NOW, cc=[])
    assert approved.cc == [] and approved.mime is not None and b"Cc:" not in approved.mime
    world.tick(NOW)
    [sent] = world.smtp.wait_for_messages(1)
    assert list(sent.rcpt_tos) == [JON]


def test_draft_now_writes_for_a_paused_lead_and_never_for_one_who_objected(world: World) -> None:
    import asyncio

    from assistant.errors import StateError
    from assistant.lifecycle import commands as lead_actions
    from assistant.pipeline.draft import draft_now

    lead = world.lead(MARIA)
    assert lead.id is not None
    lead_actions.pause(world.engine, lead.id, NOW + timedelta(days=30), "on leave", REP, NOW)
    draft_id = asyncio.run(
        draft_now(world.ctx, lead.id, actor=REP, now=NOW, instruction="invite to the tour")
    )
    [draft] = world.drafts(MARIA)
    assert draft.id == draft_id and draft.state == "pending"
    assert draft.trigger.startswith("manual:") and "invite to the tour" in draft.reason

    world.deliver(_reply(JON, "Jon Berg", "Please remove me from your list.", 2))
    world.tick(NOW)
    jon = world.lead(JON)
    assert jon.status == "opted_out" and jon.id is not None
    with pytest.raises(StateError, match="asked not to be contacted"):
        asyncio.run(draft_now(world.ctx, jon.id, actor=REP, now=NOW))
    assert world.drafts(JON) == []


def test_nurture_draft_lead_through_the_command(
    tmp_path: Path, db_url: str, mailbox_user: MailboxUser, smtp_server: SmtpServer
) -> None:
    config = write_config(tmp_path, db_url, mailbox_user, smtp_server)
    nurture = Nurture(config, mailbox_user.password, now="2026-11-23T10:00:00+00:00")
    csv = tmp_path / "leads.csv"
    csv.write_text(
        "email,name,company,title,owner,stage,topics,timezone\n"
        f"{MARIA},María López,Northwind,CFO,ana@acme.test,awareness,forecasting,Europe/Madrid\n",
        encoding="utf-8",
    )
    nurture.run("content", "import")
    nurture.run("leads", "import", str(csv))
    made = nurture.run("draft", "--lead", MARIA, "--instruction", "a short first note")
    assert made.stdout.startswith("Draft #1 to maria@northwind.test is in the queue")
    [row] = nurture.json("drafts", "list")
    assert row["lead"]["email"] == MARIA and row["state"] == "pending"
    missing = nurture.run("draft", "--lead", "nobody@northwind.test", check=False)
    assert missing.returncode == 1 and "There is no lead nobody@northwind.test." in missing.stderr
    assert "Traceback" not in missing.stderr
