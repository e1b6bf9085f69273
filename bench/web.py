"""Server-side speed of the approval app: the queue page with 1,000 pending drafts, and approve.

    .venv/bin/python bench/web.py [--drafts 1000] [--runs 60] [--db URL]

The app runs in this process behind httpx's ASGI transport, so the figures are the app's own
time per request (routing, session, queries, rendering), without a network in between.
Aims: queue page under 150 ms, approve under 50 ms (median and p95 are printed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import clock, config  # noqa: E402
from assistant.content.store import import_library  # noqa: E402
from assistant.db import open_database, transaction  # noqa: E402
from assistant.models import Draft, Lead, Message, Rep, User  # noqa: E402
from assistant.roster import sync_reps  # noqa: E402
from assistant.web.security import hash_password  # noqa: E402
from assistant.web.server import create_app  # noqa: E402

PASSWORD = "bench password 123"
HTML = (
    "From: Lead <lead{i}@client{i}.test>\r\nTo: rep@acme.test\r\nSubject: Re: forecasting\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<p>Hi,</p><p>How long does the <b>CRM integration</b> take for {i} reps?</p>"
    '<div class="gmail_quote">On Monday you wrote:<blockquote>The paper.</blockquote></div>'
)


def seed(folder: Path, url: str, drafts: int) -> config.Settings:
    path = folder / "nurture.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[web]\nsecret_key_env = "BENCH_SECRET"\n'
        '[[reps]]\nemail = "rep@acme.test"\nname = "Rita Rep"\n',
        encoding="utf-8",
    )
    settings = config.load(path)
    engine = open_database(settings.database_url)
    sync_reps(engine, settings)
    now = clock.now()
    import_library(engine, ROOT / "data" / "content", settings.content, str(path), now)
    with transaction(engine) as db:
        rep = db.exec(select(Rep)).one()
        db.add(
            User(
                email="rep@acme.test",
                password_hash=hash_password(PASSWORD),
                role="rep",
                team=rep.team,
                rep_id=rep.id,
            )
        )
        for i in range(drafts):
            lead = Lead(
                email=f"lead{i}@client{i}.test",
                name=f"Lead {i}",
                company=f"Client {i}",
                owner_id=rep.id,
                stage="consideration",
                topics=["forecasting"],
                status="sales_ready" if i % 50 == 0 else "active",
            )
            db.add(lead)
            db.flush()
            said = Message(
                rep_id=rep.id or 0,
                folder="INBOX",
                uidvalidity=1,
                uid=i + 1,
                lead_id=lead.id,
                direction="inbound",
                from_addr=lead.email,
                subject="Re: forecasting",
                sent_at=now - timedelta(hours=2),
                raw=HTML.format(i=i).encode(),
                text=f"How long for {i} reps?",
                reply_text=f"How long for {i} reps?",
                state="understood",
                kind="human",
            )
            db.add(said)
            db.flush()
            db.add(
                Draft(
                    trigger=f"reply:m{said.id}",
                    lead_id=lead.id or 0,
                    rep_id=rep.id or 0,
                    reply_to_id=said.id,
                    situation="reply",
                    reason="the lead replied",
                    content_id=1,
                    content_reason="asked about integration",
                    subject="Re: forecasting",
                    body=f"Hi Lead {i},\n\nAbout three weeks.\n",
                    created_at=now - timedelta(minutes=drafts - i),
                )
            )
    if engine.dialect.name == "postgresql":
        # A freshly bulk-loaded table has no statistics yet; autovacuum would gather them soon.
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    engine.dispose()
    return settings


def summary(name: str, samples: list[float], aim: float) -> str:
    ms = sorted(s * 1000 for s in samples)
    median, p95 = statistics.median(ms), ms[max(0, int(len(ms) * 0.95) - 1)]
    verdict = "ok" if p95 < aim else "over the aim"
    return (
        f"{name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms   (aim < {aim:.0f} ms: {verdict})"
    )


async def measure(
    settings: config.Settings, drafts: int, runs: int
) -> tuple[list[float], list[float]]:
    engine = open_database(settings.database_url)
    app = create_app(settings, engine)
    base = "http://bench.local"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base, headers={"Origin": base}) as c:
        form = await c.get("/login")
        token = form.text.split('name="token" value="')[1].split('"')[0]
        await c.post(
            "/login", data={"email": "rep@acme.test", "password": PASSWORD, "token": token}
        )
        page = await c.get("/queue")
        assert page.status_code == 200 and f"{drafts} drafts waiting" in page.text
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        queue: list[float] = []
        for _ in range(runs + 5):
            start = time.perf_counter()
            response = await c.get("/queue")
            queue.append(time.perf_counter() - start)
            assert response.status_code == 200
        with transaction(engine) as db:
            ids = list(db.exec(select(Draft.id).order_by(Draft.id).limit(runs + 5)))
        approve: list[float] = []
        for draft_id in ids:
            start = time.perf_counter()
            response = await c.post(
                f"/drafts/{draft_id}/approve", data={"csrf": csrf, "when": "next", "next": "/queue"}
            )
            approve.append(time.perf_counter() - start)
            assert response.status_code == 303, response.text
    engine.dispose()
    return queue[5:], approve[5:]  # the first requests warm caches and the ranker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--db", help="A database URL (default: a new SQLite file).")
    args = parser.parse_args()
    os.environ["BENCH_SECRET"] = "bench-secret-key-0123456789"
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{folder}/bench.db"
        settings = seed(Path(folder), url, args.drafts)
        queue, approve = asyncio.run(measure(settings, args.drafts, args.runs))
    print(f"{args.drafts} pending drafts on {url.split(':')[0]}, {args.runs} runs each")
    print(summary("queue page (GET /queue)", queue, 150))
    print(summary("approve (POST /drafts/N/approve)", approve, 50))


if __name__ == "__main__":
    main()
