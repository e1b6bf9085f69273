"""A first sync of a big mailbox on loopback Dovecot, beside imap_tools fetching the same.

    .venv/bin/python -m bench.first_sync --messages 5000 50000

For each size, fills one Dovecot mailbox with years of mail in which `--lead-share` (2%) is
from 200 leads (some of it inside the `[sync] first_sync_days` horizon), then times Nurture's
first pass in process on a new database (ingest and understand; plan and draft with the
offline drafter once) and, on the same mailbox, imap_tools fetching every message and
parsing the fields a triage needs; each side's best of `--repeat` runs taken in turn. Then
100 new messages arrive and the incremental sync is timed; where isync is installed,
`mbsync` pulls the same mailbox into a Maildir first whole, then the 100 new messages.
imap_tools is in the dev extra (`pip install imap-tools`); without it, or without isync,
that column is left out.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.config import ContentSettings, parse
from assistant.content.store import import_library
from assistant.imports import import_leads
from assistant.pipeline import STAGES, ingest
from assistant.pipeline.context import Scope
from assistant.runtime import context
from tests.mails import mail
from tests.servers.dovecot import Dovecot

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
REP = "ana@acme.test"
PASSWORD = "bench-secret"
LEADS = 200


def _mailbox(count: int, share: float, rng: random.Random) -> Iterator[bytes]:
    """`count` messages over three years; `share` of them from the leads, the rest not."""
    for n in range(count):
        date = NOW - timedelta(days=rng.uniform(0, 3 * 365))
        if rng.random() < share:
            lead = rng.randrange(LEADS)
            yield mail(
                sender=f"Lead {lead} <lead{lead}@customer{lead}.test>",
                to=f"Ana Ruiz <{REP}>",
                subject=f"Re: Forecasting guide {n}",
                body=f"Hi Ana,\n\nHow does the import work for us? (message {n})\n\nLead {lead}",
                message_id=f"<lead-{n}@customer{lead}.test>",
                date=date,
            )
            continue
        yield mail(
            sender=f"Sender {n % 900} <news{n % 900}@elsewhere{n % 53}.test>",
            to=f"Ana Ruiz <{REP}>",
            cc="team@acme.test" if n % 5 == 0 else None,
            subject=f"Weekly notes {n}",
            body=(
                "Ordinary mail about ordinary things, nothing for a lead.\n" * rng.randint(3, 60)
            ),
            message_id=f"<msg-{n}@elsewhere.test>",
            date=date,
        )


def _settings(folder: Path, dovecot: Dovecot, user: str) -> object:
    return parse(
        {
            "database": {"url": f"sqlite:///{folder / 'nurture.db'}"},
            "llm": {"provider": "offline", "classifier": "offline"},
            "content": {"library": str(ROOT / "data" / "content")},
            "reps": [
                {
                    "email": REP,
                    "name": "Ana Ruiz",
                    "imap": {
                        "host": dovecot.host,
                        "port": dovecot.port,
                        "security": "none",
                        "username": user,
                        "password_env": "BENCH_IMAP_PASSWORD",
                        "timeout_seconds": 60,
                    },
                }
            ],
        },
        folder / "nurture.toml",
    )


def _nurture(folder: Path, dovecot: Dovecot, user: str, stages: int) -> dict[str, float]:
    """A first pass on a new database: the first `stages` stages (ingest, understand ...)."""
    os.environ["BENCH_IMAP_PASSWORD"] = PASSWORD
    folder.mkdir(parents=True)
    settings = _settings(folder, dovecot, user)
    ctx = context(settings)  # type: ignore[arg-type]
    rows = "".join(
        f"lead{j}@customer{j}.test,Lead {j},Customer {j},CTO,{REP}\n" for j in range(LEADS)
    )
    (folder / "leads.csv").write_text("email,name,company,title,owner\n" + rows)
    import_library(ctx.engine, ROOT / "data" / "content", ContentSettings(), "bench", NOW)
    import_leads(ctx.engine, folder / "leads.csv", NOW)

    async def first_pass() -> dict[str, float]:
        took: dict[str, float] = {}
        scope = Scope()
        for name, run in STAGES[:stages]:
            started = time.perf_counter()
            await run(ctx, NOW, scope)
            took[name] = time.perf_counter() - started
        return took

    took = asyncio.run(first_pass())
    ctx.engine.dispose()
    return took


def _incremental(folder: Path, dovecot: Dovecot, user: str, rng: random.Random) -> float:
    dovecot.fill(user, _mailbox(100, 0.02, rng))
    settings = _settings(folder, dovecot, user)
    ctx = context(settings)  # type: ignore[arg-type]
    started = time.perf_counter()
    asyncio.run(ingest.sync_rep(ctx, ctx.settings.reps[0], NOW))
    took = time.perf_counter() - started
    ctx.engine.dispose()
    return took


def _imap_tools(dovecot: Dovecot, user: str) -> tuple[float, int] | None:
    try:
        from imap_tools import MailBoxUnencrypted
    except ImportError:
        return None
    started = time.perf_counter()
    count = 0
    with MailBoxUnencrypted(dovecot.host, dovecot.port).login(user, PASSWORD) as box:
        for msg in box.fetch(mark_seen=False, bulk=500):
            # What a triage reads: who, to whom, when, about what, and the text.
            _ = (msg.from_, msg.to, msg.cc, msg.date, msg.subject, msg.headers, msg.text)
            count += 1
    return time.perf_counter() - started, count


def _mbsync(dovecot: Dovecot, user: str, folder: Path) -> float | None:
    """One `mbsync` run pulling the INBOX into a Maildir under `folder` (the first run fetches
    everything, later ones what is new); None when isync is not installed."""
    if shutil.which("mbsync") is None:
        return None
    (folder / "maildir").mkdir(parents=True, exist_ok=True)
    config = folder / "mbsyncrc"
    config.write_text(
        f"""IMAPAccount bench
