"""A sales floor on loopback: reply → draft latency, IMAP logins per reply, daemon RSS.

    .venv/bin/python -m bench.scale --mailboxes 1 100 300 --replies 20

For each size, starts Dovecot with N users, imports 10 leads per rep, runs `nurture run`
(offline drafter, IMAP IDLE), waits until every mailbox is watched and the first pass is done,
then delivers lead replies to random mailboxes one at a time and prints, per size: reply →
draft median and p95, IMAP logins per reply beyond the delivery's own (from Dovecot's log),
the daemon's RSS when idle and at the end, and how long SIGTERM takes to stop it while it
works on a burst of 50 replies.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.mails import mail
from tests.servers.dovecot import Dovecot
from tests.servers.floor import floor_config

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]
PASSWORD = "bench-secret"
LEADS_PER_REP = 10
LOGIN = re.compile(r"Login: user=<([^>]+)>")


def _logins(dovecot: Dovecot) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in LOGIN.findall(dovecot.log_path.read_text(errors="replace")):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _drafts(db: Path, email: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        row = conn.execute(
            "SELECT count(*) FROM draft JOIN lead ON lead.id = draft.lead_id WHERE lead.email = ?",
            (email,),
        ).fetchone()
    return int(row[0])


def _settled(dovecot: Dovecot, users: list[str], timeout: float) -> None:
    """Every mailbox logged in three times (the first pass, its watcher, the watcher's
    catch-up sync) and nothing new for 3 seconds."""
    deadline = time.monotonic() + timeout
    last, still = -1, time.monotonic()
    while time.monotonic() < deadline:
        counts = _logins(dovecot)
        total = sum(counts.values())
        if total != last:
            last, still = total, time.monotonic()
        elif all(counts.get(u, 0) >= 3 for u in users) and time.monotonic() - still > 3:
            return
        time.sleep(0.5)
    raise SystemExit(f"the daemon did not settle within {timeout:.0f} s")


def run(size: int, replies: int, rng: random.Random) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"nurture-scale-{size}-"))
    dovecot = Dovecot()
    daemon: subprocess.Popen[bytes] | None = None
    try:
        # Past 128 IDLE sessions Linux's default inotify limit is spent and Dovecot falls back
        # to looking every 30 s; look every second instead, as a server tuned for this would.
        with dovecot.config_path.open("a") as conf:
            conf.write("mailbox_idle_check_interval = 1 secs\n")
        dovecot.restart()
        users = [f"rep{i:04d}" for i in range(size)]
        for user in users:
            dovecot.add_user(user, PASSWORD)
        config = floor_config(
            folder,
            f"sqlite:///{folder / 'nurture.db'}",
            dovecot,
            users,
            password_env="BENCH_IMAP_PASSWORD",
            daemon={"sync_interval_seconds": 30, "send_interval_seconds": 30},
        )
        rows = "".join(
            f"lead{j}.{u}@customer{j}.test,Lead {j},Customer {j},CTO,{u}@acme.test\n"
            for u in users
            for j in range(LEADS_PER_REP)
        )
        (folder / "leads.csv").write_text("email,name,company,title,owner\n" + rows)
        env = {**os.environ, "BENCH_IMAP_PASSWORD": PASSWORD}
        env.pop("NURTURE_NOW", None)
        base = [*NURTURE, "--config", str(config)]
        for args in (["init"], ["content", "import"], ["leads", "import", "leads.csv"]):
            subprocess.run([*base, *args], cwd=folder, env=env, check=True, capture_output=True)
        log = (folder / "daemon.log").open("wb")
        started = time.monotonic()
        daemon = subprocess.Popen(
            [*base, "run"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        _settled(dovecot, users, timeout=600)
        startup = time.monotonic() - started
        idle_rss = _rss_mb(daemon.pid)
        latencies: list[float] = []
        caused: list[int] = []
        # Distinct leads: a second reply while the first one's draft waits makes no new draft.
        pairs = [(u, j) for u in users for j in range(LEADS_PER_REP)]
        for n, (user, j) in enumerate(rng.sample(pairs, min(replies, len(pairs)))):
            lead = f"lead{j}.{user}@customer{j}.test"
            had = _drafts(folder / "nurture.db", lead)
            before = _logins(dovecot)
            raw = mail(
                sender=f"Lead <{lead}>",
                to=f"{user}@acme.test",
                subject="Question",
                body="Hello, could you tell me what the forecasting module costs for 40 seats?",
                message_id=f"<bench{n}.{user}@customer.test>",
                date=datetime.now(UTC),
            )
            t0 = time.monotonic()
            dovecot.deliver(user, raw)
            while _drafts(folder / "nurture.db", lead) <= had:
                if time.monotonic() - t0 > 120:
                    raise SystemExit(f"no draft for {lead} within 120 s; see {folder}")
                time.sleep(0.02)
            latencies.append(time.monotonic() - t0)
            time.sleep(0.5)  # let Dovecot's log catch up with the pass's logins
            after = _logins(dovecot)
            caused.append(sum(after.values()) - sum(before.values()) - 1)  # minus the delivery
        latencies.sort()
        rss_end = _rss_mb(daemon.pid)
        # A burst of replies to many mailboxes, then SIGTERM while the daemon works on it.
        for n, (user, j) in enumerate(rng.sample(pairs, min(50, len(pairs)))):
            dovecot.deliver(user, _burst(n, user, j))
        time.sleep(1.0)
        stop_started = time.monotonic()
        daemon.terminate()
        daemon.wait(timeout=60)
        stopped = time.monotonic() - stop_started
        return {
            "mailboxes": size,
            "leads": size * LEADS_PER_REP,
            "startup_s": startup,
            "median_s": statistics.median(latencies),
            "p95_s": latencies[max(0, round(0.95 * len(latencies)) - 1)],
            "logins_per_reply": statistics.mean(caused),
            "rss_idle_mb": idle_rss,
            "rss_end_mb": rss_end,
            "stop_s": stopped,
        }
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            daemon.wait(timeout=30)
        dovecot.stop()


def _burst(n: int, user: str, j: int) -> bytes:
    return mail(
        sender=f"Lead <lead{j}.{user}@customer{j}.test>",
        to=f"{user}@acme.test",
        subject="Another question",
        body="Hello again, does the module support SSO, and where is the data stored?",
        message_id=f"<burst{n}.{user}@customer.test>",
        date=datetime.now(UTC),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, nargs="+", default=[1, 100, 300])
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print("mailboxes  leads  start-up  reply→draft median / p95  logins/reply  RSS idle / end")
    for size in args.mailboxes:
        r = run(size, args.replies, rng)
        print(
            f"{r['mailboxes']:>9.0f}  {r['leads']:>5.0f}  {r['startup_s']:>6.1f} s"
            f"  {r['median_s']:>8.2f} s / {r['p95_s']:.2f} s"
            f"       {r['logins_per_reply']:>6.2f}"
            f"     {r['rss_idle_mb']:.0f} / {r['rss_end_mb']:.0f} MB"
            f"   {r['stop_s']:.1f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
