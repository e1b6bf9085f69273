"""A small company for the web tests: two teams, reps, managers, leads, mail and drafts.

Everything is written straight into the store through the models, the importers and the
approval functions, then a real `nurture web` process serves it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from assistant import clock, config
from assistant.config import ContentSettings
from assistant.content.store import import_library
from assistant.db import open_database, transaction
from assistant.models import (
    ContentDelivery,
    ContentItem,
    Draft,
    Failure,
    Lead,
    Message,
    Rep,
    User,
)
from assistant.roster import sync_reps
from assistant.web.security import hash_password
from tests.bounds import HANG_SECONDS
from tests.paths import ROOT
from tests.servers import free_port
from tests.world import settings_data, write_settings

SECRET = "test-secret-key-for-the-web-app-0123456789"
PASSWORD = "correct horse battery staple"
ARTIFACTS = ROOT / "test-artifacts"

# Team east: Ana and Bob, managed by Meg. Team west: Cara, managed by Walt.
REPS = (
    ("ana@acme.test", "Ana Ruiz", "east"),
    ("bob@acme.test", "Bob Stone", "east"),
    ("cara@acme.test", "Cara Diaz", "west"),
)


def write_config(
    folder: Path,
    db_url: str,
    port: int,
    *,
    reps: dict[str, dict[str, Any]] | None = None,
    sections: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """The world's settings (`settings_data`) with the company's reps, who need no mailbox to be
    served, and the web app on `port`; `reps` adds to a rep's table by address, `sections`
    adds tables (such as `oauth`)."""
    data = settings_data(db_url, None, None, llm={"provider": "offline"}, library=True)
    data["reps"] = [
        {"email": email, "name": name, "team": team, "signature": f"{name}\nAcme"}
        | (reps or {}).get(email, {})
        for email, name, team in REPS
    ]
    data["web"] = {"host": "127.0.0.1", "port": port, "secret_key_env": "TEST_WEB_SECRET"}
    return write_settings(folder, data, sections)


@dataclass
class Company:
    """The seeded store and the ids tests refer to."""

    engine: Engine
    settings: config.Settings
    reps: dict[str, int] = field(default_factory=dict)
    leads: dict[str, int] = field(default_factory=dict)
    drafts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def add_failure(self, key: str, lead_key: str, stage: str, reason: str) -> int:
        """An item of this lead that a stage could not handle, as the shunt records it."""
        lead_id = self.leads[lead_key]
        with transaction(self.engine) as db:
            lead = db.get(Lead, lead_id)
            assert lead is not None
            failure = Failure(
                stage=stage,
                kind="lead",
                item_id=lead_id,
                lead_id=lead_id,
                rep_id=lead.owner_id,
                state="gave_up",
                reason=reason,
                attempts=6,
                first_at=clock.now(),
                last_at=clock.now(),
            )
            db.add(failure)
            db.flush()
            assert failure.id is not None
            self.failures[key] = failure.id
            return failure.id

    def add_user(self, email: str, role: str, team: str = "east") -> None:
        with transaction(self.engine) as db:
            rep = db.exec(select(Rep).where(Rep.email == email)).first()
            db.add(
                User(
                    email=email,
                    password_hash=_password_hash(),
                    role=role,
                    team=rep.team if rep else team,
                    rep_id=rep.id if rep else None,
                    created_at=clock.now(),
                )
            )

    def add_lead(
        self,
        key: str,
        owner: str,
        *,
        name: str,
        company: str,
        stage: str = "consideration",
        status: str = "active",
        topics: tuple[str, ...] = ("forecasting", "crm"),
    ) -> int:
        with transaction(self.engine) as db:
            lead = Lead(
                email=f"{key}@{company.lower().replace(' ', '')}.test",
                name=name,
                company=company,
                title="VP Finance",
                owner_id=self.reps[owner],
                stage=stage,
                topics=list(topics),
                status=status,
                created_at=clock.now(),
                sales_ready_at=clock.now() if status == "sales_ready" else None,
            )
            db.add(lead)
            db.flush()
            assert lead.id is not None
            self.leads[key] = lead.id
            return lead.id

    def add_mail(
        self,
        lead_key: str,
        *,
        text: str,
        raw: bytes = b"",
        subject: str = "Re: forecasting",
        reply_text: str | None = None,
        at: datetime | None = None,
    ) -> int:
        lead_id = self.leads[lead_key]
        with transaction(self.engine) as db:
            lead = db.get(Lead, lead_id)
            assert lead is not None and lead.owner_id is not None
            message = Message(
                rep_id=lead.owner_id,
                folder="INBOX",
                uidvalidity=1,
                uid=_next_uid(),
                message_id=f"<m{_next_uid()}@{lead.email.split('@')[1]}>",
                lead_id=lead_id,
                direction="inbound",
                from_addr=lead.email,
                subject=subject,
                sent_at=at or clock.now() - timedelta(hours=3),
                raw=raw,
                text=text,
                reply_text=reply_text if reply_text is not None else text,
                state="understood",
                kind="human",
                intent="question",
            )
            db.add(message)
            db.flush()
            assert message.id is not None
            return message.id

    def add_sent(self, lead_key: str, slug: str, *, at: datetime, subject: str, text: str) -> None:
        """Our earlier email to the lead, as the Sent folder holds it, with its content."""
        lead_id = self.leads[lead_key]
        with transaction(self.engine) as db:
            lead = db.get(Lead, lead_id)
            item = db.exec(select(ContentItem).where(ContentItem.slug == slug)).one()
            assert lead is not None and lead.owner_id is not None and item.id is not None
            message = Message(
                rep_id=lead.owner_id,
                folder="Sent",
                uidvalidity=1,
                uid=_next_uid(),
                message_id=f"<s{_next_uid()}@acme.test>",
                lead_id=lead_id,
                direction="outbound",
                from_addr="ana@acme.test",
                subject=subject,
                sent_at=at,
                text=text,
                reply_text=text,
                state="understood",
            )
            db.add(message)
            db.flush()
            db.add(
                ContentDelivery(
                    lead_id=lead_id,
                    content_id=item.id,
                    source="sent_folder",
                    message_id=message.id,
                    delivered_at=at,
                )
            )

    def add_draft(
        self,
        key: str,
        lead_key: str,
        *,
        subject: str,
        body: str,
        reply_to: int | None = None,
        content_slug: str | None = None,
        created: datetime | None = None,
        situation: str = "reply",
    ) -> int:
        lead_id = self.leads[lead_key]
        with transaction(self.engine) as db:
            lead = db.get(Lead, lead_id)
            assert lead is not None and lead.owner_id is not None
            item = (
                db.exec(select(ContentItem).where(ContentItem.slug == content_slug)).first()
                if content_slug
                else None
            )
            draft = Draft(
                trigger=f"{situation}:m{reply_to}" if reply_to else f"{situation}:x-{key}",
                lead_id=lead_id,
                rep_id=lead.owner_id,
                reply_to_id=reply_to,
                situation=situation,
                reason="the lead replied and has not had an answer"
                if situation == "reply"
                else "no reply 3 business days after our last email",
                content_id=item.id if item else None,
                content_reason="asked about CRM integration; fits the consideration stage"
                if item
                else "no new content fits",
                subject=subject,
                body=body,
                drafter="offline",
                created_at=created or clock.now() - timedelta(hours=1),
            )
            db.add(draft)
            db.flush()
            assert draft.id is not None
            self.drafts[key] = draft.id
            return draft.id

    def draft(self, key: str) -> Draft:
        with transaction(self.engine) as db:
            found = db.get(Draft, self.drafts[key])
            assert found is not None
            return found

    def lead(self, key: str) -> Lead:
        with transaction(self.engine) as db:
            found = db.get(Lead, self.leads[key])
            assert found is not None
            return found


_uid = [1000]
_hash: list[str] = []


def _password_hash() -> str:
    """One argon2 hash for every test user: hashing is slow on purpose."""
    if not _hash:
        _hash.append(hash_password(PASSWORD))
    return _hash[0]


def _next_uid() -> int:
    _uid[0] += 1
    return _uid[0]


def build(
    folder: Path, db_url: str, port: int | None = None, **settings: Any
) -> tuple[Company, Path]:
    """A fresh store with reps, users and the sample content library; no leads yet.
    `settings` go to `write_config`."""
    path = write_config(folder, db_url, port or free_port(), **settings)
    settings = config.load(path)
    engine = open_database(settings.database_url)
    sync_reps(engine, settings)
    import_library(engine, ROOT / "data" / "content", ContentSettings(), "test", clock.now())
    world = Company(engine, settings)
    with transaction(engine) as db:
        world.reps = {r.email: r.id for r in db.exec(select(Rep)).all() if r.id}
    for email, _, _ in REPS:
        world.add_user(email, "rep")
    world.add_user("meg@acme.test", "manager", "east")
    world.add_user("walt@acme.test", "manager", "west")
    world.add_user("root@acme.test", "admin", "east")
    return world, path


@dataclass
class Server:
    """A `nurture web` process on loopback, and the HTTP clients the test talks to it with."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **options: Any) -> httpx.Client:
        """A client of this server's (not signed in), closed when the server stops."""
        made = httpx.Client(base_url=self.url, **options)
        self.clients.append(made)
        return made

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Client:
        """A client signed in as the user (see `sign_in`), closed when the server stops."""
        made = sign_in(self.url, email, password)
        self.clients.append(made)
        return made

    def stop(self) -> None:
        for made in self.clients:
            made.close()
        self.clients.clear()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(config_path: Path, settings: config.Settings) -> Server:
    port = settings.web.port
    log = config_path.parent / "web.log"
    env = {**os.environ, "TEST_WEB_SECRET": SECRET}
    env.pop("NURTURE_NOW", None)
    with log.open("wb") as out:  # the process writes to its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from assistant.cli import main; main()",
                "--config",
                str(config_path),
                "web",
                "--port",
                str(port),
            ],
            env=env,
            cwd=config_path.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nurture web exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                return Server(process, url, log)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise AssertionError(f"nurture web did not answer within 300 s:\n{log.read_text()}")


def sign_in(url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client signed in as the user, as a browser on our own pages would be; the
    caller closes it (`Server.sign_in` leaves that to the server's fixture)."""
    client = httpx.Client(base_url=url, headers={"Origin": url}, follow_redirects=False, timeout=10)
    try:
        page = client.get("/login")
        token = page.text.split('name="token" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"email": email, "password": password, "token": token, "next": "/queue"}
        )
        assert response.status_code == 303, response.text
    except BaseException:
        client.close()
        raise
    return client


def csrf_of(client: httpx.Client) -> str:
    page = client.get("/queue")
    assert page.status_code == 200, page.status_code
    return page.text.split('name="csrf" value="')[1].split('"')[0]
