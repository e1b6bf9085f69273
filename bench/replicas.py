"""Three daemons on one PostgreSQL: mailboxes per daemon, re-lease time after kill -9, duplicates.

    .venv/bin/python -m bench.replicas --mailboxes 300 --replies 30

Starts Dovecot with N users and a fresh PostgreSQL database, runs three `nurture run` daemons
(offline drafter, IMAP IDLE, the default lease TTL and heartbeat unless given), waits until
every mailbox is leased to one of them and has exactly one IMAP connection (Dovecot's own
count, `doveadm who`), kills the busiest daemon with SIGKILL, and times until all of its
mailboxes are leased again and watched again. Then delivers lead replies to random mailboxes,
one of them ready to talk, and counts drafts per reply, notices and recorded failures.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, func, select

from assistant.db import make_engine
from assistant.models import Draft, Failure, Lead, Notification
from tests.mails import mail
from tests.servers.dovecot import Dovecot
from tests.servers.floor import floor_config, imap_connections, lease_holders
from tests.servers.postgres import create_database, drop_database

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]
PASSWORD = "bench-secret"
DAEMONS = 3
LEADS_PER_REP = 2


def _until(condition: object, limit: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if condition():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"{what}: not within {limit:.0f} s")


def run(size: int, replies: int, ttl: float, rng: random.Random) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"nurture-replicas-{size}-"))
    url = create_database()
    engine = make_engine(url)
    dovecot = Dovecot()
    daemons: list[subprocess.Popen[bytes]] = []
    try:
        with dovecot.config_path.open("a") as conf:  # as in bench.scale: past 128 IDLE sessions
            conf.write("mailbox_idle_check_interval = 1 secs\n")
        dovecot.restart()
        users = [f"rep{i:04d}" for i in range(size)]
        for user in users:
            dovecot.add_user(user, PASSWORD)
        config = floor_config(
            folder,
            url,
            dovecot,
            users,
            password_env="BENCH_IMAP_PASSWORD",
            daemon={
                "sync_interval_seconds": 30,
                "send_interval_seconds": 30,
                "lease_ttl_seconds": ttl,
                "lease_heartbeat_seconds": ttl / 3,
            },
        )
        rows = "".join(
            f"lead{j}.{u}@customer.test,Lead {j},Customer {u} {j},CTO,{u}@acme.test\n"
            for u in users
            for j in range(LEADS_PER_REP)
        )
        (folder / "leads.csv").write_text("email,name,company,title,owner\n" + rows)
        env = {**os.environ, "BENCH_IMAP_PASSWORD": PASSWORD}
        env.pop("NURTURE_NOW", None)
        base = [*NURTURE, "--config", str(config)]
        for args in (["init"], ["content", "import"], ["leads", "import", "leads.csv"]):
            subprocess.run([*base, *args], cwd=folder, env=env, check=True, capture_output=True)
        for i in range(DAEMONS):
            log = (folder / f"daemon{i}.log").open("wb")
            daemons.append(
                subprocess.Popen(
                    [*base, "run"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )

        def shared(n: int) -> bool:
            holders = lease_holders(engine)
            if len(holders) != size or len(set(holders.values())) != n:
                return False
            connections = imap_connections(dovecot)
            return all(connections.get(u) == 1 for u in users)

        settle = _until(lambda: shared(DAEMONS), 900, "three daemons sharing")
        holders = lease_holders(engine)
        load = sorted(list(holders.values()).count(h) for h in set(holders.values()))
        print(f"mailboxes {size}, lease TTL {ttl:g} s, heartbeat {ttl / 3:g} s")
        print(f"  shared out and watched once each after {settle:.1f} s: per daemon {load}")
        victim_id = max(set(holders.values()), key=list(holders.values()).count)
        victim = next(d for d in daemons if f":{d.pid}:" in victim_id)
        orphaned = {m for m, h in holders.items() if h == victim_id}
        killed = time.monotonic()
        victim.send_signal(signal.SIGKILL)
        victim.wait()

        def re_leased() -> bool:
            now = lease_holders(engine)
            return all(m in now and now[m] != victim_id for m in orphaned)

        _until(re_leased, 900, "re-lease")
        leased_after = time.monotonic() - killed
        _until(lambda: shared(DAEMONS - 1), 900, "two daemons watching")
        watched_after = time.monotonic() - killed
        holders = lease_holders(engine)
        load = sorted(list(holders.values()).count(h) for h in set(holders.values()))
        print(
            f"  kill -9 of the daemon with {len(orphaned)}: its mailboxes leased again after "
            f"{leased_after:.1f} s, all watched once each after {watched_after:.1f} s; "
            f"per daemon {load}"
        )
        targets = rng.sample([(u, j) for u in users for j in range(LEADS_PER_REP)], replies)
        for n, (user, j) in enumerate(targets):
            body = (
                "Can we talk on Thursday? Any time works."
                if n == 0
                else "Hello, could you tell me what the forecasting module costs for 40 seats?"
            )
            dovecot.deliver(
                user,
                mail(
                    sender=f"Lead <lead{j}.{user}@customer.test>",
                    to=f"{user}@acme.test",
                    subject="Question",
                    body=body,
                    message_id=f"<replica{n}.{user}@customer.test>",
                    date=datetime.now(UTC),
                ),
            )
        expected = {f"lead{j}.{u}@customer.test" for u, j in targets}

        def drafted() -> bool:
            with Session(engine) as session:
                got = session.exec(
                    select(Lead.email).join(Draft, col(Draft.lead_id) == Lead.id)
                ).all()
            return expected <= set(got)

        took = _until(drafted, 900, "a draft for every reply")
        time.sleep(max(10.0, ttl))  # more passes of both daemons
        with Session(engine) as session:
            drafts = session.exec(select(func.count()).select_from(Draft)).one()
            leads = session.exec(select(func.count(func.distinct(Draft.lead_id)))).one()
            notices = session.exec(select(func.count()).select_from(Notification)).one()
            failures = session.exec(select(func.count()).select_from(Failure)).one()
        print(
            f"  {replies} replies after the kill: all drafted within {took:.1f} s; drafts "
            f"{drafts} for {leads} leads (duplicates {drafts - leads}); ready-to-talk notices "
            f"{notices} (expected 1); failures recorded {failures}"
        )
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
        for daemon in daemons:
            daemon.wait(timeout=60)
        engine.dispose()
        dovecot.stop()
        drop_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=300)
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--ttl", type=float, default=30.0, help="lease_ttl_seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    run(args.mailboxes, args.replies, args.ttl, random.Random(args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
