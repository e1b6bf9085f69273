"""A sales floor on one Dovecot, for the replica test and the scale benchmarks: the config
file with a rep per mailbox user, Dovecot's own count of open IMAP connections, and which
daemon holds each mailbox's live lease."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.models import Lease, Replica
from tests.paths import ROOT
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.world import server_table, write_settings


def floor_config(
    folder: Path,
    db_url: str,
    dovecot: Dovecot,
    users: list[str],
    *,
    password_env: str,
    daemon: dict[str, Any],
    smtp: SmtpServer | None = None,
    timeout: float = 30,
    sections: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """nurture.toml with one rep per Dovecot user, every day a working day, the offline
    drafter, `daemon` as the [daemon] table and `sections` as more tables (such as `web`)."""
    reps: list[dict[str, Any]] = []
    for user in users:
        rep: dict[str, Any] = {
            "email": f"{user}@acme.test",
            "name": f"Rep {user}",
            "imap": server_table(
                dovecot.host, dovecot.port, timeout, username=user, password_env=password_env
            ),
        }
        if smtp is not None:
            rep["smtp"] = server_table(smtp.host, smtp.port, timeout)
        reps.append(rep)
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "llm": {"provider": "offline"},
        "content": {"library": str(ROOT / "data" / "content")},
        "cadence": {
            "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "window_start": "00:00",
            "window_end": "24:00",
        },
        "daemon": daemon,
        "reps": reps,
    }
    return write_settings(folder, data, sections)


def imap_connections(dovecot: Dovecot) -> dict[str, int]:
    """IMAP connections per user, as Dovecot itself counts them."""
    out = subprocess.run(
        ["doveadm", "-c", str(dovecot.config_path), "who", "-1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts: dict[str, int] = {}
    for line in out.splitlines()[1:]:
        if line.split():
            counts[line.split()[0]] = counts.get(line.split()[0], 0) + 1
    return counts


def lease_holders(engine: Engine) -> dict[str, str]:
    """Mailbox → the daemon whose lease on it is alive."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        rows = session.exec(select(Lease).where(Lease.kind == "mailbox")).all()
        live = set(session.exec(select(Replica.id).where(col(Replica.expires_at) > now)).all())
    return {
        row.key: row.holder
        for row in rows
        if row.expires_at and row.expires_at > now and row.holder in live
    }
