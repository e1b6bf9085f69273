"""A running daemon follows the reps table: a rep added is watched and answered, a paused
rep's mailbox is let go, and a resumed one is picked up again, with no restart."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow
ANA, BOB = "ana@acme.test", "bob@acme.test"
LEADS = {  # lead -> owner
    "li.wei@contoso.test": BOB,
    "max.roe@fabrikam.test": BOB,
    "eva.moss@tailspin.test": ANA,
}


def _wait(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}\n{log.read_text()}")


def _question(lead: str, rep: str, n: int) -> bytes:
    return mail(
        sender=f"Lead {n} <{lead}>",
        to=rep,
        subject="Questions about Acme Forecast",
        body="Hello, does Acme Forecast support SSO and where is our data stored?\n\nThanks",
        message_id=f"<q{n}@leads.test>",
        date=datetime.now(UTC),
    )


def test_a_rep_added_while_running_is_watched_and_a_paused_one_let_go(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    config = write_config(
        tmp_path,
        sqlite_url,
        mailbox_user,
        smtp_server,
        rep_email=ANA,
        sections={
            "daemon": {
                "sync_interval_seconds": 1,
                "send_interval_seconds": 600,
                "reconcile_seconds": 1,
                "startup_stagger_seconds": 0,
            }
        },
    )
    bob = dovecot.new_user()
    app = Nurture(config, mailbox_user.password)
    env = {**os.environ, "TEST_IMAP_PASSWORD": mailbox_user.password, "BOB_PW": bob.password}
    env.pop("NURTURE_NOW", None)
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [*NURTURE, "--config", str(config), "run"], stdout=out, stderr=out, env=env
        )

    def drafted() -> set[str]:
        return {d["lead"]["email"] for d in app.json("queue")}

    try:
        _wait(lambda: f"watching the mailbox of {ANA}" in log.read_text(), "Ana's watcher", log)
        app.run(
            "reps", "add", BOB, "--name", "Bob Lee",
            "--imap-host", bob.host, "--imap-port", str(bob.port), "--imap-security", "none",
            "--imap-username", bob.name, "--imap-password-env", "BOB_PW",
            "--smtp-host", smtp_server.host, "--smtp-port", str(smtp_server.port),
            "--smtp-security", "none",
        )  # fmt: skip
        rows = "".join(f"{lead},Lead,Co,{owner}\n" for lead, owner in LEADS.items())
        (tmp_path / "leads.csv").write_text(f"email,name,company,owner\n{rows}", encoding="utf-8")
        app.run("leads", "import", "leads.csv")
        _wait(lambda: f"watching the mailbox of {BOB}" in log.read_text(), "Bob's watcher", log)
        dovecot.deliver(bob.name, _question("li.wei@contoso.test", BOB, 1))
        _wait(lambda: "li.wei@contoso.test" in drafted(), "a draft for Bob's lead", log)

        app.run("reps", "pause", BOB)
        _wait(lambda: f"stopped watching the mailbox of {BOB}" in log.read_text(), "unwatch", log)
        dovecot.deliver(bob.name, _question("max.roe@fabrikam.test", BOB, 2))
        # Mail to Ana after that is drafted: passes run, and Bob's mailbox is not among them.
        dovecot.deliver(mailbox_user.name, _question("eva.moss@tailspin.test", ANA, 3))
        _wait(lambda: "eva.moss@tailspin.test" in drafted(), "a draft for Ana's lead", log)
        assert "max.roe@fabrikam.test" not in drafted()
        [bob_line] = [r for r in app.json("reps", "list") if r["email"] == BOB]
        assert (bob_line["status"], bob_line["mailbox"]) == ("paused", "paused: not watched")

        app.run("reps", "resume", BOB)
        _wait(lambda: "max.roe@fabrikam.test" in drafted(), "the waiting mail, drafted", log)
        assert log.read_text().count(f"started watching the mailbox of {BOB}:") == 2
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=HANG_SECONDS)
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output
