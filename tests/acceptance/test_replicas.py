"""Three `nurture run` daemons on one PostgreSQL share the mailboxes: one IDLE connection per
mailbox across them, a killed daemon's mailboxes pass to the others, and every reply gets one
draft, one send and one notice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.db import make_engine
from assistant.models import Draft, Failure, Lead, Notification
from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture
from tests.servers.dovecot import Dovecot
from tests.servers.floor import floor_config, imap_connections, lease_holders
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow
PASSWORD = "replica-secret"
USERS = [f"floor{i}" for i in range(6)]
DAEMONS = 3
DAEMON = {
    "sync_interval_seconds": 1,
    "send_interval_seconds": 1,
    "startup_stagger_seconds": 0.5,
    "lease_ttl_seconds": 4,
    "lease_heartbeat_seconds": 1,
}


def _lead(user: str, n: int) -> str:
    return f"lead{n}.{user}@customer.test"


def _wait(condition: Callable[[], bool], what: str) -> float:
    """Poll until the condition holds; how long it took (a hang fails the test)."""
    started = time.monotonic()
    while time.monotonic() - started < HANG_SECONDS:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _shared_once_each(engine: Engine, dovecot: Dovecot, daemons: int) -> bool:
    """Every mailbox leased to one of `daemons` live daemons (fairly), and one IMAP connection
    per mailbox on the server."""
    holders = lease_holders(engine)
    if set(holders) != {f"{u}@acme.test" for u in USERS}:
        return False
    load = [list(holders.values()).count(h) for h in set(holders.values())]
    if len(load) != daemons or max(load) > -(-len(USERS) // daemons):
        return False
    connections = imap_connections(dovecot)
    return all(connections.get(user) == 1 for user in USERS)


@pytest.fixture
def floor(dovecot: Dovecot) -> Iterator[Dovecot]:
    for user in USERS:
        dovecot.add_user(user, PASSWORD)
    yield dovecot


def test_three_daemons_share_the_mailboxes_and_survive_a_kill(
    tmp_path: Path, postgres_url: str, floor: Dovecot, smtp_server: SmtpServer
) -> None:
    config = floor_config(
        tmp_path,
        postgres_url,
        floor,
        USERS,
        password_env="TEST_IMAP_PASSWORD",
        smtp=smtp_server,
        timeout=10,
        daemon=DAEMON,
    )
    rows = "".join(
        f"{_lead(u, n)},Lead {n},Customer {u} {n},CTO,{u}@acme.test\n"
        for u in USERS
        for n in (1, 2)
    )
    (tmp_path / "leads.csv").write_text("email,name,company,title,owner\n" + rows)
    app = Nurture(config, PASSWORD)
    app.run("content", "import")
    app.run("leads", "import", "leads.csv")
    engine = make_engine(postgres_url)
    env = {**os.environ, "TEST_IMAP_PASSWORD": PASSWORD}
    env.pop("NURTURE_NOW", None)
    daemons: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"daemon{i}.log" for i in range(DAEMONS)]
    try:
        for path in logs:
            with path.open("wb") as log:
                daemons.append(
                    subprocess.Popen(
                        [*NURTURE, "--config", str(config), "run"],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=env,
                        cwd=tmp_path,
                    )
                )
        _wait(lambda: _shared_once_each(engine, floor, DAEMONS), "three daemons sharing")

        # Replies while all three run: a question in each of three mailboxes.
        asked = [_lead(u, 1) for u in USERS[:3]]
        for n, lead in enumerate(asked):
            _deliver(floor, lead, "What does the forecasting module cost for 40 seats?", n)
        _wait(lambda: _drafted(engine) == set(asked), "drafts for the first replies")

        # kill -9 the daemon with the most mailboxes; the other two take them over.
        holders = lease_holders(engine)
        victim_id = max(set(holders.values()), key=list(holders.values()).count)
        victim = next(d for d in daemons if f":{d.pid}:" in victim_id)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=HANG_SECONDS)
        _wait(lambda: _shared_once_each(engine, floor, DAEMONS - 1), "two daemons sharing")
        assert victim_id not in lease_holders(engine).values()

        # Replies after the kill, one of them ready to talk, in the victim's mailboxes too.
        later = [_lead(u, 2) for u in USERS]
        hot = later[0]
        for n, lead in enumerate(later, start=10):
            body = (
                "Can we talk on Thursday? Any time works."
                if lead == hot
                else "Does it support SSO, and where is our data stored?"
            )
            _deliver(floor, lead, body, n)
        _wait(lambda: _drafted(engine) == {*asked, *later}, "drafts for every reply")
        _wait(lambda: len(smtp_server.messages) >= 1, "the ready-to-talk notice")
        for draft_id in _pending(engine):
            app.run("approve", str(draft_id))
        sends = len(asked) + len(later) + 1  # and one notice
        smtp_server.wait_for_messages(sends, timeout=HANG_SECONDS)
        time.sleep(5)  # more passes of both daemons: nothing more is drafted or sent

        with Session(engine) as session:
            drafts = session.exec(select(Draft)).all()
            notices = session.exec(select(Notification)).all()
            failures = session.exec(select(Failure)).all()
        leads_drafted = sorted(_lead_email(engine, d.lead_id) for d in drafts)
        assert leads_drafted == sorted({*asked, *later})  # one draft per reply, no more
        assert [n.kind for n in notices] == ["sales_ready"]
        recipients = sorted(r for m in smtp_server.messages for r in m.rcpt_tos)
        assert recipients == sorted([*asked, *later, f"{USERS[0]}@acme.test"])
        assert failures == [], [f.reason for f in failures]
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
        codes = [daemon.wait(timeout=HANG_SECONDS) for daemon in daemons]
        engine.dispose()
    output = "\n".join(path.read_text() for path in logs)
    assert sorted(codes) == [-signal.SIGKILL, 0, 0], output
    assert "Traceback" not in output
    try:
        assert lease_holders(engine) == {}  # the survivors gave theirs back
    finally:
        engine.dispose()


def _deliver(dovecot: Dovecot, lead: str, body: str, n: int) -> None:
    user = lead.split(".")[1].split("@")[0]  # lead1.floor0@customer.test → floor0
    dovecot.deliver(
        user,
        mail(
            sender=f"Lead <{lead}>",
            to=f"{user}@acme.test",
            subject="Question",
            body=body,
            message_id=f"<replica{n}@customer.test>",
            date=datetime.now(UTC),
        ),
    )


def _drafted(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(select(Lead.email).join(Draft, col(Draft.lead_id) == Lead.id)).all()
    return set(rows)


def _pending(engine: Engine) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(select(Draft.id).where(Draft.state == "pending")).all()
    return [i for i in rows if i is not None]


def _lead_email(engine: Engine, lead_id: int) -> str:
    with Session(engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead.email
