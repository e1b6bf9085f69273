"""Kill the daemon at random during a send-heavy run and count what arrived.

    .venv/bin/python -m bench.kill_run --drafts 60 --kills 15

Starts its own Dovecot and aiosmtpd on loopback, approves N drafts (some to a lead whose
window is shut), SIGKILLs `nurture run` at random moments, restarts it, and prints: every
approved message arrived once (or sits in `unknown`), none unapproved, none outside the window.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.config import load
from assistant.runtime import context
from tests.faults.killrun import count, environment, kill_run
from tests.nurture_cli import write_config
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.world import REP, World

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=60)
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="nurture-kill-"))
    dovecot, smtp = Dovecot(), SmtpServer()
    try:
        user = dovecot.new_user()
        config = write_config(
            folder,
            args.db or f"sqlite:///{folder}/n.db",
            user,
            smtp,
            rep_email=REP,
            cadence={"per_minute_throttle": 120},
            sections={"daemon": {"sync_interval_seconds": 5, "send_interval_seconds": 0.5}},
        )
        os.environ["TEST_IMAP_PASSWORD"] = user.password
        world = World(context(load(config)), user, smtp)
        closed = "kenji@firm.test"
        world.add_lead(closed, timezone="Asia/Tokyo")
        for n in range(args.drafts):
            address = f"lead{n}@client{n % 7}.test"
            world.add_lead(address)
            world.approve(world.pending(address, MONDAY), MONDAY)
        for _ in range(3):
            world.approve(world.pending(closed, MONDAY), MONDAY)
        started = time.monotonic()
        report = kill_run(
            config,
            environment(user.password, MONDAY),
            kills=args.kills,
            rng=rng,
            min_alive=1.0,
            max_alive=3.0,
            settle_seconds=300,
            due_drafts=3,
        )
        count(report, config, smtp, dovecot, user, closed={closed})
        arrived = sum(report.arrived.values())
        print(f"approved drafts:        {report.approved} ({report.held} to a shut window)")
        print(f"daemon starts / kills:  {report.starts} / {report.kills}")
        print(f"wall time:              {time.monotonic() - started:.1f} s")
        print(f"messages arrived:       {arrived} ({len(report.arrived)} distinct)")
        print(f"draft states:           {dict(report.states)}")
        print(f"Sent copies:            {sum(report.sent_copies.values())}")
        print(f"problems:               {report.problems or 'none'}")
        return 1 if report.problems else 0
    finally:
        smtp.stop()
        dovecot.stop()


if __name__ == "__main__":
    sys.exit(main())
