"""XOAUTH2 and OAUTHBEARER against Dovecot's oauth2 passdb and aiosmtpd, with grants kept in a
real database: refresh before and after expiry, revocation, encryption at rest, quiet logs."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.errors import ImapError
from assistant.mail import imap, smtp
from assistant.oauth.flow import GrantError
from assistant.oauth.providers import Provider
from assistant.oauth.store import GrantState, GrantStore
from assistant.oauth.tokens import TokenSource
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.oauth_standin import OAuthStandIn
from tests.servers.smtp import SmtpServer


def _mail(subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lead@example.com", "rep@acme.test", subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.com>"
    msg.set_content("hello")
    return msg.as_bytes().replace(b"\n", b"\r\n")


@pytest.fixture
def rep(oauth_dovecot: Dovecot) -> MailboxUser:
    return oauth_dovecot.new_user()


def _connect(
    authz: OAuthStandIn, grants: GrantStore, provider: Provider, rep: MailboxUser
) -> tuple[TokenSource, list[str]]:
    """A grant for `rep` as after consent, and the token source the daemon would use."""
    _, refresh = authz.issue(rep.name)
    grants.save(rep.address, "custom", "mail", refresh)
    told: list[str] = []

    async def on_revoked(email: str, reason: str) -> None:
        told.append(email)

    return TokenSource(grants, provider, rep.address, on_revoked=on_revoked), told


def _account(rep: MailboxUser, tokens: TokenSource, auth: str) -> imap.ImapAccount:
    return imap.ImapAccount(rep.host, rep.port, "none", rep.name, "", 10.0, auth, tokens)


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
async def test_bearer_login_reads_the_inbox_and_finds_sent_by_special_use(
    authz: OAuthStandIn,
    grants: GrantStore,
    standin_provider: Provider,
    oauth_dovecot: Dovecot,
    rep: MailboxUser,
    auth: str,
) -> None:
    uid = oauth_dovecot.deliver(rep.name, _mail("first question"))
    tokens, _ = _connect(authz, grants, standin_provider, rep)
    async with imap.connect(_account(rep, tokens, auth)) as mailbox:
        info = await mailbox.select("INBOX")
        fetched = await mailbox.fetch_messages([uid])
        assert (await mailbox.special_use())["\\Sent"] == "Gesendete Elemente"
        await mailbox.append("\\Sent", _mail("filed copy"))
    assert info.exists == 1 and b"first question" in fetched[0][1]
    assert [
        b"filed copy" in raw for raw in oauth_dovecot.messages(rep.name, "Gesendete Elemente")
    ] == [True]
    assert f"method={auth.upper()}" in oauth_dovecot.log_path.read_text()


async def test_a_token_the_server_refuses_is_refreshed_and_offered_again(
    authz: OAuthStandIn,
    grants: GrantStore,
    standin_provider: Provider,
    rep: MailboxUser,
) -> None:
    tokens, _ = _connect(authz, grants, standin_provider, rep)
    async with imap.connect(_account(rep, tokens, "xoauth2")):
        pass
    refreshes = len(authz.token_requests)
    authz.expire_access_tokens()  # ends early, as when the provider cuts a session short
    async with imap.connect(_account(rep, tokens, "xoauth2")) as mailbox:
        assert (await mailbox.select("INBOX")).exists == 0
    assert authz.token_requests[refreshes:] == [{"grant_type": "refresh_token"}]
    row = grants.get(rep.address)
    assert row is not None and row.state == GrantState.ok and row.access_expires_at is not None


async def test_a_token_near_expiry_is_refreshed_before_use(
    authz: OAuthStandIn, grants: GrantStore, standin_provider: Provider, rep: MailboxUser
) -> None:
    _, refresh = authz.issue(rep.name)
    grants.save(rep.address, "custom", "mail", refresh)
    # The stand-in's tokens live an hour; a margin of more than that refreshes at every use.
    tokens = TokenSource(grants, standin_provider, rep.address, margin=4000)
    first = await tokens.access_token()
    second = await tokens.access_token()
    assert first != second and authz.active(second) == rep.name
    relaxed = TokenSource(grants, standin_provider, rep.address, margin=60)
    assert await relaxed.access_token() == await relaxed.access_token()


async def test_a_revoked_grant_needs_reconnect_tells_the_rep_once_and_resumes_after_reconnect(
    authz: OAuthStandIn,
    grants: GrantStore,
    standin_provider: Provider,
    oauth_dovecot: Dovecot,
    rep: MailboxUser,
) -> None:
    tokens, told = _connect(authz, grants, standin_provider, rep)
    async with imap.connect(_account(rep, tokens, "xoauth2")):
        pass
    authz.revoke_user(rep.name)
    waiting = oauth_dovecot.deliver(rep.name, _mail("while revoked"))
    for _ in range(3):
        with pytest.raises(GrantError) as failed:
            async with imap.connect(_account(rep, tokens, "xoauth2")):
                pass
        assert failed.value.revoked
    row = grants.get(rep.address)
    assert row is not None and row.state == GrantState.needs_reconnect
    assert "invalid_grant" in row.last_error
    assert told == [rep.address]

    _, refresh = authz.issue(rep.name)  # the rep connects again
    grants.save(rep.address, "custom", "mail", refresh)
    async with imap.connect(_account(rep, tokens, "xoauth2")) as mailbox:
        await mailbox.select("INBOX")
        assert b"while revoked" in (await mailbox.fetch_messages([waiting]))[0][1]
    assert told == [rep.address]


async def test_a_server_refusing_every_token_is_an_imap_error(
    oauth_dovecot: Dovecot, rep: MailboxUser
) -> None:
    class Wrong:
        async def access_token(self) -> str:
            return "at-not-issued"

        def invalidate(self) -> None:
            pass

    account = imap.ImapAccount(rep.host, rep.port, "none", rep.name, "", 10.0, "xoauth2", Wrong())
    with pytest.raises(ImapError, match=r"XOAUTH2 login as .* was refused"):
        async with imap.connect(account):
            pass


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
async def test_smtp_submission_with_a_bearer_token_and_a_revoked_grant_deferred(
    authz: OAuthStandIn,
    grants: GrantStore,
    standin_provider: Provider,
    rep: MailboxUser,
    auth: str,
) -> None:
    server = SmtpServer(bearer=authz.active)
    try:
        tokens, _ = _connect(authz, grants, standin_provider, rep)
        account = smtp.SmtpAccount(server.host, server.port, "none", rep.address, None, 10.0, auth)
        account = smtp.SmtpAccount(**{**account.__dict__, "tokens": tokens})
        sent = await smtp.submit(account, rep.address, "lead@example.com", _mail("hello lead"))
        authz.expire_access_tokens()
        again = await smtp.submit(account, rep.address, "lead@example.com", _mail("second"))
        authz.revoke_user(rep.name)
        held = await smtp.submit(account, rep.address, "lead@example.com", _mail("held back"))
    finally:
        server.stop()
    assert (sent.outcome, again.outcome, held.outcome) == ("accepted", "accepted", "deferred"), (
        sent.detail,
        again.detail,
    )
    assert server.bearer_logins == [rep.address, rep.address]
    assert [b"held back" in m.data for m in server.messages] == [False, False]


async def test_refresh_tokens_are_unreadable_without_the_key_and_no_token_is_logged(
    authz: OAuthStandIn,
    grants: GrantStore,
    standin_provider: Provider,
    rep: MailboxUser,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens, _ = _connect(authz, grants, standin_provider, rep)
    server = SmtpServer(bearer=authz.active)
    try:
        async with imap.connect(_account(rep, tokens, "oauthbearer")) as mailbox:
            await mailbox.select("INBOX")
        authz.expire_access_tokens()
        async with imap.connect(_account(rep, tokens, "xoauth2")) as mailbox:
            await mailbox.select("INBOX")
        account = smtp.SmtpAccount(
            server.host, server.port, "none", rep.address, None, 10.0, "xoauth2", tokens
        )
        assert (await smtp.submit(account, rep.address, "x@example.com", _mail("m"))).outcome == (
            "accepted"
        )
        authz.revoke_user(rep.name)
        with pytest.raises(GrantError):
            await asyncio.wait_for(
                TokenSource(grants, standin_provider, rep.address).access_token(), 10
            )
    finally:
        server.stop()
    secrets = [g.refresh_token for g in authz.grants if g.user == rep.name]
    secrets += [t for g in authz.grants if g.user == rep.name for t in g.access_tokens]
    assert len(secrets) >= 3
    engine = grants._engine
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT refresh_token FROM mailbox_grant")).scalars()
        raw = b"".join(bytes(v) for v in stored)
    assert raw and not any(s.encode() in raw for s in secrets)
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        files = [Path(p) for p in (path, path + "-wal") if os.path.exists(p)]
        on_disk = b"".join(f.read_bytes() for f in files)
        assert not any(s.encode() in on_disk for s in secrets)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "refreshed the access token" in logged and "needs reconnecting" in logged
    assert not any(s in logged for s in secrets)
    assert not any(_b64_fragment(s) in logged for s in secrets)


def _b64_fragment(token: str) -> str:
    # The SASL string carrying the token holds the base64 of this span (the alignment is fixed
    # for XOAUTH2's "user=...\x01" prefix only, so this is a spot check beside the plain one).
    return base64.b64encode(f"auth=Bearer {token}".encode())[8:40].decode()
