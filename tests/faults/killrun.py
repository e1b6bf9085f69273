"""A send-heavy run of the real daemon, SIGKILLed at random moments and restarted.

Used by tests/acceptance/test_faults.py (small) and bench/kill_run.py (large). The world: approved
drafts in the store, a Dovecot mailbox and an aiosmtpd server; the daemon runs as a
subprocess with a frozen clock, so the send window is known.
"""

from __future__ import annotations

import email
import os
import random
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from pathlib import Path

from sqlmodel import Session, select

from assistant.config import load
from assistant.models import Draft
from tests.bounds import HANG_SECONDS
from tests.nurture_cli import NURTURE
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer


@dataclass
class KillReport:
    kills: int = 0
    starts: int = 0
    seconds: float = 0.0
    approved: int = 0
    held: int = 0  # approved for leads whose window is closed: must not arrive
    arrived: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    sent_copies: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"])


def _start(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*NURTURE, "--config", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=config.parent,
        )


def _open_drafts(config: Path) -> int:
    settings = load(config)
    from assistant.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            drafts = session.exec(select(Draft)).all()
            return sum(1 for d in drafts if d.state in ("approved", "sending"))
    finally:
        engine.dispose()


def kill_run(
    config: Path,
    env: dict[str, str],
    *,
    kills: int,
    rng: random.Random,
    min_alive: float,
    max_alive: float,
    settle_seconds: float,
    due_drafts: int,
) -> KillReport:
    """Start `nurture run`, SIGKILL it `kills` times at random, then let it finish."""
    report = KillReport()
    log = config.parent / "daemon.log"
    started = time.monotonic()
    for _ in range(kills):
        process = _start(config, env, log)
        report.starts += 1
        time.sleep(rng.uniform(min_alive, max_alive))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=HANG_SECONDS)
        report.kills += 1
    process = _start(config, env, log)
    report.starts += 1
    deadline = time.monotonic() + settle_seconds
    try:
        while time.monotonic() < deadline and _open_drafts(config) > due_drafts:
            time.sleep(0.5)
        time.sleep(2)  # a few more passes: reconciliation and Sent copies
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    report.seconds = time.monotonic() - started
    return report


def count(
    report: KillReport,
    config: Path,
    smtp: SmtpServer,
    dovecot: Dovecot,
    user: MailboxUser,
    closed: set[str],
) -> KillReport:
    """What arrived, against what was approved; problems name each broken promise."""
    settings = load(config)
    from assistant.db import make_engine

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        drafts = list(session.exec(select(Draft).where(Draft.message_id.is_not(None))).all())  # type: ignore[union-attr]
    engine.dispose()
    report.arrived = Counter(message_id(m.data) for m in smtp.messages)
    report.sent_copies = Counter(message_id(raw) for raw in dovecot.messages(user.name, "Sent"))
    report.approved = len(drafts)
    by_id = {d.message_id: d for d in drafts}
    for mid, times in report.arrived.items():
        if mid not in by_id:
            report.problems.append(f"{mid} arrived but was never approved")
        elif times > 1:
            report.problems.append(f"{mid} arrived {times} times")
    for d in drafts:
        report.states[d.state] += 1
        arrived = report.arrived.get(d.message_id or "", 0)
        if d.recipient in closed:
            report.held += 1
            if arrived:
                report.problems.append(f"draft {d.id} arrived outside the lead's window")
            continue
        if d.state == "sent" and arrived != 1:
            report.problems.append(f"draft {d.id} is sent but arrived {arrived} times")
        if d.state not in ("sent", "unknown"):
            report.problems.append(f"draft {d.id} ended {d.state}")
        if report.sent_copies.get(d.message_id or "", 0) > 1:
            report.problems.append(f"draft {d.id} has several Sent copies")
    return report


def environment(password: str, now: datetime) -> dict[str, str]:
    env = {**os.environ, "TEST_IMAP_PASSWORD": password, "NURTURE_NOW": now.isoformat()}
    env.pop("NURTURE_FAILPOINT", None)
    return env