Host {dovecot.host}
Port {dovecot.port}
User {user}
Pass {PASSWORD}
SSLType None
AuthMechs LOGIN

IMAPStore far
Account bench

MaildirStore near
Path {folder}/maildir/
Inbox {folder}/maildir/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
""",
        encoding="utf-8",
    )
    started = time.perf_counter()
    subprocess.run(
        ["mbsync", "-q", "-c", str(config), "bench"], check=True, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def run(size: int, share: float, repeat: int, rng: random.Random) -> dict[str, float]:
    """Best of `repeat` runs of each side, taken in turn (the machine may be shared)."""
    base = Path(tempfile.mkdtemp(prefix=f"nurture-first-sync-{size}-"))
    dovecot = Dovecot()
    try:
        user = "rep0001"
        dovecot.add_user(user, PASSWORD)
        dovecot.fill(user, _mailbox(size, share, rng))
        _imap_tools(dovecot, user)  # a first SELECT indexes the Maildir: not anyone's cost
        best: dict[str, float] = {}
        for turn in range(repeat):
            last = turn == repeat - 1
            took = _nurture(base / f"run{turn}", dovecot, user, 5 if last else 2)
            other = _imap_tools(dovecot, user)
            if other is not None:
                took["imap_tools"], fetched = other
                assert fetched == size, f"imap_tools fetched {fetched} of {size}"
            for key, value in took.items():
                best[key] = min(best.get(key, value), value)
        mirror = _mbsync(dovecot, user, base / "mbsync")
        best["new_100"] = _incremental(base / f"run{repeat - 1}", dovecot, user, rng)
        if mirror is not None:
            best["mbsync"] = mirror
            best["mbsync_new_100"] = _mbsync(dovecot, user, base / "mbsync") or 0.0
        return best
    finally:
        dovecot.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--lead-share", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    rng = random.Random(args.seed)
    print(
        "messages  sync+understand (ingest  understand)  imap_tools  speed-up  "
        "then plan+draft  100 new  mbsync first / 100 new",
        flush=True,
    )
    for size in args.messages:
        r = run(size, args.lead_share, args.repeat, rng)
        first = r["ingest"] + r["understand"]
        rest = r["notify"] + r["plan"] + r["draft"]
        tools = (
            f"{r['imap_tools']:>8.2f} s  {r['imap_tools'] / first:>6.2f}×"
            if "imap_tools" in r
            else "       -        -"
        )
        mirror = f"{r['mbsync']:>8.2f} s / {r['mbsync_new_100']:.2f} s" if "mbsync" in r else "  -"
        print(
            f"{size:>8}  {first:>13.2f} s  ({r['ingest']:>5.2f} s  {r['understand']:>7.2f} s)"
            f"  {tools}  {rest:>13.2f} s  {r['new_100']:>6.2f} s  {mirror}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
