"""Runs the real `nurture` command against a config file written for the test's servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.config import load
from assistant.content.store import import_library
from assistant.db import open_database
from assistant.imports import import_leads
from assistant.roster import sync_reps
from tests.bounds import HANG_SECONDS
from tests.servers.dovecot import MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, settings_data, write_settings

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]


def write_config(
    folder: Path,
    db_url: str,
    user: MailboxUser,
    smtp: SmtpServer,
    *,
    rep_email: str = REP,
    cadence: dict[str, Any] | None = None,
    sections: dict[str, dict[str, object]] | None = None,
    append_to_sent: bool = True,
) -> Path:
    """The world's settings (`settings_data`) on the test servers, with the offline drafter and
    the sample library, written as the TOML file an operator keeps. `cadence` adds to the
    cadence rules, `sections` to (or as) other tables, such as `daemon` or `web`."""
    data = settings_data(
        db_url,
        user,
        smtp,
        {"follow_up_after_business_days": 3, "max_touches": 6, **(cadence or {})},
        llm={"provider": "offline"},
        library=True,
        timeout=10,
        email=rep_email,
        signature="Ana Ruiz\nAccount Executive, Acme",
    )
    data["reps"][0]["imap"].update(sent_folder="Sent", append_to_sent=append_to_sent)
    return write_settings(folder, data, sections)


@dataclass
class Nurture:
    config: Path
    password: str
    now: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self, *args: str, check: bool = True, timeout: float = HANG_SECONDS
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TEST_IMAP_PASSWORD": self.password, **self.env}
        env.pop("NURTURE_NOW", None)
        if self.now:
            env["NURTURE_NOW"] = self.now
        result = subprocess.run(
            [*NURTURE, "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=self.config.parent,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"nurture {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


def seed(config: Path, leads_csv: Path, now: datetime) -> None:
    """In this process, what `nurture init`, `content import` and `leads import FILE` do.

    For tests of other commands: those three have tests of their own, and each `nurture`
    run costs a second or more of start-up.
    """
    settings = load(config)
    engine = open_database(settings.database_url)
    try:
        sync_reps(engine, settings)
        library = settings.resolve(settings.content.library)
        import_library(engine, library, settings.content, str(settings.path), now)
        report = import_leads(engine, leads_csv, now, default_owner=settings.leads.default_owner)
        assert not report.problems, report.problems
    finally:
        engine.dispose()
