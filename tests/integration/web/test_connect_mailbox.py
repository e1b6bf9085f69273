"""A rep connects their mailbox with OAuth in Chromium: Connect Google, consent on the stand-in
authorization server, back to Nurture, and `nurture tick` syncs the mailbox over XOAUTH2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, expect
from sqlalchemy import text
from sqlmodel import Session, select

from assistant.models import Message
from tests.integration.web.company import SECRET, Company, Server, build, start_server
from tests.integration.web.conftest import log_in
from tests.servers.dovecot import Dovecot
from tests.servers.oauth_standin import CLIENT_ID, CLIENT_SECRET, OAuthStandIn
from tests.servers.smtp import SmtpServer


@pytest.fixture(scope="module")
def authz() -> Iterator[OAuthStandIn]:
    with OAuthStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def oauth_dovecot(authz: OAuthStandIn) -> Iterator[Dovecot]:
    server = Dovecot(introspection_url=authz.base_url + "/introspect")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def connected_site(
    tmp_path: Path,
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    make_smtp_server: Callable[..., SmtpServer],
) -> Iterator[tuple[Company, Server, Path, str, SmtpServer]]:
    """Cara's mailbox on the OAuth Dovecot, Google's endpoints pointed at the stand-in, and the
    operator's notice account on its own SMTP server."""
    user = oauth_dovecot.new_user()
    notices = make_smtp_server()
    imap = {
        "host": "127.0.0.1",
        "port": oauth_dovecot.port,
        "security": "none",
        "username": user.name,
        "auth": "xoauth2",
        "provider": "google",
    }
    oauth = {
        "token_key_env": "TEST_TOKEN_KEY",
        "notice_from": "nurture@acme.test",
        "notice_smtp": {"host": notices.host, "port": notices.port, "security": "none"},
        "google": {
            "client_id_env": "TEST_CLIENT_ID",
            "client_secret_env": "TEST_CLIENT_SECRET",
            "authorize_url": f"{authz.base_url}/authorize",
            "token_url": f"{authz.base_url}/token",
            "revoke_url": f"{authz.base_url}/revoke",
            "scopes": ["mail"],
        },
    }
    world, config = build(
        tmp_path,
        f"sqlite:///{tmp_path}/nurture.db",
        reps={"cara@acme.test": {"imap": imap}},
        sections={"oauth": oauth},
    )
    monkeypatch.setenv("TEST_TOKEN_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("TEST_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TEST_CLIENT_SECRET", CLIENT_SECRET)
    server = start_server(config, world.settings)
    try:
        yield world, server, config, user.name, notices
    finally:
        server.stop()
        world.engine.dispose()


def _lead_mail(to: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Lena Park <lena@northwind.test>"
    msg["To"] = to
    msg["Subject"] = "Pricing for the forecasting module"
    msg["Message-ID"] = "<pricing-1@northwind.test>"
    msg["Date"] = "Wed, 02 Dec 2026 09:00:00 +0000"
    msg.set_content("Hi Cara, could you send the pricing?")
    return msg.as_bytes().replace(b"\n", b"\r\n")


def _tick(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from assistant.cli import main; main()",
            "--config",
            str(config),
            "tick",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TEST_WEB_SECRET": SECRET},
    )


def test_connect_google_consent_and_the_mailbox_syncs(
    browser: Browser,
    connected_site: tuple[Company, Server, Path, str, SmtpServer],
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
) -> None:
    world, server, config, login, notices = connected_site
    world.add_lead("lena", "cara@acme.test", name="Lena Park", company="Northwind")
    oauth_dovecot.deliver(login, _lead_mail("cara@acme.test"))
    page = browser.new_page()
    log_in(page, server.url, "cara@acme.test")
    page.click("nav >> text=Mailbox")
    expect(page.locator("#mailbox-state")).to_contain_text("Not connected")

    page.click("text=Connect Google")
    expect(page.locator("h1")).to_have_text("Allow access to your mail?")  # the stand-in's page
    page.fill("input[name=user]", login)
    page.click("button[value=allow]")
    page.wait_for_url(f"{server.url}/mailbox")
    expect(page.locator(".flash")).to_contain_text("connected through Google")
    expect(page.locator("#mailbox-state")).to_contain_text("Connected")

    done = _tick(config)
    assert done.returncode == 0, done.stderr
    assert "Synced 1 message(s)" in done.stdout
    with Session(world.engine) as db:
        subjects = [m.subject for m in db.exec(select(Message)).all()]
    assert "Pricing for the forecasting module" in subjects
    assert f"user=<{login}>, method=XOAUTH2" in oauth_dovecot.log_path.read_text()

    # The refresh token is in the store, encrypted; nothing the stand-in issued is readable.
    with world.engine.connect() as connection:
        stored = connection.execute(text("SELECT refresh_token FROM mailbox_grant")).scalar_one()
    issued = [g.refresh_token for g in authz.grants if g.user == login]
    assert issued and not any(t.encode() in bytes(stored) for t in issued)
    everything = server.log.read_text() + done.stdout + done.stderr
    assert not any(
        t in everything for g in authz.grants for t in [g.refresh_token, *g.access_tokens]
    )

    # Revoked at the provider: the next pass marks the mailbox, and the rep sees it.
    # The notice server is down at first: the email stays owed, and the next pass sends it.
    authz.revoke_user(login)
    authz.expire_access_tokens()
    notices.fail_next(451, times=2)  # at the revocation and again at the end of the pass
    failed = _tick(config)
    assert "needs reconnecting" in failed.stderr
    assert "could not tell cara@acme.test to reconnect" in failed.stderr
    assert len(notices.refused) == 2 and notices.messages == []
    page.reload()
    expect(page.locator("#mailbox-state")).to_contain_text("Needs reconnect")
    _tick(config)
    told = notices.wait_for_messages(1)
    assert [(m.mail_from, m.rcpt_tos) for m in told] == [("nurture@acme.test", ("cara@acme.test",))]
    assert b"Subject: Reconnect your mailbox to Nurture" in told[0].data
    _tick(config)  # still revoked: no second email
    assert len(notices.messages) == 1

    # Reconnecting resumes the sync where it stopped.
    oauth_dovecot.deliver(login, _lead_mail("cara@acme.test").replace(b"pricing-1", b"pricing-2"))
    page.click("text=Reconnect Google")
    page.fill("input[name=user]", login)
    page.click("button[value=allow]")
    page.wait_for_url(f"{server.url}/mailbox")
    expect(page.locator("#mailbox-state")).to_contain_text("Connected")
    again = _tick(config)
    assert again.returncode == 0, again.stderr
    assert "Synced 1 message(s)" in again.stdout


def test_a_denied_consent_or_a_forged_callback_connects_nothing(
    browser: Browser,
    connected_site: tuple[Company, Server, Path, str, SmtpServer],
    authz: OAuthStandIn,
) -> None:
    world, server, _config, login, _notices = connected_site
    page = browser.new_page()
    log_in(page, server.url, "cara@acme.test")
    page.goto(f"{server.url}/mailbox")
    page.click("text=Connect Google")
    page.fill("input[name=user]", login)
    page.click("button[value=deny]")
    page.wait_for_url(f"{server.url}/mailbox")
    expect(page.locator(".flash")).to_have_text("Google did not grant access.")
    expect(page.locator("#mailbox-state")).to_contain_text("Not connected")

    # A code handed to the callback without this browser's pending sign-in is refused.
    page.goto(f"{server.url}/mailbox/callback?code=stolen&state=guessed")
    expect(page.locator(".flash")).to_contain_text("try again")
    expect(page.locator("#mailbox-state")).to_contain_text("Not connected")
    with world.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM mailbox_grant")).scalar_one() == 0
