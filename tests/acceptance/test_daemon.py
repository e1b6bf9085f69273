"""`nurture run`: the daemon drafts and sends on its own, and stops cleanly on SIGTERM."""

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
REP = "ana@acme.test"
LEAD = "li.wei@contoso.test"


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_daemon_drafts_sends_and_stops_on_sigterm(
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
        rep_email=REP,
        # The real clock runs here: a window open every hour of every day keeps it sending.
        cadence={
            "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "window_start": "00:00",
            "window_end": "24:00",
        },
        sections={"daemon": {"sync_interval_seconds": 1, "send_interval_seconds": 1}},
    )
    (tmp_path / "leads.csv").write_text(
        f"email,name,company,title,owner\n{LEAD},Li Wei,Contoso,CTO,{REP}\n", encoding="utf-8"
    )
    app = Nurture(config, mailbox_user.password)
    app.run("content", "import")
    app.run("leads", "import", "leads.csv")
    dovecot.deliver(
        mailbox_user.name,
        mail(
            sender=f"Li Wei <{LEAD}>",
            to=REP,
            subject="Security questions",
            body="Hi Ana, does Acme Forecast support SSO and where is our data stored?\n\nLi",
            message_id="<q1@contoso.test>",
            date=datetime.now(UTC),
        ),
    )
    log = (tmp_path / "daemon.log").open("w")
    env = {**os.environ, "TEST_IMAP_PASSWORD": mailbox_user.password}
    env.pop("NURTURE_NOW", None)
    daemon = subprocess.Popen(
        [*NURTURE, "--config", str(config), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    try:
        _wait(lambda: len(app.json("queue")) == 1, HANG_SECONDS, "a draft")
        [draft] = app.json("queue")
        assert draft["lead"]["email"] == LEAD
        app.run("approve", str(draft["id"]))
        sent = smtp_server.wait_for_messages(1, timeout=HANG_SECONDS)
        assert [m.rcpt_tos for m in sent] == [(LEAD,)]
        time.sleep(3)  # a few more passes: nothing more goes out
        assert len(smtp_server.messages) == 1
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=HANG_SECONDS)
        log.close()
    output = (tmp_path / "daemon.log").read_text()
    assert code == 0, output
    assert "daemon started" in output and "stopped" in output
    assert f"drafted reply for {LEAD}" in output
    assert f"sent draft {draft['id']} to {LEAD}" in output
    assert "Traceback" not in output
