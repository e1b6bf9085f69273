"""The web app while the daemon ingests a big first sync: how long the rep's queue page takes.

    .venv/bin/python -m bench.web_sync [--messages 5000] [--db URL]

Fills one Dovecot mailbox with `--messages` messages (2% of them from 200 leads, as
bench/first_sync.py does), starts `nurture run --web` on a new database with the offline
drafter and, from the moment the web app answers until the daemon has finished its first
pass over the mailbox, asks for the queue page over HTTP as a signed-in rep does, one
request after another (the pass is over when the INBOX is read to its last message and
nothing stored waits to be understood). Prints how long the first pass took, how many
requests were made during it, and their median, p95 and slowest times. Aim: p95 under
200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import load
from assistant.content.store import import_library
from assistant.db import open_database, transaction
from assistant.imports import import_leads
from assistant.models import FolderState, Message, Rep, User
from assistant.roster import sync_reps
from assistant.web.security import hash_password
from bench.first_sync import LEADS, _mailbox
from tests.paths import ROOT
from tests.servers import free_port
from tests.servers.dovecot import Dovecot
from tests.servers.floor import floor_config

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]
PASSWORD = "bench-secret"
WEB_PASSWORD = "bench web password 123"
AIM_MS = 200.0


def _seed(config: Path, user: str) -> None:
    """The rep, their web account, the sample library and the leads, before the daemon runs."""
    settings = load(config)
    engine = open_database(settings.database_url)
    now = datetime.now(UTC)
    sync_reps(engine, settings)
    import_library(engine, ROOT / "data" / "content", settings.content, str(config), now)
    rows = "".join(
        f"lead{j}@customer{j}.test,Lead {j},Customer {j},CTO,{user}@acme.test\n"
        for j in range(LEADS)
    )
    leads = config.parent / "leads.csv"
    leads.write_text("email,name,company,title,owner\n" + rows, encoding="utf-8")
    import_leads(engine, leads, now)
    with transaction(engine) as db:
        rep = db.exec(select(Rep)).one()
        db.add(
            User(
                email=rep.email,
                password_hash=hash_password(WEB_PASSWORD),
                role="rep",
                team=rep.team,
                rep_id=rep.id,
                created_at=now,
            )
        )
    engine.dispose()


def _signed_in(base: str, email: str, deadline: float) -> httpx.Client:
    """A rep's session, once the web app answers."""
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=30)
    while True:
        try:
            form = client.get("/login")
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit("the web app did not answer within 120 s") from None
            time.sleep(0.1)
    token = form.text.split('name="token" value="')[1].split('"')[0]
    client.post("/login", data={"email": email, "password": WEB_PASSWORD, "token": token})
    assert client.get("/queue").status_code == 200, "the rep could not sign in"
    return client


def _first_pass_done(engine: Engine, messages: int) -> bool:
    """Whether the daemon has read every message of the INBOX and understood what it stored."""
    with Session(engine) as session:
        inbox = session.exec(select(FolderState).where(FolderState.folder == "INBOX")).first()
        if inbox is None or inbox.last_uid < messages:
            return False
        waiting = session.exec(
            select(func.count()).select_from(Message).where(Message.state == "stored")
        ).one()
    return waiting == 0


def run(messages: int, db: str | None, rng: random.Random) -> None:
    dovecot = Dovecot()
    folder = Path(tempfile.mkdtemp(prefix="nurture-web-sync-"))
    try:
        user = "rep0000"
        dovecot.add_user(user, PASSWORD)
        dovecot.fill(user, _mailbox(messages, 0.02, rng))
        port = free_port()
        config = floor_config(
            folder,
            db or f"sqlite:///{folder / 'nurture.db'}",
            dovecot,
            [user],
            password_env="BENCH_IMAP_PASSWORD",
            daemon={"sync_interval_seconds": 3600, "send_interval_seconds": 3600},
            sections={"web": {"host": "127.0.0.1", "port": port, "secret_key_env": "BENCH_SECRET"}},
            timeout=120,
        )
        _seed(config, user)
        env = {
            **os.environ,
            "BENCH_IMAP_PASSWORD": PASSWORD,
            "BENCH_SECRET": "bench-secret-key-0123456789",
        }
        env.pop("NURTURE_NOW", None)
        with (folder / "daemon.log").open("w") as log:
            daemon = subprocess.Popen(
                [*NURTURE, "--config", str(config), "run", "--web"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            started = time.monotonic()
            client = _signed_in(f"http://127.0.0.1:{port}", f"{user}@acme.test", started + 120)
            times: list[float] = []
            engine = open_database(db or f"sqlite:///{folder / 'nurture.db'}")
            while not _first_pass_done(engine, messages):
                if daemon.poll() is not None or time.monotonic() - started > 1800:
                    raise SystemExit(f"the daemon stopped or hung: see {folder}/daemon.log")
                asked = time.perf_counter()
                assert client.get("/queue").status_code == 200
                times.append(time.perf_counter() - asked)
            took = time.monotonic() - started
            client.close()
            engine.dispose()
        finally:
            daemon.terminate()
            daemon.wait(60)
    finally:
        dovecot.stop()
    ms = sorted(t * 1000 for t in times)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)] if ms else 0.0
    verdict = "ok" if p95 < AIM_MS else "over the aim"
    print(f"{messages:,} messages, first pass {took:.1f} s, {len(ms)} queue requests meanwhile")
    if ms:
        print(
            f"queue page: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
            f"slowest {ms[-1]:.1f} ms (aim p95 < {AIM_MS:.0f} ms: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--db", help="A database URL (default: a new SQLite file).")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    run(args.messages, args.db, random.Random(args.seed))


if __name__ == "__main__":
    main()
